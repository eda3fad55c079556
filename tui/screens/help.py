"""The help panel: every key, from the same list that makes the bindings."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.core.explorer.dialogs import Help
from tui.screens.dialog import DialogScreen


class HelpScreen(DialogScreen[Help]):
    BINDINGS = [Binding("f1,question_mark,escape,q", "close", show=False)]

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, text in self.dialog.keys:
            table.add_row(keys, text)
        with VerticalScroll() as scroll:
            scroll.border_title = self.dialog.title
            scroll.border_subtitle = self.dialog.close
            yield Static(table)
            yield Static(Text(self.dialog.note, style="italic"))
