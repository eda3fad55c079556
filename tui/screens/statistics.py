"""The statistics panel: the whole matrix read in a worker (its progress shown), then its charts and the
looked-up rows' table; a sample of rows on the map, the looked-up rows exported."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import ProgressBar, Static
from textual.worker import get_current_worker

from tui.core.chunks import Cancelled
from tui.core.messages import MessageError, translate
from tui.core.text import printable
from tui.core.view import StatisticsPanel
from tui.screens.export_rows import export_rows
from tui.screens.map import MapScreen


class StatisticsScreen(ModalScreen[None]):
    """p draws the map of a sample of rows, e exports the looked-up rows; Esc (or q) closes and cancels the
    pass still reading."""

    DEFAULT_CSS = """
    StatisticsScreen { align: center middle; }
    StatisticsScreen > Vertical { width: 100%; max-width: 100; height: 100%; border: round $accent; background: $panel; }
    StatisticsScreen VerticalScroll { height: 1fr; }
    StatisticsScreen ProgressBar { height: 1; }
    StatisticsScreen #statistics-said { height: auto; }
    StatisticsScreen #statistics-said.-error { color: $error; }
    StatisticsScreen #statistics-keys { height: auto; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape,q", "dismiss(None)", show=False),
        Binding("p", "map", show=False),
        Binding("e", "export", show=False),
    ]

    def __init__(self, panel: StatisticsPanel) -> None:
        super().__init__()
        self._panel = panel

    def t(self, key: str, **params: object) -> str:
        return translate(self._panel.lang, key, **params)

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = printable(self._panel.title)
            with VerticalScroll():
                yield Static(id="statistics-page", markup=False)
            yield ProgressBar(total=100, show_eta=False)
            yield Static(id="statistics-said", markup=False)
            yield Static(self.t("stats.keys"), id="statistics-keys", markup=False)

    def on_mount(self) -> None:
        self._say(self.t("stats.working", percent=0))
        self._compute()

    @work(thread=True, exclusive=True, group="statistics", exit_on_error=False)
    def _compute(self) -> None:
        worker = get_current_worker()
        try:
            text = self._panel.compute(lambda fraction: self.app.call_from_thread(self._progress, fraction), lambda: worker.is_cancelled)
        except Cancelled:
            return
        except MessageError as error:
            self.app.call_from_thread(self._say, error.message.render(self._panel.lang), True)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, text)

    def _progress(self, fraction: float) -> None:
        self.query_one(ProgressBar).update(progress=100 * fraction)
        self._say(self.t("stats.working", percent=100 * fraction))

    def _show(self, text: str) -> None:
        self.query_one("#statistics-page", Static).update(Text(text))  # printable already
        self.query_one(ProgressBar).display = False
        self._say("")
        self.query_one(VerticalScroll).focus()

    def _say(self, text: str, error: bool = False) -> None:
        said = self.query_one("#statistics-said", Static)
        said.update(Text(printable(text)))
        said.set_class(error, "-error")

    def action_dismiss(self, result: None = None) -> None:
        self.workers.cancel_group(self, "statistics")
        self.dismiss(result)

    def action_map(self) -> None:
        self.app.push_screen(MapScreen(self._panel.map()))

    def action_export(self) -> None:
        export_rows(self.app, self._panel.lang, self.t("stats.export_prompt"), self._panel.export, self._say)
