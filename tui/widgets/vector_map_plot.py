"""A 2-D map of rows (`VectorMap`): braille points by plotext, the points it joins by braille lines, and
the labelled rows' tokens written from their point; a looked-up row's label starts with `LOOKED_UP`, any other's with `POINT`, so they read
without colour. Labels never cover each other: at the plot's size, each is placed on the canvas cells it
would take (looked-up rows first), and one that would touch a label already placed, or run past the
canvas, is left out; the plot says how many (`Unlabelled`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.console import RenderResult
from rich.text import Text
from textual.message import Message
from textual_plotext import PlotextPlot

from tui.core.explorer.dialogs import MapPoint, VectorMap

LOOKED_UP = "▶"  # the matrix marks looked-up rows with it too
POINT = "•"
LABEL_ROOM = 0.25  # of the x range, added on the right: the rightmost points' labels are drawn there
Limits = tuple[float, float]


@dataclass(frozen=True)
class Canvas:
    """Where plotext draws the points: its size in cells, and the data limits along each axis."""

    columns: int
    rows: int
    x: Limits
    y: Limits

    def cell(self, x: float, y: float) -> tuple[int, int]:
        """The column from the left and the row from the bottom of a point, as plotext rounds them."""
        return _cell(x, self.x, self.columns), _cell(y, self.y, self.rows)


def _cell(value: float, limits: Limits, cells: int) -> int:
    """plotext's own mapping (`get_matrix_data`): cell centres spread evenly from one limit to the other."""
    return math.floor(round(0.5 + (cells - 1) * (value - limits[0]) / (limits[1] - limits[0]), 8))


def placed(points: tuple[MapPoint, ...], canvas: Canvas) -> list[MapPoint]:
    """The labelled points whose labels fit on `canvas` without touching another's (one blank cell kept
    between two on a row): looked-up rows first, then the others in their order."""
    taken: dict[int, list[range]] = {}
    kept: list[MapPoint] = []
    for point in sorted((point for point in points if point.label), key=lambda point: not point.looked_up):
        column, row = canvas.cell(point.x, point.y)
        cells = range(column, column + 1 + len(point.label))  # the mark and the label
        if cells.stop > canvas.columns or any(cells.start <= other.stop and other.start <= cells.stop for other in taken.get(row, ())):
            continue
        taken.setdefault(row, []).append(cells)
        kept.append(point)
    return kept


def _limits(values: list[float]) -> Limits:
    """The data's range, widened when it is a single value (as plotext widens it)."""
    low, high = min(values, default=0.0), max(values, default=0.0)
    return (low, high) if low != high else (low - 1.0, high + 1.0)


class VectorMapPlot(PlotextPlot):
    """plotext's "clear" theme: the terminal's own colours, set before the labels are drawn (a label takes the
    canvas colour of the moment as its background)."""

    @dataclass
    class Unlabelled(Message):
        """How many labelled points the drawing left without their label, at its size."""

        count: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._pane: VectorMap | None = None
        self._unlabelled = 0

    def on_mount(self) -> None:
        super().on_mount()
        self.theme = "clear"

    def show(self, pane: VectorMap) -> None:
        self._pane = pane
        self.refresh()

    def render(self) -> RenderResult:
        """The points alone first, to learn where plotext puts its canvas at this size; then the labels
        that fit, drawn over them."""
        pane = self._pane
        if pane is None:
            return super().render()
        plot = self.plt
        plot.clear_data()
        plot.theme("clear")
        plot.xlabel(pane.x_title)
        plot.title(pane.y_title)  # above the plot: beside the x title, one of them would not fit a narrow one
        xs, ys = [point.x for point in pane.points], [point.y for point in pane.points]
        low, high = _limits(xs)
        x, y = (low, high + LABEL_ROOM * (high - low)), _limits(ys)
        plot.xlim(*x)
        plot.ylim(*y)
        plot.scatter(xs, ys, marker="braille")
        for start, end in pane.joins:  # a row's two positions
            plot.plot([xs[start], xs[end]], [ys[start], ys[end]], marker="braille")
        columns, rows = _frame(super().render())
        kept = placed(pane.points, Canvas(columns, rows, x, y)) if columns > 0 and rows > 0 else []
        for point in kept:
            mark = LOOKED_UP if point.looked_up else POINT
            plot.text(mark + point.label, point.x, point.y, alignment="left", style="bold" if point.looked_up else None)
        unlabelled = sum(1 for point in pane.points if point.label) - len(kept)
        if unlabelled != self._unlabelled:
            self._unlabelled = unlabelled
            self.post_message(self.Unlabelled(unlabelled))
        return super().render()


def _frame(drawn: RenderResult) -> tuple[int, int]:
    """The canvas's columns and rows inside the frame plotext draws round it (`┌…┐` above, `└…┘` below)."""
    lines = drawn.plain.split("\n") if isinstance(drawn, Text) else []
    top = next((y for y, line in enumerate(lines) if "┌" in line and "┐" in line), None)
    bottom = next((y for y, line in enumerate(lines) if "└" in line and "┘" in line), None)
    if top is None or bottom is None:
        return 0, 0
    return lines[top].index("┐") - lines[top].index("┌") - 1, bottom - top - 1
