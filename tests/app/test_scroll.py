"""The matrix scrolls just enough to show a row (shared by the view and the benchmark's floor); the result
shows where it is scrolled to in its last column."""

import pytest

from tui.widgets.scrolling import scroll_top, thumb


@pytest.mark.parametrize(
    "row, top, visible, expected",
    [(5, 0, 10, None), (0, 0, 10, None), (9, 0, 10, None), (10, 0, 10, 1), (3, 5, 10, 3), (500, 20, 8, 493)],
)
def test_scroll_top(row: int, top: int, visible: int, expected: int | None) -> None:
    assert scroll_top(row, top, visible) == expected


@pytest.mark.parametrize(
    "visible, total, top, expected",
    [
        (4, 4, 0, range(0)),  # everything visible: no thumb
        (4, 3, 0, range(0)),
        (4, 8, 0, range(0, 2)),  # half the lines visible: half the track, at the top
        (4, 8, 4, range(2, 4)),  # scrolled to the end: the thumb ends with the track
        (4, 400, 0, range(0, 1)),  # never less than one line
        (4, 400, 396, range(3, 4)),
        (35, 36, 1, range(1, 35)),
    ],
)
def test_result_thumb(visible: int, total: int, top: int, expected: range) -> None:
    assert thumb(visible, total, top) == expected
