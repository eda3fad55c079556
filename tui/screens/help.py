"""The help panel: every key, from the same list that makes the bindings."""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.commands import COMMANDS, OTHER_KEYS
from tui.screens.panel import PanelScreen


class HelpScreen(PanelScreen):
    BINDINGS = [Binding("f1,question_mark", "dismiss", show=False)]

    def __init__(self, translate: Callable[[str], str]) -> None:
        super().__init__()
        self._translate = translate

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for command in COMMANDS:
            table.add_row(command.display, self._translate(command.help))
        for keys, help_key in OTHER_KEYS:
            table.add_row(keys, self._translate(help_key))
        with VerticalScroll() as scroll:
            scroll.border_title = self._translate("help.title")
            scroll.border_subtitle = self._translate("help.close")
            yield Static(table)
            yield Static(Text(self._translate("help.letters"), style="italic"))
