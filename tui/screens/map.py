"""The map: a set of rows on their first two principal axes, over the app."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.core.explorer.view import VectorMap
from tui.core.texts.shown import printable


class MapScreen(ModalScreen[None]):
    """The plot takes the screen but for the note under it; Esc or q closes."""

    DEFAULT_CSS = """
    MapScreen > Vertical { border: round $accent; background: $panel; }
    MapScreen #map-note { height: auto; color: $text-muted; }
    """
    BINDINGS = [Binding("escape,q", "dismiss", show=False)]

    def __init__(self, pane: VectorMap) -> None:
        super().__init__()
        self._pane = pane

    def compose(self) -> ComposeResult:
        from tui.widgets.vector_map_plot import (
            VectorMapPlot,  # plotext: loaded when a map is first drawn
        )

        with Vertical() as frame:
            frame.border_title = printable(self._pane.title)
            yield VectorMapPlot(id="map-plot")
            yield Static(Text(printable(self._pane.note)), id="map-note")

    def on_mount(self) -> None:
        self.query_one("#map-plot").show(self._pane)
