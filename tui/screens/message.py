"""A message that needs reading (a file that could not be opened): over the app, which stays as it was."""

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

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self._title = title
        self.message = message

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = self._title
            yield Static(Text("✗ " + printable(self.message)))
