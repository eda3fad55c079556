"""Something that needs reading, over the app, which stays as it was: a refusal (a file that could not be
opened, torch's own words as a lesson), or a computation's report (code and what torch printed)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.core.text import printable
from tui.screens.panel import PanelScreen


class MessageScreen(PanelScreen):
    BINDINGS = [Binding("enter", "dismiss", show=False)]

    def __init__(self, title: str, message: str, *, error: bool = True) -> None:
        """`error`: one paragraph marked ✗; else lines kept as they are (a report)."""
        super().__init__()
        self._title, self._error = title, error
        self.message = message

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = self._title
            if self._error:
                yield Static(Text("✗ " + printable(self.message)))
            else:
                yield Static(Text("\n".join(printable(line) for line in self.message.splitlines())))
