"""One or two lines for messages: what happened, or what was wrong and what is valid."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.core.text import printable


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 2; padding: 0 1; }
    StatusLine.-error { color: $error; text-style: bold; }
    """

    def show(self, message: str, error: bool = False) -> None:
        """Errors carry a ✗ so they read as errors without colour; the text is shown literally.

        A fixed height of two lines: a new message never re-lays out the screen.
        """
        text = ("✗ " if error else "") + printable(message)
        if text == self.text:
            return
        self.set_class(error, "-error")
        self.update(Text(text), layout=False)

    @property
    def text(self) -> str:
        return str(self.content)
