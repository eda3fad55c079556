"""The map's numbers equal an SVD of the centered rows, with a fixed sign; edge cases give zeros, never NaN;
samples are seeded."""

from __future__ import annotations

import pytest
import torch

from tui.core.meaning.projection import project, sample_rows


def rows(count: int, dim: int, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(count, dim, generator=generator) * torch.linspace(3, 0.5, dim) + 1


@pytest.mark.parametrize("count, dim", [(20, 8), (8, 20), (50, 3), (3, 50), (200, 64)])
def test_projection_equals_the_svd_of_the_centered_rows(count: int, dim: int) -> None:
    vectors = rows(count, dim, seed=count * dim)
    projection = project(vectors)
    centered = vectors.double() - vectors.double().mean(0)
    _, singular, right = torch.linalg.svd(centered, full_matrices=False)
    variance = singular.square()
    assert projection.spread == 2
    assert projection.explained == pytest.approx((variance[:2] / variance.sum()).tolist(), rel=1e-9)
    for axis in range(2):
        expected = right[axis]
        expected = expected * expected[expected.abs().argmax()].sign()  # the documented sign rule
        torch.testing.assert_close(projection.axes[axis], expected, rtol=0, atol=1e-8)
        torch.testing.assert_close(projection.coordinates[:, axis], centered @ expected, rtol=0, atol=1e-8)


def test_the_sign_is_fixed_by_the_largest_loading() -> None:
    vectors = rows(30, 5, seed=1)
    projection, mirrored = project(vectors), project(-vectors)
    for axis in range(2):
        loadings = projection.axes[axis]
        assert loadings[loadings.abs().argmax()] > 0
    torch.testing.assert_close(mirrored.axes, projection.axes)
    torch.testing.assert_close(mirrored.coordinates, -projection.coordinates)


def test_one_row_has_no_variance() -> None:
    projection = project(torch.tensor([[0.1, 0.2, 0.3]]))
    assert projection.spread == 0 and projection.explained == (0.0, 0.0)
    assert projection.coordinates.tolist() == [[0.0, 0.0]] and not projection.axes.isnan().any()


def test_identical_rows_have_no_variance() -> None:
    vectors = rows(1, 16, seed=2).repeat(7, 1)
    projection = project(vectors)
    assert projection.spread == 0 and projection.explained == (0.0, 0.0)
    assert not projection.coordinates.any() and not projection.axes.any()


def test_two_rows_lie_on_one_axis() -> None:
    first, second = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([2.0, 0.0, 3.0])
    projection = project(torch.stack([first, second]))
    half = float(torch.linalg.vector_norm(first - second)) / 2
    assert projection.spread == 1 and projection.explained == pytest.approx((1.0, 0.0))
    assert sorted(projection.coordinates[:, 0].tolist()) == pytest.approx([-half, half])
    assert projection.coordinates[:, 1].tolist() == [0.0, 0.0] and not projection.axes[1].any()


def test_dimension_one() -> None:
    projection = project(torch.tensor([[1.0], [2.0], [6.0]]))
    assert projection.spread == 1 and projection.explained == (1.0, 0.0)
    assert projection.axes.tolist() == [[1.0], [0.0]]
    assert projection.coordinates[:, 0].tolist() == pytest.approx([-2.0, -1.0, 3.0])


def test_no_rows() -> None:
    projection = project(torch.empty(0, 4))
    assert projection.coordinates.shape == (0, 2) and projection.spread == 0


def test_a_sample_is_sorted_distinct_and_seeded() -> None:
    sample = sample_rows(1000, 50, seed=7)
    assert len(sample) == 50 and sample == sorted(set(sample)) and 0 <= sample[0] and sample[-1] < 1000
    assert sample_rows(1000, 50, seed=7) == sample
    assert sample_rows(1000, 50, seed=8) != sample


def test_a_sample_as_large_as_the_matrix_is_every_row() -> None:
    assert sample_rows(5, 5, seed=0) == [0, 1, 2, 3, 4]
    assert sample_rows(5, 9, seed=0) == [0, 1, 2, 3, 4]
    assert sample_rows(5, 0, seed=0) == []
    with pytest.raises(ValueError):
        sample_rows(5, -1, seed=0)
