"""Nearest neighbours and word arithmetic: the chunked search against torch's own full computation, real
MiniLM vectors, ties, bad input, progress, cancellation and the kept norms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from gguf import GGMLQuantizationType
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors import safe_open

from tests.depth import examples
from tui.core.chapter.quantized_session import QuantizedSession
from tui.core.chapter.session import EmbeddingSession
from tui.core.chapter.spec import LayerSpec
from tui.core.files.weights import open_weights
from tui.core.jobs import Cancelled
from tui.core.meaning.neighbours import BOUNDED_CHUNKS, Neighbours, NeighboursError, RowIndex
from tui.core.meaning.word_arithmetic import Term, parse_expression, resolve, resolve_word
from tui.core.tokens.tokenizer import hugging_face

from .test_gguf import quantized_file


def index_of(weight: torch.Tensor, chunk_rows: int | None = None) -> RowIndex:
    return RowIndex(lambda start, stop: weight[start:stop], tuple(weight.shape), chunk_rows)


def torch_scores(weight: torch.Tensor, query: torch.Tensor, metric: str) -> torch.Tensor:
    """The whole matrix at once, by torch's own functions: cosine similarities, or Euclidean distances."""
    weight, query = weight.float(), query.float()
    if metric == "cosine":
        return torch.nn.functional.cosine_similarity(weight, query[None], dim=1)
    return torch.cdist(query[None], weight, compute_mode="donot_use_mm_for_euclid_dist")[0]


