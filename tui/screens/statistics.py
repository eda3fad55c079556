"""The statistics panel: the whole matrix read in a job (its progress shown), then its charts and the
looked-up rows' table; p maps a sample of rows, e exports the looked-up rows."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import ProgressBar, Static

from tui.core.explorer.dialogs import Act, StatisticsPane
from tui.core.texts.shown import printable
from tui.screens.reading import ReadingScreen


class StatisticsScreen(ReadingScreen[StatisticsPane]):
    BINDINGS = [
        Binding("escape,q", "close", show=False),
        Binding("p", "act('map')", show=False),
        Binding("e", "act('export')", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = printable(self.dialog.title)
            with VerticalScroll():
                yield Static(Text(self.dialog.text), id="statistics-page")  # printable already
            yield ProgressBar(total=100, show_eta=False)
            yield Static(id="said", markup=False)
            yield Static(self.dialog.keys, id="statistics-keys", markup=False)

    def shown(self, before: StatisticsPane | None, pane: StatisticsPane) -> None:
        if before is not None and pane.text != before.text:
            self.query_one("#statistics-page", Static).update(Text(pane.text))  # printable already
            self.query_one(VerticalScroll).focus()
        self.said(pane.said)

    def action_act(self, act: str) -> None:
        self.answer(Act(act), close=False)
