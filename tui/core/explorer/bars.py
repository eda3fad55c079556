"""A series of non-negative numbers drawn as plain text with the block characters ▁▂▃▄▅▆▇█: a histogram's
counts or each dimension's magnitude, readable in an 80 × 24 terminal without colour or markup."""

from __future__ import annotations

from collections.abc import Callable, Sequence

BLOCKS = " ▁▂▃▄▅▆▇█"  # a cell filled to 0/8 … 8/8


def bar_chart(values: Sequence[float], height: int = 1, top: float | None = None) -> list[str]:
    """`height` lines, top line first, one column per value: its bar is value / `top` of the full height
    (`top` is the largest value when not given), in eighths of a line. Any value above zero shows at least
    ▁, so a bin holding a single row is not drawn empty; zero, negative and NaN values are blank."""
    if height < 1:
        raise ValueError(f"height must be at least 1, not {height}")
    values = [float(value) for value in values]
    if top is None:
        top = max((value for value in values if value > 0), default=0.0)
    eighths = [_eighths(value, top, height) for value in values]
    return ["".join(BLOCKS[min(8, max(0, filled - 8 * line))] for filled in eighths) for line in reversed(range(height))]


def squeeze(values: Sequence[float], width: int, merge: Callable[[Sequence[float]], float] = max) -> list[float]:
    """`values` in at most `width` columns: consecutive values shared out as evenly as possible and each
    group merged into one (`max`, so a single outlying dimension still stands out; `sum` for counts)."""
    values = [float(value) for value in values]
    if width < 1:
        raise ValueError(f"width must be at least 1, not {width}")
    if len(values) <= width:
        return values
    bounds = [len(values) * column // width for column in range(width + 1)]
    return [merge(values[start:stop]) for start, stop in zip(bounds, bounds[1:])]


def _eighths(value: float, top: float, height: int) -> int:
    if not value > 0 or not top > 0:  # NaN compares False both ways
        return 0
    return max(1, round(min(value, top) / top * height * 8))