def assert_matches_torch(found: Neighbours, weight: torch.Tensor, query: torch.Tensor, exclude: tuple[int, ...]) -> None:
    """Our k best are torch's k best: the same scores, best first, and each ID's score is torch's for it
    (IDs themselves may only differ between rows torch scores within rounding of each other)."""
    scores = torch_scores(weight, query, found.metric)
    descending = found.metric == "cosine"
    scores[list(exclude)] = -torch.inf if descending else torch.inf
    best = scores.sort(descending=descending).values[: found.k]
    ids = torch.tensor([n.token_id for n in found.found])
    ours = torch.tensor([n.score for n in found.found])
    assert len(found.found) == found.k and not set(exclude) & set(ids.tolist())
    assert torch.allclose(ours, best, rtol=1e-4, atol=1e-5)
    assert torch.allclose(ours, scores[ids], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "rows, dim, chunk_rows, metric",
    [(6, 3, 4, "cosine"), (6, 3, 4, "euclidean"), (1000, 16, 64, "cosine"), (1000, 16, 64, "euclidean"), (50257, 768, None, "cosine")],
)  # GPT-2's size once, with the default chunks: the metrics' code does not depend on the size
def test_seeded_layers_match_torch_over_the_whole_matrix(metric: str, rows: int, dim: int, chunk_rows: int | None) -> None:
    torch.manual_seed(123)
    weight = torch.nn.Embedding(rows, dim).weight.detach()
    index = index_of(weight, chunk_rows)
    for token_id in (0, rows // 2, rows - 1):
        k = min(10, rows - 1)
        found = index.nearest_to_row(token_id, k, metric)
        assert_matches_torch(found, weight, weight[token_id], (token_id,))
    assert (found.nonfinite_rows, found.zero_rows) == (0, 0)


@pytest.fixture(scope="module")
def minilm_weight(minilm: Path) -> torch.Tensor:
    with safe_open(minilm / "model.safetensors", "pt") as file:
        return file.get_tensor("embeddings.word_embeddings.weight")


@pytest.fixture(scope="module")
def minilm_tokenizer(minilm: Path):
    return hugging_face(minilm / "tokenizer.json")


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_minilm_word_embeddings_match_torch(minilm_weight: torch.Tensor, minilm_tokenizer, metric: str) -> None:
    index = index_of(minilm_weight)
    for word in ("dog", "house", "the"):
        token_id = minilm_tokenizer.vocab.find(word)
        assert_matches_torch(index.nearest_to_row(token_id, 10, metric), minilm_weight, minilm_weight[token_id], (token_id,))


def test_minilm_neighbours_are_what_a_reader_expects(minilm_weight: torch.Tensor, minilm_tokenizer) -> None:
    """A word's plural and inflections come first in MiniLM's own vectors, by either metric."""
    vocab, index = minilm_tokenizer.vocab, index_of(minilm_weight)

    def labels(word: str, metric: str, k: int = 8) -> list[str]:
        return [vocab.label(n.token_id) for n in index.nearest_to_row(vocab.find(word), k, metric).found]

    for metric in ("cosine", "euclidean"):
        assert labels("dog", metric)[:2] == ["dogs", "canine"]
        assert labels("city", metric)[0] == "cities"
        assert {"runs", "running", "ran"} == set(labels("run", metric)[:3])
        assert labels("king", metric)[:2] == ["kings", "queen"]
    assert "puppy" in labels("dog", "cosine") and "french" == labels("france", "cosine")[0]


def test_king_minus_man_plus_woman_is_queen_in_minilm(minilm_weight: torch.Tensor, minilm_tokenizer) -> None:
    vocab, index = minilm_tokenizer.vocab, index_of(minilm_weight)
    resolved = resolve(parse_expression("king - man + woman"), len(minilm_weight), vocab.find, minilm_tokenizer)
    assert resolved.ids == (vocab.find("king"), vocab.find("man"), vocab.find("woman")) == (2332, 2158, 2450)
    query = resolved.vector(lambda start, stop: minilm_weight[start:stop])
    assert torch.equal(query, minilm_weight[2332] - minilm_weight[2158] + minilm_weight[2450])
    found = index.nearest(query, 10, "cosine", resolved.ids)
    names = [vocab.label(n.token_id) for n in found.found]
    assert names[:2] == ["queen", "kings"] and "princess" in names
    assert not {"king", "man", "woman"} & set(names)  # the terms are excluded; without that, king is first
    assert vocab.label(index.nearest(query, 1, "cosine").found[0].token_id) == "king"
    assert_matches_torch(found, minilm_weight, query, resolved.ids)
    rome = resolve(parse_expression("paris - france + italy"), len(minilm_weight), vocab.find, minilm_tokenizer)
    assert "rome" in [vocab.label(n.token_id) for n in index.nearest(rome.vector(lambda a, b: minilm_weight[a:b]), 5, "cosine", rome.ids).found]


def test_words_that_are_no_single_token_are_refused_clearly(minilm_tokenizer) -> None:
    vocab = minilm_tokenizer.vocab
    with pytest.raises(NeighboursError) as refused:
        resolve_word("unbelievableness", 30522, vocab.find, minilm_tokenizer)
    assert refused.value.message.english() == (
        "'unbelievableness' is not one token: the tokenizer makes it 2 tokens (unbelievable · ness). Use a single token, or its ID."
    )
    with pytest.raises(NeighboursError, match="'🦜' is not in the vocabulary"):  # one token: [UNK]
        resolve_word("🦜", 30522, vocab.find, minilm_tokenizer)
    with pytest.raises(NeighboursError, match="'dog' is a word, and there is no vocabulary"):
        resolve_word("dog", 30522, None)
    assert resolve_word("Dogs", 30522, vocab.find, minilm_tokenizer) == vocab.find("dogs")  # uncased: found folded
    assert resolve_word("2332", 30522, vocab.find) == 2332  # a bare integer is an ID
    with pytest.raises(NeighboursError, match="Token ID 30522 has no row: valid IDs are 0..30521"):
        resolve_word("30522", 30522, vocab.find)


@pytest.mark.parametrize(
    "text, terms",
    [
        ("king - man + woman", ((1, "king"), (-1, "man"), (1, "woman"))),
        ("king -man +woman", ((1, "king"), (-1, "man"), (1, "woman"))),
        ("- 12 + well-known", ((-1, "12"), (1, "well-known"))),
        ("king − man", ((1, "king"), (-1, "man"))),
    ],
)
def test_expressions_parse_into_signed_terms(text: str, terms: tuple[tuple[int, str], ...]) -> None:
    assert parse_expression(text) == tuple(Term(sign, word) for sign, word in terms)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "The expression is empty"),
        ("king man", "'king' and 'man' need a + or - between them."),
        ("king - - man", "'king - - man' has two operators in a row"),
        ("king -", "'king -' ends with an operator"),
    ],
)
def test_malformed_expressions_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(NeighboursError) as refused:
        parse_expression(text)
    assert message in refused.value.message.english()


@given(text=st.text(alphabet="ab12+-− ", max_size=12))
def test_any_expression_parses_or_is_refused_with_our_error(text: str) -> None:
    try:
        terms = parse_expression(text)
    except NeighboursError:
        return
    assert terms and all(term.word and term.sign in (1, -1) for term in terms)


def duplicated() -> torch.Tensor:
    """Rows 0, 2 and 3 equal; 1 and 4 equal: integer values, so every score is exact and ties are real."""
    return torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [3.0, 4.0]])


@pytest.mark.parametrize("metric, expected", [("cosine", [2, 3, 5, 1, 4]), ("euclidean", [2, 3, 1, 4, 5])])
def test_ties_go_to_the_lower_token_id(metric: str, expected: list[int]) -> None:
    for chunk_rows in (1, 2, 4, 6):
        found = index_of(duplicated(), chunk_rows).nearest_to_row(0, 5, metric)
        assert [n.token_id for n in found.found] == expected


