"""The neighbours panel: what to ask on one line, the rows nearest it below, read in a worker with its progress
shown; a newer question cancels the search still reading."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, ProgressBar, Static
from textual.worker import get_current_worker

from tui.core.chunks import Cancelled
from tui.core.messages import MessageError, translate
from tui.core.text import printable
from tui.core.view import NeighboursPage, NeighboursPanel
from tui.screens.ask import AskScreen
from tui.screens.export_rows import export_rows
from tui.screens.map import MapScreen


class NeighboursScreen(ModalScreen[int | None]):
    """Enter in the line asks; in the list, Enter dismisses with the row's ID (the app goes to it), `a` adds
    it to the input (`append`), `m` switches the metric, `k` asks how many, `e` exports, `p` draws the map."""

    DEFAULT_CSS = """
    NeighboursScreen { align: center middle; }
    NeighboursScreen > Vertical { width: 100%; max-width: 120; height: 100%; border: round $accent; background: $panel; }
    NeighboursScreen #neighbours-title { height: auto; text-style: bold; }
    NeighboursScreen #neighbours-header { height: 1; color: $text-muted; }
    NeighboursScreen OptionList { height: 1fr; }
    NeighboursScreen ProgressBar { height: 1; }
    NeighboursScreen .-said { height: auto; }
    NeighboursScreen #neighbours-said.-error { color: $error; }
    NeighboursScreen #neighbours-keys { height: auto; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", show=False),
        Binding("a", "append", show=False),
        Binding("m", "metric", show=False),
        Binding("k", "ask_k", show=False),
        Binding("e", "export", show=False),
        Binding("p", "map", show=False),
    ]

    def __init__(self, panel: NeighboursPanel, append: Callable[[int], None]) -> None:
        super().__init__()
        self._panel, self._append = panel, append
        self._metric, self._k = panel.metric, panel.k
        self.page: NeighboursPage | None = None  # the answer on screen

    def t(self, key: str, **params: object) -> str:
        return translate(self._panel.lang, key, **params)

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = self.t("neighbours.panel.title")
            yield Input(self._panel.asked, placeholder=self.t("neighbours.panel.placeholder"), id="neighbours-asked")
            yield Static(id="neighbours-title", classes="-said", markup=False)
            yield Static(id="neighbours-header", markup=False)
            yield OptionList(id="neighbours-list")
            yield ProgressBar(total=100, show_eta=False, id="neighbours-progress")
            yield Static(id="neighbours-said", classes="-said", markup=False)
            yield Static(self.t("neighbours.panel.keys"), id="neighbours-keys", markup=False)

    def on_mount(self) -> None:
        self.ask()

    # -- asking ------------------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.ask()

    def ask(self) -> None:
        """Ask what the line says with the metric and k chosen, in a worker; the one still reading is cancelled."""
        self.query_one(ProgressBar).update(progress=0)
        self._say(self.t("neighbours.panel.reading", percent=0))
        self._asking(self.query_one(Input).value, self._metric, self._k)

    @work(thread=True, exclusive=True, group="neighbours", exit_on_error=False)
    def _asking(self, text: str, metric: str, k: int) -> None:
        worker = get_current_worker()

        def progress(fraction: float) -> None:
            self.app.call_from_thread(self._progress, fraction)

        try:
            page = self._panel.ask(text, metric, k, progress, lambda: worker.is_cancelled)
        except Cancelled:
            return
        except MessageError as error:
            self.app.call_from_thread(self._say, error.message.render(self._panel.lang), True)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, page)

    def _progress(self, fraction: float) -> None:
        self.query_one(ProgressBar).update(progress=100 * fraction)
        self._say(self.t("neighbours.panel.reading", percent=100 * fraction))

    def _show(self, page: NeighboursPage) -> None:
        self.page = page
        self.query_one("#neighbours-title", Static).update(Text(page.title))
        self.query_one("#neighbours-header", Static).update(Text(printable(page.header)))
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Text(printable(line)) for line in page.lines])
        options.highlighted = 0 if page.lines else None
        self._say(page.notes)
        options.focus()

    def _say(self, text: str, error: bool = False) -> None:
        said = self.query_one("#neighbours-said", Static)
        said.update(Text(printable(text)))
        said.set_class(error, "-error")

    # -- the list's keys ---------------------------------------------------------------------
    def _chosen(self) -> int | None:
        """The ID of the highlighted row, when an answer is on screen."""
        highlighted = self.query_one(OptionList).highlighted
        return None if self.page is None or highlighted is None else self.page.ids[highlighted]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if self.page is not None:
            self.dismiss(self.page.ids[event.option_index])

    def action_append(self) -> None:
        chosen = self._chosen()
        if chosen is not None:
            self._append(chosen)
            self._say(self.t("neighbours.panel.appended", id=chosen))

    def action_metric(self) -> None:
        metrics = self._panel.metrics
        self._metric = metrics[(metrics.index(self._metric) + 1) % len(metrics)]
        self.ask()

    def action_ask_k(self) -> None:
        screen = AskScreen(self.t("neighbours.panel.k_prompt"), self._panel.parse_k, self._panel.lang, value=str(self._k))
        self.app.push_screen(screen, self._new_k)

    def _new_k(self, k: int | None) -> None:
        if k is not None:
            self._k = k
            self.ask()

    def action_export(self) -> None:
        page = self.page
        if page is not None:
            export = lambda path, overwrite: self._panel.export(page, path, overwrite)  # noqa: E731 - the page shown now
            export_rows(self.app, self._panel.lang, self.t("neighbours.panel.export_prompt"), export, self._say)

    def action_map(self) -> None:
        if self.page is not None:
            self.app.push_screen(MapScreen(self._panel.map(self.page)))
