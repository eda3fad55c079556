"""The matrix scrolls just enough to show a row (shared by the view and the benchmark's floor)."""

import pytest

from tui.widgets.matrix_view import scroll_top


@pytest.mark.parametrize(
    "row, top, visible, expected",
    [(5, 0, 10, None), (0, 0, 10, None), (9, 0, 10, None), (10, 0, 10, 1), (3, 5, 10, 3), (500, 20, 8, 493)],
)
def test_scroll_top(row: int, top: int, visible: int, expected: int | None) -> None:
    assert scroll_top(row, top, visible) == expected