@settings(max_examples=40, deadline=None)
@given(chunk_rows=st.integers(1, 40), k=st.integers(1, 36), row=st.integers(0, 36), metric=st.sampled_from(["cosine", "euclidean"]))
def test_any_chunk_size_gives_the_same_answer(chunk_rows: int, k: int, row: int, metric: str) -> None:
    weight = torch.Generator().manual_seed(7)
    weight = torch.randint(-3, 4, (37, 5), generator=weight).float()  # small integers: many exact ties
    weight[0] = 1  # no all-zero row, so cosine can rank every row
    weight[weight.abs().sum(dim=1) == 0] = 1
    whole = index_of(weight, 37).nearest_to_row(row, k, metric)
    assert index_of(weight, chunk_rows).nearest_to_row(row, k, metric) == whole
    keys = torch_scores(weight, weight[row], metric).double()
    expected = sorted((i for i in range(37) if i != row), key=lambda i: (-keys[i] if metric == "cosine" else keys[i], i))
    scores = dict(enumerate(keys.tolist()))
    assert [round(scores[n.token_id], 5) for n in whole.found] == [round(scores[i], 5) for i in expected[:k]]


def test_nan_and_zero_rows_are_never_neighbours_and_are_counted() -> None:
    weight = torch.tensor([[1.0, 0.0], [float("nan"), 1.0], [0.0, 0.0], [2.0, 1.0], [0.0, 0.0], [1.0, float("inf")], [0.5, 0.5]])
    cosine = index_of(weight, 3).nearest_to_row(0, 3, "cosine")
    assert [n.token_id for n in cosine.found] == [3, 6]  # fewer than k: only two rows have a cosine
    assert (cosine.nonfinite_rows, cosine.zero_rows) == (2, 2)
    assert [m.english() for m in cosine.notes()] == [
        "2 rows hold NaN or infinite values: skipped, they are never neighbours.",
        "2 rows are all zeros: skipped, their cosine similarity is undefined (0/0).",
    ]
    euclidean = index_of(weight, 3).nearest_to_row(0, 4, "euclidean")  # a zero row has a distance
    assert [n.token_id for n in euclidean.found] == [6, 2, 4, 3] and (euclidean.nonfinite_rows, euclidean.zero_rows) == (2, 0)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda index: index.nearest_to_row(0, 0), "k must be a whole number from 1 to 5 (the 6 rows, 1 of them excluded); got 0."),
        (lambda index: index.nearest_to_row(0, 6), "k must be a whole number from 1 to 5"),
        (lambda index: index.nearest(torch.ones(2), 7), "k must be a whole number from 1 to 6 (the 6 rows, 0 of them excluded); got 7."),
        (lambda index: index.nearest_to_row(6), "Token ID 6 has no row: valid IDs are 0..5."),
        (lambda index: index.nearest_to_row(-1), "Token ID -1 has no row"),
        (lambda index: index.nearest_to_row(0, metric="dot"), "The metric must be one of cosine, euclidean (got dot)."),
        (lambda index: index.nearest(torch.zeros(2), 3), "The query vector is all zeros: its cosine similarity to any row is undefined"),
        (lambda index: index.nearest(torch.tensor([1.0, float("nan")]), 3), "The query vector holds NaN or infinite values"),
    ],
)
def test_bad_requests_are_refused_with_a_message(call, message: str) -> None:
    with pytest.raises(NeighboursError) as refused:
        call(index_of(duplicated()))
    assert refused.value.message.english().startswith(message)
    assert refused.value.message.render("es")  # the same key and parameters in Spanish


def test_a_zero_or_nan_row_as_the_query_is_named() -> None:
    weight = torch.tensor([[0.0, 0.0], [float("nan"), 1.0], [1.0, 2.0]])
    with pytest.raises(NeighboursError, match="Row 0 is all zeros"):
        index_of(weight).nearest_to_row(0)
    assert [n.token_id for n in index_of(weight).nearest_to_row(0, 1, "euclidean").found] == [2]
    with pytest.raises(NeighboursError, match="Row 1 holds NaN or infinite values"):
        index_of(weight).nearest_to_row(1, 1, "euclidean")


class CountingReader:
    """A weight read through `read`, counting the chunks asked for."""

    def __init__(self, weight: torch.Tensor) -> None:
        self.weight, self.calls = weight, []

    def __call__(self, start: int, stop: int) -> torch.Tensor:
        self.calls.append((start, stop))
        return self.weight[start:stop]


