"""One or two lines for messages: what happened, or what was wrong and what is valid."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.core.text import printable


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: auto; max-height: 3; padding: 0 1; }
    StatusLine.-error { color: $error; text-style: bold; }
    """

    def show(self, message: str, error: bool = False) -> None:
        """Errors carry a ✗ so they read as errors without colour; the text is shown literally."""
        self.set_class(error, "-error")
        self.update(Text(("✗ " if error else "") + printable(message)))

    @property
    def text(self) -> str:
        return str(self.content)
