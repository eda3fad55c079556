"""The neighbours panel: what to ask on one line, the rows nearest it below, read in a worker with its progress
shown; a newer question cancels the search still reading."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, ProgressBar, Static

from tui.core.explorer.view import NeighboursPage, NeighboursPanel
from tui.core.texts.shown import printable
from tui.screens.ask import AskScreen
from tui.screens.export_rows import export_rows
from tui.screens.map import MapScreen
from tui.screens.reading import ReadingScreen


class NeighboursScreen(ReadingScreen):
    """Enter in the line asks; in the list, Enter dismisses with the row's ID (the app goes to it), `a` adds
    it to the input (`append`), `m` switches the metric, `k` asks how many, `e` exports, `p` draws the map."""

    DEFAULT_CSS = """
    NeighboursScreen > Vertical { max-width: 120; }
    NeighboursScreen #neighbours-title { height: auto; text-style: bold; }
    NeighboursScreen #neighbours-header { height: 1; color: $text-muted; }
    NeighboursScreen OptionList { height: 1fr; }
    NeighboursScreen #neighbours-keys { height: auto; color: $text-muted; }
    """
    READING = "neighbours.panel.reading"
    BINDINGS = [
        Binding("escape", "dismiss(None)", show=False),
        Binding("a", "append", show=False),
        Binding("m", "metric", show=False),
        Binding("k", "ask_k", show=False),
        Binding("e", "export", show=False),
        Binding("p", "map", show=False),
    ]

    def __init__(self, panel: NeighboursPanel, append: Callable[[int], None]) -> None:
        super().__init__(panel.lang)
        self._panel, self._append = panel, append
        self._metric, self._k = panel.metric, panel.k
        self.page: NeighboursPage | None = None  # the answer on screen

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = self.t("neighbours.panel.title")
            yield Input(self._panel.asked, placeholder=self.t("neighbours.panel.placeholder"), id="neighbours-asked")
            yield Static(id="neighbours-title", markup=False)
            yield Static(id="neighbours-header", markup=False)
            yield OptionList(id="neighbours-list")
            yield ProgressBar(total=100, show_eta=False)
            yield Static(id="said", markup=False)
            yield Static(self.t("neighbours.panel.keys"), id="neighbours-keys", markup=False)

    def on_mount(self) -> None:
        self.ask()

    # -- asking ------------------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.ask()

    def ask(self) -> None:
        """Ask what the line says with the metric and k chosen."""
        text, metric, k = self.query_one(Input).value, self._metric, self._k
        self.read(lambda progress, cancelled: self._panel.ask(text, metric, k, progress, cancelled), self._show)

    def _show(self, page: NeighboursPage) -> None:
        self.page = page
        self.query_one("#neighbours-title", Static).update(Text(page.title))
        self.query_one("#neighbours-header", Static).update(Text(printable(page.header)))
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Text(printable(line)) for line in page.lines])
        options.highlighted = 0 if page.lines else None
        self.say(page.notes)
        options.focus()

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
            self.say(self.t("neighbours.panel.appended", id=chosen))

    def action_metric(self) -> None:
        metrics = self._panel.metrics
        self._metric = metrics[(metrics.index(self._metric) + 1) % len(metrics)]
        self.ask()

    def action_ask_k(self) -> None:
        screen = AskScreen(self.t("neighbours.panel.k_prompt"), self._panel.parse_k, self.lang, value=str(self._k))
        self.app.push_screen(screen, self._new_k)

    def _new_k(self, k: int | None) -> None:
        if k is not None:
            self._k = k
            self.ask()

    def action_export(self) -> None:
        page = self.page
        if page is not None:
            export = lambda path, overwrite: self._panel.export(page, path, overwrite)  # noqa: E731 - the page shown now
            export_rows(self.app, self.lang, self.t("neighbours.panel.export_prompt"), export, self.say)

    def action_map(self) -> None:
        if self.page is not None:
            self.app.push_screen(MapScreen(self._panel.map(self.page)))
