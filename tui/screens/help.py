"""The help panel: every key, from the same list that makes the bindings."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.screens.panel import PanelScreen


class HelpScreen(PanelScreen):
    BINDINGS = [Binding("f1,question_mark", "dismiss", show=False)]

    def __init__(self, title: str, close: str, keys: Sequence[tuple[str, str]], note: str) -> None:
        """`keys`: (the keys, what they do); `close` says how to close the panel, `note` ends it."""
        super().__init__()
        self._title, self._close, self._keys, self._note = title, close, keys, note

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, text in self._keys:
            table.add_row(keys, text)
        with VerticalScroll() as scroll:
            scroll.border_title = self._title
            scroll.border_subtitle = self._close
            yield Static(table)
            yield Static(Text(self._note, style="italic"))
