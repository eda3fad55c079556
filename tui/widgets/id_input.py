"""The token-ID input (or text, in text mode)."""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding

from tui.core.explorer.view import InputPane
from tui.widgets.textual_internals import TextLineInput


class IdInput(TextLineInput):
    """Calls `edited(value, cursor)` once per key, with the text and the cursor both as the key left them,
    within the key's own handling: the key and what it looks up are painted in the same frame.

    Every edit of Input's text (typing, deleting, pasting) goes through `Input.replace`, which changes the
    text and then the cursor: one call after both. A cursor move alone, or a text set from outside,
    makes its own call. A burst of keys (`tui.bursts`) goes in as one edit. A change refused for the length calls `too_long`.
    """

    BINDINGS = [Binding("escape", "clear_all", show=False)]

    _quiet = False  # inside an edit, or showing the explorer's own text: no call for each change

    def __init__(
        self,
        edited: Callable[[str, int], None],
        too_long: Callable[[], None],
        value: str,
        placeholder: str,
        *,
        max_length: int,
        id: str | None = None,
    ) -> None:
        self._edited, self._too_long = edited, too_long
        super().__init__(value, placeholder, id=id, select_on_focus=False, max_length=max_length)

    def replace(self, text: str, start: int, end: int) -> None:
        self._quiet = True
        try:
            super().replace(text, start, end)
        finally:
            self._quiet = False
        self._call()

    def action_clear_all(self) -> None:
        """Esc: the whole line goes, as one edit."""
        self.replace("", 0, len(self.value))

    def restricted(self) -> None:
        self._too_long()

    def watch_value(self) -> None:
        super().watch_value()
        if self.is_mounted and not self._quiet:
            self._call()

    def watch_selection(self) -> None:
        super().watch_selection()
        if self.is_mounted and not self._quiet:
            self._call()

    def _call(self) -> None:
        self._edited(self.value, self.cursor_position)

    def show(self, pane: InputPane) -> None:
        """The explorer's text (which it may have changed: pasted line breaks, the other mode), its labels."""
        if self.border_title != pane.title:
            self.border_title = pane.title
        if self.placeholder != pane.placeholder:
            self.placeholder = pane.placeholder
        if self.value != pane.value:
            self._quiet = True  # the explorer has this text already
            try:
                self.value = pane.value
                self.cursor_position = pane.cursor
            finally:
                self._quiet = False
