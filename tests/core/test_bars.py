"""Series drawn as block characters: heights in eighths, small values still visible, wide series squeezed."""

from __future__ import annotations

import pytest

from tui.core.explorer.bars import bar_chart, squeeze


def test_one_line_in_eighths_of_the_largest_value() -> None:
    assert bar_chart([0, 1, 2, 4, 8]) == [" ▁▂▄█"]


def test_a_tiny_count_beside_a_large_one_still_shows() -> None:
    assert bar_chart([1000, 1]) == ["█▁"]


def test_several_lines_top_first() -> None:
    assert bar_chart([16, 8, 4], height=2) == ["█  ", "██▄"]


def test_a_given_top_caps_the_bars() -> None:
    assert bar_chart([2, 4, 8], top=4) == ["▄██"]


def test_zero_negative_and_nan_are_blank() -> None:
    assert bar_chart([0, -3, float("nan"), 2]) == ["   █"]
    assert bar_chart([0, 0]) == ["  "]


def test_squeezing_keeps_a_spike_with_max_and_the_total_with_sum() -> None:
    values = [1.0] * 100
    values[37] = 50.0
    squeezed = squeeze(values, 10)
    assert len(squeezed) == 10 and squeezed[3] == 50.0 and squeezed.count(1.0) == 9
    assert sum(squeeze(values, 7, merge=sum)) == sum(values)
    assert squeeze([1, 2], 10) == [1.0, 2.0]


def test_sizes_below_one_are_refused() -> None:
    with pytest.raises(ValueError):
        bar_chart([1], height=0)
    with pytest.raises(ValueError):
        squeeze([1], 0)
