"""A computation worked out in torch, shown as code and what torch printed (the one-hot comparison)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.core.text import printable
from tui.screens.panel import PanelScreen


class ReportScreen(PanelScreen):
    BINDINGS = [Binding("enter", "dismiss", show=False)]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self._title = title
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = self._title
            yield Static(Text("\n".join(printable(line) for line in self.text.splitlines()), no_wrap=True))
