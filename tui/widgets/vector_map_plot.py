"""A 2-D map of rows (`VectorMap`): braille points, and the labelled rows' tokens drawn from their point,
by plotext; a looked-up row starts with `LOOKED_UP`, any other labelled one with `POINT`, so they read
without colour."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from tui.core.explorer.dialogs import VectorMap

LOOKED_UP = "▶"  # the matrix marks looked-up rows with it too
POINT = "•"
LABEL_ROOM = 0.25  # of the x range, added on the right: the rightmost points' labels are drawn there


class VectorMapPlot(PlotextPlot):
    """plotext's "clear" theme: the terminal's own colours, set before the labels are drawn (a label takes the
    canvas colour of the moment as its background)."""

    def on_mount(self) -> None:
        super().on_mount()
        self.theme = "clear"

    def show(self, pane: VectorMap) -> None:
        plot = self.plt
        plot.clear_data()
        plot.theme("clear")
        plot.xlabel(pane.x_title)
        plot.ylabel(pane.y_title)
        xs = [point.x for point in pane.points]
        plot.scatter(xs, [point.y for point in pane.points], marker="braille")
        if xs:
            low, high = min(xs), max(xs)
            plot.xlim(low, high + LABEL_ROOM * ((high - low) or 1.0))
        for point in pane.points:
            if point.label:
                mark = LOOKED_UP if point.looked_up else POINT
                plot.text(mark + point.label, point.x, point.y, alignment="left", style="bold" if point.looked_up else None)
        self.refresh()