def test_progress_reaches_one_and_norms_are_computed_once() -> None:
    torch.manual_seed(0)
    reader = CountingReader(torch.randn(100, 8))
    index = RowIndex(reader, (100, 8), chunk_rows=30)
    fractions: list[float] = []
    first = index.nearest(torch.randn(8), 5, progress=fractions.append)
    assert fractions == [0.3, 0.6, 0.9, 1.0]
    assert reader.calls == [(0, 30), (30, 60), (60, 90), (90, 100)]  # one read per chunk
    reader.calls.clear()
    reader.weight = reader.weight * 2  # values changed behind the index: the kept norms show through
    row = first.found[0].token_id
    second = index.nearest_to_row(row, 5, "cosine")
    assert reader.calls == [(row, row + 1), (0, 30), (30, 60), (60, 90), (90, 100)]  # the row, then each chunk once
    assert max(n.score for n in second.found) > 1.5  # cosine of doubled rows over the first norms: 2 × the true one


def test_a_newer_request_cancels_between_chunks() -> None:
    reader = CountingReader(torch.randn(100, 8))
    index = RowIndex(reader, (100, 8), chunk_rows=30)
    with pytest.raises(Cancelled):
        index.nearest(torch.ones(8), 3, cancelled=lambda: len(reader.calls) >= 1)
    assert reader.calls == [(0, 30)]
    assert index.nearest(torch.ones(8), 3) == index_of(reader.weight).nearest(torch.ones(8), 3)  # no half-made norms kept


def test_both_sessions_read_rows_as_stored(tmp_path: Path) -> None:
    session = EmbeddingSession(LayerSpec(6, 3, dtype="bfloat16"))
    rows = session.read_rows(2, 5)
    assert rows.dtype == torch.bfloat16 and rows.data_ptr() == session.layer.weight[2].data_ptr()  # a view
    path, _ = quantized_file(tmp_path / "model.gguf", GGMLQuantizationType.Q8_0)
    quantized = QuantizedSession(open_weights(path))
    expected = torch.from_numpy(quantized.weights.rows(np.arange(6)))
    assert torch.equal(quantized.read_rows(1, 4), expected[1:4]) and quantized.read_rows(1, 4).dtype == torch.float32
    found = RowIndex(quantized.read_rows, quantized.weights.shape, 2).nearest_to_row(0, 5, "euclidean")
    assert_matches_torch(found, expected, expected[0], (0,))


@pytest.mark.parametrize("rows, dim, metric", [(1000, 16, "cosine"), (1000, 16, "euclidean"), (50257, 768, "cosine")])
def test_a_later_query_over_bfloat16_rows_gives_the_first_passs_exact_answer(metric: str, rows: int, dim: int) -> None:
    torch.manual_seed(7)
    weight = torch.randn(rows, dim).bfloat16()
    reader = CountingReader(weight)
    index = RowIndex(reader, (rows, dim))
    index.nearest_to_row(0, 3, metric)  # the first pass: the norms
    for row in (1, rows // 2, rows - 1):
        reader.calls.clear()
        later = index.nearest_to_row(row, 10, metric)
        first = index_of(weight).nearest_to_row(row, 10, metric)  # a fresh index: the float32 pass
        assert [n.token_id for n in later.found] == [n.token_id for n in first.found]
        assert [n.score for n in later.found] == pytest.approx([n.score for n in first.found], rel=1e-6)
        chunked = [call for call in reader.calls if call[1] - call[0] > 1]
        rescored = [call for call in reader.calls if call[1] - call[0] == 1][1:]  # after the query's own row
        assert len(chunked) == -(-rows // (BOUNDED_CHUNKS * index.chunk_rows)) and 10 <= len(rescored) < rows // 10
        assert_matches_torch(later, weight, weight[row], (row,))


@settings(max_examples=examples(60), deadline=None)
@given(chunk_rows=st.integers(1, 40), k=st.integers(1, 30), row=st.integers(0, 39), metric=st.sampled_from(["cosine", "euclidean"]))
def test_the_bounded_pass_keeps_ties_and_any_chunk_size(chunk_rows: int, k: int, row: int, metric: str) -> None:
    torch.manual_seed(3)
    weight = torch.randn(20, 6).bfloat16().repeat(2, 1)  # every row twice: ties everywhere
    weight[5] = 0  # a zero row: skipped by cosine
    index = index_of(weight, chunk_rows)
    index.nearest(torch.ones(6), 1, metric)  # the first pass: the norms
    if metric == "cosine" and row == 5:
        return  # its cosine is undefined: refused, as tested above
    assert index.nearest_to_row(row, k, metric) == index_of(weight, 1).nearest_to_row(row, k, metric)  # row by row: the same sums
