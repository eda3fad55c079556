"""The statistics panel: the whole matrix read in a worker (its progress shown), then its charts and the
looked-up rows' table; a sample of rows on the map, the looked-up rows exported."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import ProgressBar, Static

from tui.core.explorer.view import StatisticsPanel
from tui.core.texts.shown import printable
from tui.screens.export_rows import export_rows
from tui.screens.map import MapScreen
from tui.screens.reading import ReadingScreen


class StatisticsScreen(ReadingScreen):
    """p draws the map of a sample of rows, e exports the looked-up rows; Esc (or q) closes (Textual cancels
    the pass still reading as the screen goes)."""

    DEFAULT_CSS = """
    StatisticsScreen > Vertical { max-width: 100; }
    StatisticsScreen VerticalScroll { height: 1fr; }
    StatisticsScreen #statistics-keys { height: auto; color: $text-muted; }
    """
    READING = "stats.working"
    BINDINGS = [
        Binding("escape,q", "dismiss(None)", show=False),
        Binding("p", "map", show=False),
        Binding("e", "export", show=False),
    ]

    def __init__(self, panel: StatisticsPanel) -> None:
        super().__init__(panel.lang)
        self._panel = panel

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = printable(self._panel.title)
            with VerticalScroll():
                yield Static(id="statistics-page", markup=False)
            yield ProgressBar(total=100, show_eta=False)
            yield Static(id="said", markup=False)
            yield Static(self.t("stats.keys"), id="statistics-keys", markup=False)

    def on_mount(self) -> None:
        self.read(self._panel.compute, self._show)

    def _show(self, text: str) -> None:
        self.query_one("#statistics-page", Static).update(Text(text))  # printable already
        self.say("")
        self.query_one(VerticalScroll).focus()

    def action_map(self) -> None:
        self.app.push_screen(MapScreen(self._panel.map()))

    def action_export(self) -> None:
        export_rows(self.app, self.lang, self.t("stats.export_prompt"), self._panel.export, self.say)
