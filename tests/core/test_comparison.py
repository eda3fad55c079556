"""Two matrices compared row by row, against the same measures computed here in plain torch."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from tui.core.jobs import Cancelled
from tui.core.meaning import passes
from tui.core.meaning.comparison import ComparisonError, Side, compare, gather, neighbour_overlap
from tui.core.texts.messages import Message
from tui.core.tokens.alignment import AlignmentError, align


def side(weight: torch.Tensor) -> Side:
    return Side(lambda start, stop: weight[start:stop], weight.shape[0], weight.shape[1])


def pair(rows: int = 40, dim: int = 6, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    a = torch.randn(rows, dim, generator=generator)
    b = a.clone()
    b[3] *= 2
    b[7] += torch.randn(dim, generator=generator)
    b[11] = -b[11]
    return a, b


def test_every_measure_is_what_torch_computes_row_by_row():
    a, b = pair()
    found = compare(side(a), side(b), align(40, 40, None, None))
    assert torch.allclose(found.norm_a, a.norm(dim=1))
    assert torch.allclose(found.norm_b, b.norm(dim=1))
    assert torch.allclose(found.delta, (b - a).norm(dim=1))
    assert torch.allclose(found.relative, (b - a).norm(dim=1) / a.norm(dim=1))
    assert torch.allclose(found.cosine, torch.nn.functional.cosine_similarity(a, b, dim=1), atol=1e-6)
    assert found.equal_rows == 37
    assert found.ranked("cosine")[0] == 11  # turned around: cosine −1
    assert set(found.ranked("delta")[:3].tolist()) == {3, 7, 11}
    assert found.ranked("relative")[0] in (3, 11)  # ‖b − a‖ / ‖a‖ = 1 and 2: 11 first
    assert found.ranked("relative")[0] == 11


def test_the_least_changed_rows_leave_out_the_equal_ones():
    a, b = pair()
    found = compare(side(a), side(b), align(40, 40, None, None))
    changed = found.changed()
    assert sorted(changed.tolist()) == [3, 7, 11]
    assert found.delta[changed[0]] <= found.delta[changed[-1]]


def test_the_histogram_counts_only_the_rows_that_changed():
    """Three rows changed among 40: the 37 equal ones are said in the counts, not drawn as one bar of zeros
    beside which the three would not show."""
    a, b = pair()
    counts, edges = compare(side(a), side(b), align(40, 40, None, None)).histogram(bins=8)
    expected, expected_edges = torch.histogram((b - a).norm(dim=1)[[3, 7, 11]], bins=8)
    assert counts.tolist() == expected.long().tolist() and int(counts.sum()) == 3
    assert torch.allclose(edges, expected_edges)
    assert compare(side(a), side(a.clone()), align(40, 40, None, None)).histogram(bins=8)[0].tolist() == [0] * 8


def layer(weight: torch.Tensor, read: list[int]) -> SimpleNamespace:
    """A `ReadableLayer` over `weight` that counts the rows read."""

    def read_rows(start: int, stop: int) -> torch.Tensor:
        read.append(stop - start)
        return weight[start:stop]

    return SimpleNamespace(spec=SimpleNamespace(vocab_size=weight.shape[0], dim=weight.shape[1]), version=0, decoded=False, read_rows=read_rows)


def test_one_diff_reads_once_without_neighbours_and_ranks_by_neighbours_fewest_kept_first():
    """`passes.diff`, the app's and the CLI's: no rows to ask about is one pass over each matrix; by
    neighbours the rows whose overlap was found, the fewest kept first, ties by ‖b − a‖."""
    a, b = pair()
    read: list[int] = []
    alone = passes.diff(layer(a, read), layer(b, read), (None, None), top=0)
    assert alone.overlaps == {} and sum(read) == 80
    found = passes.diff(layer(a, []), layer(b, []), (None, None), top=3, asked=(20,), k=4)
    assert sorted(found.overlaps) == [3, 7, 11, 20]
    for position, overlap in found.overlaps.items():
        assert overlap.k == 4 and overlap == neighbour_overlap(side(a), side(b), align(40, 40, None, None), [position], 4)[0]
    delta = (b - a).norm(dim=1)
    expected = sorted(found.overlaps, key=lambda p: (found.overlaps[p].kept, -float(delta[p]), p))
    assert found.ranked("neighbours").tolist() == expected
    assert found.ranked("delta")[:3].tolist() == torch.argsort(delta, descending=True, stable=True)[:3].tolist()


def test_rows_are_read_a_chunk_at_a_time_from_both_matrices():
    a, b = pair(rows=5000, dim=2000)
    reads = []

    def reader(weight):
        def read(start, stop):
            reads.append(stop - start)
            return weight[start:stop]

        return read

    found = compare(Side(reader(a), 5000, 2000), Side(reader(b), 5000, 2000), align(5000, 5000, None, None))
    assert max(reads) < 5000 and sum(reads) == 10000
    assert torch.allclose(found.delta, (b - a).norm(dim=1))


def test_a_vocabulary_extended_by_two_chat_tokens_names_exactly_them():
    tokens_a = [f"t{i}" for i in range(30)]
    tokens_b = [*tokens_a, "<|im_start|>", "<|im_end|>"]
    a = torch.randn(30, 4)
    b = torch.cat((a, torch.randn(2, 4)))
    alignment = align(30, 32, tokens_a, tokens_b)
    assert alignment.by == "token"
    assert alignment.only_b == (30, 31) and alignment.only_a == ()
    assert len(alignment.moved) == 0
    assert compare(side(a), side(b), alignment).equal_rows == 30


def test_tokens_whose_id_moved_are_compared_with_their_own_row():
    tokens_a = ["x", "y", "z", "w"]
    tokens_b = ["z", "x", "q", "y"]  # w removed, q added, x y z moved
    a = torch.arange(16.0).reshape(4, 4)
    b = torch.stack((a[2], a[0] * 3, torch.ones(4), a[1]))
    alignment = align(4, 4, tokens_a, tokens_b)
    assert alignment.a_ids.tolist() == [0, 1, 2] and alignment.b_ids.tolist() == [1, 3, 0]
    assert alignment.only_a == (3,) and alignment.only_b == (2,)
    assert alignment.moved.tolist() == [0, 1, 2]
    found = compare(side(a), side(b), alignment)
    assert found.equal.tolist() == [False, True, True]
    assert torch.allclose(found.delta, torch.stack([(b[1] - a[0]).norm(), torch.tensor(0.0), torch.tensor(0.0)]))


def test_gather_reads_runs_and_gives_the_rows_in_the_order_asked():
    weight = torch.arange(20.0).reshape(10, 2)
    reads = []

    def read(start, stop):
        reads.append((start, stop))
        return weight[start:stop]

    rows = gather(read, np.array([7, 2, 3, 8, 2]))
    assert torch.equal(rows, weight[[7, 2, 3, 8, 2]])
    assert sorted(reads) == [(2, 3), (2, 4), (7, 9)]


def test_matrices_that_cannot_be_matched_say_why():
    with pytest.raises(AlignmentError) as unlabelled:
        align(10, 12, None, ["a"] * 12)
    assert unlabelled.value.message.key == "diff.unlabelled_sizes"
    with pytest.raises(AlignmentError) as disjoint:
        align(2, 2, ["a", "b"], ["c", "d"])
    assert disjoint.value.message.key == "diff.nothing_aligned"


def test_different_widths_compare_norms_and_neighbourhoods_only():
    a, b = torch.randn(20, 4), torch.randn(20, 6)
    found = compare(side(a), side(b), align(20, 20, None, None))
    assert found.delta is None and found.equal_rows == 0
    assert torch.allclose(found.norm_b, b.norm(dim=1))
    with pytest.raises(ComparisonError) as refused:
        found.ranked("delta")
    assert refused.value.message.key == "diff.needs_width"
    assert len(found.ranked("norm")) == 20
    with pytest.raises(ComparisonError):
        compare(side(a), side(b), align(20, 20, None, None), procrustes=True)


def test_procrustes_finds_a_rotated_copy_equal():
    a = torch.randn(200, 8, dtype=torch.float64).float()
    rotation, _ = torch.linalg.qr(torch.randn(8, 8, dtype=torch.float64))
    b = a @ rotation.float()
    plain = compare(side(a), side(b), align(200, 200, None, None))
    aligned = compare(side(a), side(b), align(200, 200, None, None), procrustes=True)
    assert float(plain.delta.max()) > 0.5
    assert float(aligned.delta.max()) < 1e-4
    assert aligned.rotation.after < 1e-3 and aligned.rotation.removed > 0.999
    assert torch.allclose(aligned.rotation.matrix, rotation.float(), atol=1e-4)


def knn(weight: torch.Tensor, row: int, k: int) -> list[int]:
    scores = torch.nn.functional.cosine_similarity(weight, weight[row].unsqueeze(0), dim=1)
    scores[row] = -torch.inf
    return scores.topk(k).indices.tolist()


def test_neighbour_overlap_is_the_k_nearest_in_a_and_in_b_compared():
    a = torch.randn(300, 5)
    b = a.clone()
    b[10:40] = torch.randn(30, 5)
    rows = [0, 10, 20, 299]
    reads = []
    found = neighbour_overlap(Side(lambda s, e: reads.append(e - s) or a[s:e], 300, 5), side(b), align(300, 300, None, None), rows, k=6)
    assert sum(reads) == 300 + len(rows)  # one pass for every row asked, and the rows asked
    for overlap, row in zip(found, rows, strict=True):
        in_a, in_b = knn(a, row, 6), knn(b, row, 6)
        assert list(overlap.left) == [n for n in in_a if n not in in_b]
        assert list(overlap.came) == [n for n in in_b if n not in in_a]
        assert overlap.kept == len(set(in_a) & set(in_b))


def test_neighbour_overlap_across_vocabularies_names_rows_by_their_own_ids():
    a = torch.randn(50, 4)
    tokens_a = [f"t{i}" for i in range(50)]
    tokens_b = list(reversed(tokens_a))
    b = a.flip(0)
    found = neighbour_overlap(side(a), side(b), align(50, 50, tokens_a, tokens_b), [5], k=4)
    assert found[0].kept == 4 and found[0].left == () and found[0].came == ()
    assert (found[0].a_id, found[0].b_id) == (5, 44)


def test_equal_means_every_value_the_same_even_where_the_difference_underflows():
    a = torch.randn(6, 5)
    b = a.clone()
    a[1], b[1] = 0.0, torch.tensor([1e-30, 0, 0, 0, 0])  # a difference whose square is 0 in float32
    a[2, 3] = b[2, 3] = torch.inf  # the same infinity: equal, though b − a is NaN there
    a[3, 0], b[3, 0] = torch.inf, -torch.inf
    a[4, 1] = b[4, 1] = torch.nan  # NaN equals nothing
    b[5] = -0.0 * a[5].sign().abs()  # -0.0 == 0.0
    a[5] = 0.0
    found = compare(side(a), side(b), align(6, 6, None, None))
    assert found.equal.tolist() == (a == b).all(dim=1).tolist() == [True, False, True, False, False, True]
    assert float(found.delta[1]) == 0.0  # what float32 says of ‖b − a‖: only the values tell the row changed


def test_cosine_and_delta_match_torch_for_tiny_and_huge_changes_and_zero_rows():
    generator = torch.Generator().manual_seed(3)
    a = torch.randn(64, 300, generator=generator) * 10
    b = a + 1e-4 * torch.randn(64, 300, generator=generator)
    b[:8] = torch.randn(8, 300, generator=generator)
    a[9], b[10] = 0.0, 0.0
    found = compare(side(a), side(b), align(64, 64, None, None))
    expected = torch.nn.functional.cosine_similarity(a.double(), b.double(), dim=1, eps=0).float()
    finite = expected.isfinite()
    assert torch.allclose(found.cosine[finite], expected[finite], atol=1e-6)
    assert found.cosine[9].isnan() and found.cosine[10].isnan()
    assert torch.allclose(found.delta, (b - a).norm(dim=1))


def test_a_layer_compared_is_left_as_it_was():
    a, b = pair()
    before_a, before_b = a.clone(), b.clone()
    compare(side(a), side(b), align(40, 40, None, None))
    neighbour_overlap(side(a), side(b), align(40, 40, None, None), [3, 7], k=5)
    assert torch.equal(a, before_a) and torch.equal(b, before_b)


def test_a_read_that_fails_stops_the_pass_with_its_own_error():
    a, b = pair(rows=5000, dim=2000)

    def read(start, stop):
        if start >= 2000:
            raise ComparisonError(Message("diff.k", {"k": 0, "most": 0}))
        return b[start:stop]

    with pytest.raises(ComparisonError):
        compare(side(a), Side(read, 5000, 2000), align(5000, 5000, None, None))


def test_a_cancelled_pass_stops_between_chunks():
    a, b = pair(rows=5000, dim=2000)
    seen = []
    with pytest.raises(Cancelled):
        compare(side(a), side(b), align(5000, 5000, None, None), progress=seen.append, cancelled=lambda: len(seen) >= 1)
    assert seen and seen[-1] < 1
