"""The map: a set of rows on their first two principal axes, over the app."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from tui.core.explorer.dialogs import VectorMap
from tui.core.texts.shown import printable
from tui.screens.dialog import DialogScreen


class MapScreen(DialogScreen[VectorMap]):
    """The plot takes the screen but for the note under it; Esc or q closes."""

    BINDINGS = [Binding("escape,q", "close", show=False)]

    def compose(self) -> ComposeResult:
        from tui.widgets.vector_map_plot import VectorMapPlot  # plotext: loaded when a map is first drawn

        with Vertical() as frame:
            frame.border_title = printable(self.dialog.title)
            yield VectorMapPlot(id="map-plot")
            yield Static(Text(printable(self.dialog.note)), id="map-note")

    def on_mount(self) -> None:
        self.query_one("#map-plot").show(self.dialog)

    def on_vector_map_plot_unlabelled(self, event: Message) -> None:
        """The note says how many labels the plot left out at its size, if any."""
        note = self.dialog.note + (" " + self.dialog.left_out(event.count) if event.count else "")
        self.query_one("#map-note", Static).update(Text(printable(note)))
