"""The looked-up rows' norms and cosines equal torch's pair by pair; all-zero rows are marked, never a
silent NaN or 0; the table is labelled and plain."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from tui.core.meaning.lookup_statistics import UNDEFINED, cosine_table, lookup_statistics


def rows(count: int, dim: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(count, dim, generator=torch.Generator().manual_seed(seed))


def test_norms_and_cosines_equal_torchs_pair_by_pair() -> None:
    vectors = rows(5, 7)
    statistics = lookup_statistics(vectors, [4, 1, 4, 0, 2])
    assert statistics.ids == (4, 1, 4, 0, 2) and statistics.zero_rows == ()
    torch.testing.assert_close(statistics.norms, torch.linalg.vector_norm(vectors, dim=1))
    for i in range(5):
        for j in range(5):
            expected = F.cosine_similarity(vectors[i], vectors[j], dim=0)
            torch.testing.assert_close(statistics.cosine[i, j], expected, atol=1e-6, rtol=0)


def test_an_all_zero_row_has_no_cosine_and_is_marked() -> None:
    vectors = rows(4, 3)
    vectors[2] = 0
    statistics = lookup_statistics(vectors, [7, 8, 0, 9])
    assert statistics.zero_rows == (2,)
    assert statistics.cosine[2].isnan().all() and statistics.cosine[:, 2].isnan().all()
    others = [0, 1, 3]
    assert not statistics.cosine[others][:, others].isnan().any()
    torch.testing.assert_close(statistics.cosine[0, 3], F.cosine_similarity(vectors[0], vectors[3], dim=0), atol=1e-6, rtol=0)
    lines = cosine_table(statistics, ["a", "b", "<pad>", "d"])
    assert lines[3].split()[1:] == ["0"] + [UNDEFINED] * 4
    assert all(line.split()[2 + 2] == UNDEFINED for line in lines[1:])  # label, norm, then the cosine columns


def test_the_table_is_labelled_and_holds_the_numbers() -> None:
    vectors = rows(3, 4, seed=5)
    statistics = lookup_statistics(vectors, [10, 20, 30])
    lines = cosine_table(statistics, ["the", "embedding", "a-very-long-token-label"])
    assert len(lines) == 4
    assert lines[0].split() == ["‖v‖", "the", "embe…", "a-ve…"]
    assert lines[2].startswith("embedding ")
    assert lines[3].startswith("a-very-long…")
    cells = lines[1].split()
    assert cells[0] == "the" and cells[1] == f"{float(statistics.norms[0]):.4g}"
    assert cells[2:] == [f"{value:.2f}" for value in statistics.cosine[0].tolist()]
    assert len({len(line) for line in lines}) == 1


def test_one_row_is_similar_to_itself() -> None:
    statistics = lookup_statistics(rows(1, 3), [5])
    assert math.isclose(float(statistics.cosine[0, 0]), 1.0, abs_tol=1e-6)


def test_ids_labels_and_rows_must_agree() -> None:
    with pytest.raises(ValueError):
        lookup_statistics(rows(3, 2), [1, 2])
    with pytest.raises(ValueError):
        cosine_table(lookup_statistics(rows(2, 2), [1, 2]), ["one"])
