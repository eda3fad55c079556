"""The token-ID input (or text, in text mode)."""

from __future__ import annotations

from collections.abc import Callable

from tui.core.view import InputPane
from tui.widgets.textual_internals import TextLineInput


class IdInput(TextLineInput):
    """Calls `edited(value, cursor)` once per key, with the text and the cursor both as the key left them.

    Input changes the text first, then the cursor, in one go (`Input.replace`): the cursor's change makes
    the call, at once, so the key and what it looks up are painted in the same frame. A new text that
    leaves the cursor where it was makes the call once the key has been handled.
    """

    _text_pending = False  # the text changed and the cursor has not moved since

    def __init__(self, edited: Callable[[str, int], None], value: str, placeholder: str, *, id: str | None = None) -> None:
        self._edited = edited
        super().__init__(value, placeholder, id=id, select_on_focus=False)

    def watch_value(self) -> None:
        super().watch_value()
        if self.is_mounted:  # the first text is the explorer's own
            self._text_pending = True
            self.call_next(self._text_settled)

    def watch_selection(self) -> None:
        super().watch_selection()
        if self.is_mounted:
            self._text_pending = False
            self._edited(self.value, self.cursor_position)

    def _text_settled(self) -> None:
        if self._text_pending:
            self._text_pending = False
            self._edited(self.value, self.cursor_position)

    def show(self, pane: InputPane) -> None:
        """The explorer's text (which it may have changed: pasted line breaks, the other mode), its labels."""
        if self.border_title != pane.title:
            self.border_title = pane.title
        if self.placeholder != pane.placeholder:
            self.placeholder = pane.placeholder
        if self.value != pane.value:
            self.value = pane.value
            self.cursor_position = pane.cursor
