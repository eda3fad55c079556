"""The map's labels never cover each other: each is drawn whole or left out, and the note says how many
were left out (MiniLM's king - man + woman at 80×24, where `monarchs` would run into `monarch`); both axes
say their share of the variance, at 60×20 too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.app.conftest import running, screen_text, until
from tests.app.test_meaning_app import answered, minilm_app, neighbours
from tui.core.explorer.dialogs import MapPoint
from tui.screens.map import MapScreen
from tui.widgets.vector_map_plot import LOOKED_UP, POINT, Canvas, VectorMapPlot, placed


def test_a_label_that_would_touch_another_is_left_out_and_looked_up_rows_go_first() -> None:
    canvas = Canvas(columns=40, rows=10, x=(0.0, 39.0), y=(0.0, 9.0))  # a cell per unit
    points = (
        MapPoint(10, 5, "monarch", False),
        MapPoint(14, 5, "monarchs", False),  # would run over monarch
        MapPoint(12, 5, "king", True),  # looked up: placed first, so monarch is the one left out
        MapPoint(25, 5, "queen", False),  # one blank cell after king's would not touch: kept
        MapPoint(10, 6, "royal", False),  # the row above: kept
        MapPoint(36, 2, "throne", False),  # would run past the canvas
        MapPoint(1, 1, "", False),  # no label
    )
    assert [point.label for point in placed(points, canvas)] == ["king", "queen", "royal"]


def test_labels_next_to_each_other_keep_a_blank_cell() -> None:
    canvas = Canvas(columns=40, rows=3, x=(0.0, 39.0), y=(0.0, 2.0))
    touching = (MapPoint(0, 1, "abc", False), MapPoint(4, 1, "def", False))  # •abc ends at column 3
    apart = (MapPoint(0, 1, "abc", False), MapPoint(5, 1, "def", False))
    assert len(placed(touching, canvas)) == 1 and len(placed(apart, canvas)) == 2


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (100, 30)])
async def test_every_label_on_the_map_is_whole_or_counted_as_left_out(minilm: Path, size: tuple[int, int]) -> None:
    app = minilm_app(minilm, ids="2332")
    async with running(app, size=size) as pilot:
        screen = await neighbours(pilot)
        await pilot.press("shift+tab", "ctrl+u")
        await answered(pilot, screen, *"king - man + woman", "enter")
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, MapScreen))
        await until(pilot, lambda: "left out" in screen_text(app))  # at these sizes, some would cover another
        text = app.screen.query_one(VectorMapPlot).render().plain  # the plot's own lines, every cell
        labels = [(LOOKED_UP if point.looked_up else POINT) + point.label for point in app.screen.dialog.points if point.label]
        drawn = [label for label in labels if re.search(rf"{re.escape(label)}(?![\w#])", text)]
        said = re.search(r"(\d+) labels? left out", str(app.screen.query_one("#map-note", Static).content))
        assert len(labels) - len(drawn) == (int(said.group(1)) if said else 0), (labels, drawn, text)
        assert all(label in drawn for label in labels if label.startswith(LOOKED_UP))  # the input's rows always
        marks = re.findall(rf"[{LOOKED_UP}{POINT}]\S+", text)
        assert all(mark in labels for mark in marks), (marks, labels)  # nothing run together
        assert app.screen.dialog.x_title in screen_text(app) and app.screen.dialog.y_title in screen_text(app)  # each axis's share


async def test_points_joined_are_drawn_with_a_line_between_them() -> None:
    from textual.app import App, ComposeResult

    from tui.core.explorer.dialogs import VectorMap

    class Plot(App):
        def compose(self) -> ComposeResult:
            yield VectorMapPlot()

    points = (MapPoint(0.0, 0.0, "", False), MapPoint(10.0, 10.0, "", True))  # a row at A and at B

    def dots(text: str) -> int:
        return sum(1 for character in text if "\u2800" < character <= "\u28ff")  # braille cells with a dot

    async with Plot().run_test(size=(60, 20)) as pilot:
        plot = pilot.app.query_one(VectorMapPlot)
        drawn = []
        for joins in ((), ((0, 1),)):
            plot.show(VectorMap("map", "x", "y", points, "", str, joins))
            await pilot.pause()
            drawn.append(dots(plot.render().plain))
        assert drawn[0] == 2 and drawn[1] > 10  # two points; then the cells between them too
