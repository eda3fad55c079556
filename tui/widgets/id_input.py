"""The token-ID input (or text, in text mode)."""

from __future__ import annotations

from collections.abc import Callable

from tui.core.view import InputPane
from tui.widgets.textual_internals import TextLineInput


class IdInput(TextLineInput):
    """Calls `edited(value, cursor)` once per key, after the text and the cursor have both settled (a
    typed character changes the value, then the cursor). A direct call rather than a message, still
    inside the key's own handling: the key and what it looks up are painted in the same frame."""

    _pending = False  # a call is scheduled

    def __init__(self, edited: Callable[[str, int], None], value: str, placeholder: str, *, id: str | None = None) -> None:
        self._edited = edited
        super().__init__(value, placeholder, id=id, select_on_focus=False)

    def watch_value(self) -> None:
        super().watch_value()
        self._changed()

    def watch_selection(self) -> None:
        super().watch_selection()
        self._changed()

    def _changed(self) -> None:
        if not self._pending:
            self._pending = True
            self.call_next(self._settled)

    def _settled(self) -> None:
        self._pending = False
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
