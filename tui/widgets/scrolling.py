"""Scroll arithmetic shared by the matrix and the result: what to scroll to, what the indicator shows."""

from __future__ import annotations


def scroll_top(row: int, top: int, visible: int) -> int | None:
    """The new first visible row that brings `row` on screen with the least scrolling; None if it is there."""
    if row < top:
        return row
    if row >= top + visible:
        return row - visible + 1
    return None


def thumb(visible: int, total: int, top: int) -> range:
    """The indicator lines that stand for the visible part of `total` lines scrolled to `top` (empty:
    everything is visible)."""
    if total <= visible:
        return range(0)
    size = max(1, round(visible * visible / total))
    start = round(top * (visible - size) / (total - visible))
    return range(start, start + size)
