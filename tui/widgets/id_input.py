"""The token-ID input (or text, in text mode)."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import events
from textual.timer import Timer

from tui.core.view import InputPane
from tui.widgets.textual_internals import TextLineInput

BURST_GAP = 0.01  # seconds: keys closer than this come from a paste, not from a person typing
FRAME = 1 / 60  # in a burst, the keys gathered go in once per frame


class IdInput(TextLineInput):
    """Calls `edited(value, cursor)` once per key, with the text and the cursor both as the key left them,
    within the key's own handling: the key and what it looks up are painted in the same frame.

    Every edit of Input's text (typing, deleting, pasting) goes through `Input.replace`, which changes the
    text and then the cursor: one call after both. A cursor move alone, or a text set from outside,
    makes its own call. Characters that arrive faster than anyone types (a paste without bracketed paste)
    are gathered and go in once per frame, as one edit: Input redoes its whole text for each key, and the
    explorer looks all of it up, so one edit per character would cost the square of the text's length.
    A change refused for the length calls `too_long`.
    """

    _quiet = False  # inside an edit, or showing the explorer's own text: no call for each change
    _last_key = 0.0
    _flush_due: Timer | None = None

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
        self._gathered: list[str] = []  # characters of a burst, not in the text yet
        super().__init__(value, placeholder, id=id, select_on_focus=False, max_length=max_length)

    def gather(self, event: events.Key) -> bool:
        """Take a character of a burst, to type it with the others once per frame: True when taken. Any
        other key first lets the gathered characters in, so the order stays as it was typed. The app hands
        each key here before its own handling of it (bindings, forwarding to the focused widget), which
        a burst of thousands would otherwise wait on."""
        now = time.monotonic()
        burst, self._last_key = now - self._last_key < BURST_GAP, now
        if event.is_printable and (burst or self._gathered):
            self._gathered.append(event.character)
            if self._flush_due is None:
                self._flush_due = self.set_timer(FRAME, self._flush)
            return True
        if self._gathered:
            self._flush()
        return False

    def _flush(self) -> None:
        if self._flush_due is not None:
            self._flush_due.stop()
            self._flush_due = None
        text, self._gathered = "".join(self._gathered), []
        if text:
            self.insert_text_at_cursor(text)

    def replace(self, text: str, start: int, end: int) -> None:
        self._quiet = True
        try:
            super().replace(text, start, end)
        finally:
            self._quiet = False
        self._call()

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
