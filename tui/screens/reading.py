"""A panel whose answers come from a pass over the whole matrix, run in a job: its progress shown in a bar
and what it says in a line (`#said`). The neighbours, the statistics and the diff panels are three."""

from __future__ import annotations

from typing import TypeVar

from rich.text import Text
from textual.widgets import ProgressBar, Static

from tui.core.explorer.dialogs import DiffPane, NeighboursPane, Said, StatisticsPane
from tui.screens.dialog import PanelScreen

P = TypeVar("P", NeighboursPane, StatisticsPane, DiffPane)


class ReadingScreen(PanelScreen[P]):
    """Subclasses compose a `ProgressBar` and a `Static` with the id `said`."""

    def said(self, said: Said) -> None:
        """The bar while a pass reads, then the line: how far it got, what was written, what went wrong."""
        bar = self.query_one(ProgressBar)
        bar.display = said.progress is not None
        if said.progress is not None:
            bar.update(progress=100 * said.progress)
        line = self.query_one("#said", Static)
        line.update(Text(said.text))  # printable already
        line.set_class(said.error, "-said-error")
