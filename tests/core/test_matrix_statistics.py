"""Statistics of a whole matrix read in chunks equal torch's over the whole matrix at once, whatever the
chunk size; the extremes, the outlying dimensions, NaN rows, progress and cancelling; and MiniLM's real
word embeddings."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors import safe_open

from tui.core.jobs import Cancelled
from tui.core.meaning.matrix_statistics import (
    MatrixStatistics,
    RowNorm,
    matrix_statistics,
    robust_z,
)


def reader(weight: torch.Tensor):
    return lambda start, stop: weight[start:stop].float()


def statistics_of(weight: torch.Tensor, **options: object) -> MatrixStatistics:
    return matrix_statistics(reader(weight), tuple(weight.shape), **options)


def random_matrix(rows: int, dim: int, seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(rows, dim, generator=generator) * 3 + torch.randn(dim, generator=generator)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(1, 40),
    dim=st.integers(1, 6),
    chunk_rows=st.integers(1, 50),
    seed=st.integers(0, 2**16),
)
def test_chunked_statistics_equal_torch_over_the_whole_matrix(rows: int, dim: int, chunk_rows: int, seed: int) -> None:
    weight = random_matrix(rows, dim, seed)
    statistics = statistics_of(weight, chunk_rows=chunk_rows, bins=7)
    torch.testing.assert_close(statistics.norms, torch.linalg.vector_norm(weight, dim=1))
    whole = weight.double()
    torch.testing.assert_close(statistics.mean, whole.mean(0), rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(statistics.std, whole.std(0, correction=0), rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(statistics.magnitude, whole.square().mean(0).sqrt(), rtol=1e-6, atol=1e-6)
    counts, edges = torch.histogram(torch.linalg.vector_norm(weight, dim=1), bins=7)
    assert int(statistics.counts.sum()) == rows and statistics.counts.dtype == torch.int64
    assert statistics.counts.tolist() == counts.long().tolist()
    torch.testing.assert_close(statistics.edges, edges)
    assert statistics.left_out == 0 and statistics.counted == rows


def test_spread_stays_exact_far_from_zero() -> None:
    """Values of about 10⁴ that differ by about 10⁻²: summing squares would cancel; merging deviations does not."""
    weight = (1e4 + random_matrix(5000, 3, seed=1) * 1e-2).float()
    statistics = statistics_of(weight, chunk_rows=333)
    whole = weight.double()
    exact = (whole - whole.mean(0)).square().mean(0).sqrt()  # two passes over the whole matrix, in float64
    torch.testing.assert_close(statistics.std, exact, rtol=1e-6, atol=0)


def test_smallest_and_largest_rows_with_ties_by_id() -> None:
    weight = torch.tensor([[3.0, 4.0], [0.0, 5.0], [1.0, 0.0], [0.0, 1.0], [5.0, 0.0], [0.0, 0.5], [0.0, -1.0]])
    statistics = statistics_of(weight, chunk_rows=2, extremes=3)
    assert statistics.smallest == (RowNorm(5, 0.5), RowNorm(2, 1.0), RowNorm(3, 1.0))
    assert statistics.largest == (RowNorm(0, 5.0), RowNorm(1, 5.0), RowNorm(4, 5.0))


def test_a_dimension_scaled_fifty_times_is_outlying() -> None:
    weight = random_matrix(300, 64, seed=0)
    weight[:, 17] *= 50
    statistics = statistics_of(weight, chunk_rows=7)
    assert statistics.outlying == (17,)
    assert statistics.magnitude_z[17] > 100


def test_a_dimension_with_a_large_mean_is_outlying_and_the_larger_comes_first() -> None:
    weight = torch.randn(500, 32, generator=torch.Generator().manual_seed(3))
    weight[:, 4] += 20  # an offset: large mean, ordinary spread
    weight[:, 9] *= 40  # a spread: zero mean, large standard deviation
    assert statistics_of(weight).outlying == (9, 4)


@pytest.mark.parametrize("seed", range(5))
def test_no_dimension_is_outlying_in_an_isotropic_gaussian_matrix(seed: int) -> None:
    weight = torch.randn(2000, 256, generator=torch.Generator().manual_seed(seed))
    statistics = statistics_of(weight)
    assert statistics.outlying == ()
    assert float(statistics.magnitude_z.abs().max()) < 5  # 4.1 at most over these seeds: the threshold 6 has room


def test_robust_z_when_most_values_are_equal() -> None:
    """MAD is 0 when more than half the values are equal: the mean absolute deviation stands in for it."""
    z = robust_z(torch.tensor([1.0, 1.0, 1.0, 1.0, 51.0], dtype=torch.float64))
    assert z[:4].tolist() == [0.0] * 4 and z[4] == pytest.approx(0.7979 * 50 / 10)
    assert robust_z(torch.full((4,), 2.0)).tolist() == [0.0] * 4


def test_rows_with_nan_or_inf_are_counted_and_left_out() -> None:
    weight = random_matrix(20, 4, seed=2)
    weight[3, 1] = float("nan")
    weight[7] = float("nan")
    weight[11, 0] = float("inf")
    statistics = statistics_of(weight, chunk_rows=6, extremes=20)
    kept = torch.tensor([row for row in range(20) if row not in (3, 7, 11)])
    assert statistics.left_out == 3 and statistics.counted == 17
    assert int(statistics.counts.sum()) == 17
    assert math.isnan(statistics.norms[3]) and math.isnan(statistics.norms[7]) and math.isinf(statistics.norms[11])
    assert sorted(row.id for row in statistics.smallest) == kept.tolist()
    torch.testing.assert_close(statistics.mean, weight[kept].double().mean(0), rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(statistics.std, weight[kept].double().std(0, correction=0), rtol=1e-6, atol=1e-6)


def test_when_no_row_is_counted_the_dimensions_are_nan_and_nothing_is_outlying() -> None:
    statistics = statistics_of(torch.full((3, 2), float("nan")))
    assert statistics.counted == 0 and int(statistics.counts.sum()) == 0
    assert statistics.smallest == () and statistics.largest == () and statistics.outlying == ()
    assert statistics.mean.isnan().all() and statistics.std.isnan().all()


def test_progress_is_told_after_each_chunk_and_reaches_one() -> None:
    told: list[float] = []
    statistics_of(random_matrix(10, 2, seed=0), chunk_rows=4, progress=told.append)
    assert told == [0.4, 0.8, 1.0]


def test_cancelling_stops_before_the_next_chunk() -> None:
    weight = random_matrix(10, 2, seed=0)
    reads: list[int] = []

    def read(start: int, stop: int) -> torch.Tensor:
        reads.append(start)
        return weight[start:stop]

    with pytest.raises(Cancelled):
        matrix_statistics(read, (10, 2), chunk_rows=3, cancelled=lambda: len(reads) == 2)
    assert reads == [0, 3]


def test_a_reader_that_gives_the_wrong_rows_is_refused() -> None:
    weight = random_matrix(10, 2, seed=0)
    with pytest.raises(ValueError, match="read"):
        matrix_statistics(lambda start, stop: weight[start : stop + 1], (10, 2), chunk_rows=4)


def test_minilms_word_embeddings(minilm: Path) -> None:
    """What MiniLM really shows: [MASK] has the smallest norm, and most of the next smallest are [unused…]
    tokens (never trained); two dimensions, 267 and 303, have a magnitude far above the others'."""
    with safe_open(minilm / "model.safetensors", "pt") as file:
        weight = file.get_tensor("embeddings.word_embeddings.weight")
    vocab = (minilm / "vocab.txt").read_text(encoding="utf-8").splitlines()
    statistics = statistics_of(weight, chunk_rows=1000, extremes=10)

    assert weight.shape == (30522, 384) and statistics.left_out == 0
    torch.testing.assert_close(statistics.norms, torch.linalg.vector_norm(weight, dim=1))
    torch.testing.assert_close(statistics.mean, weight.double().mean(0), rtol=1e-6, atol=1e-7)
    torch.testing.assert_close(statistics.std, weight.double().std(0, correction=0), rtol=1e-6, atol=1e-7)
    smallest = [vocab[row.id] for row in statistics.smallest]
    assert smallest[0] == "[MASK]"
    assert sum(token.startswith("[unused") for token in smallest) >= 7
    assert "[CLS]" in [vocab[row.id] for row in statistics.largest]
    assert statistics.outlying[:2] == (267, 303)
    assert all(statistics.magnitude_z[d] > 15 for d in (267, 303))
