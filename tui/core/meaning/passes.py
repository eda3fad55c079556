"""What the vectors of the layer on screen mean: neighbour searches (a token, an ID, or `king - man +
woman`, with the metric and k chosen last), the whole matrix's statistics, and its diff against a second
matrix (`diff`: the app's panel and `embedding-explorer diff` both compare through it). Each pass over the
matrix is kept while the layers' values stay the same: the `RowIndex` (its row norms, computed by the first
search, serve the next ones), the statistics, the diff.

`ask` and `statistics` run in a worker: they read the layer and return their answer, touching nothing but
what they keep. The app's panels and `embedding-explorer neighbours` both ask through here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

import torch

from tui.core.meaning.chunks import rows_per_chunk
from tui.core.meaning.comparison import Comparison, Overlap, Side, compare, neighbour_overlap
from tui.core.meaning.matrix_statistics import MatrixStatistics, matrix_statistics
from tui.core.meaning.neighbours import Neighbours, NeighboursError, RowIndex
from tui.core.meaning.word_arithmetic import parse_expression, resolve, resolve_word
from tui.core.texts.messages import Message
from tui.core.tokens.alignment import Tokens, align

if TYPE_CHECKING:
    from tui.core.chapter.spec import LayerSpec
    from tui.core.tokens.tokenizer import TextTokenizer
    from tui.core.tokens.vocab import Vocab


T = TypeVar("T")


class ReadableLayer(Protocol):
    """What a search reads of a session (an `EmbeddingSession` or a `QuantizedSession`)."""

    spec: LayerSpec
    version: int
    decoded: bool  # its rows are made as they are read (dequantized): a search keeps a copy of them

    def read_rows(self, start: int, stop: int) -> torch.Tensor: ...


@dataclass(frozen=True)
class Answer:
    """The rows nearest what was asked: `asked` as typed, `terms` the IDs it stands for (excluded from the
    answer) with their signs, and what the search found."""

    asked: str
    terms: tuple[tuple[int, int], ...]  # (sign, token ID): one (+1, id) for a single token
    neighbours: Neighbours

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(neighbour.token_id for neighbour in self.neighbours.found)


@dataclass(frozen=True, eq=False)
class Diff:
    """Two matrices compared row by row, and the neighbour overlap of the most changed rows and the asked
    ones (by their position in the alignment)."""

    comparison: Comparison
    overlaps: dict[int, Overlap]

    @property
    def by(self) -> str:
        """What the change is measured by: ‖b − a‖, or the norm's change for matrices of different widths."""
        return self.comparison.change

    def ranked(self, by: str) -> torch.Tensor:
        """Positions in the alignment, the most changed first by `by`; by neighbours, the rows whose overlap
        was computed, the fewest neighbours kept first (ties: the most changed first)."""
        order = self.comparison.ranked(self.by if by == "neighbours" else by)
        if by != "neighbours":
            return order
        rank = torch.empty_like(order)
        rank[order] = torch.arange(len(order))
        return torch.tensor(sorted(self.overlaps, key=lambda position: (self.overlaps[position].kept, int(rank[position]))), dtype=torch.long)


DIFF_TOP = 20  # the most changed rows whose neighbours are compared
DIFF_K = 10


def diff(
    a: ReadableLayer,
    b: ReadableLayer,
    tokens: tuple[Tokens | None, Tokens | None],
    top: int = DIFF_TOP,
    asked: tuple[int, ...] = (),
    k: int | None = None,
    procrustes: bool = False,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Diff:
    """A against B row by row, rows aligned by ID or by `tokens` (A rotated first with `procrustes`); then,
    in one more pass, the overlap of the k nearest neighbours of the `top` most changed rows and of the rows
    `asked` (IDs of A). k None: DIFF_K, or every other row when there are fewer (one row: no overlaps)."""
    side_a, side_b = (Side(layer.read_rows, layer.spec.vocab_size, layer.spec.dim) for layer in (a, b))
    alignment = align(side_a.rows, side_b.rows, *tokens)
    k = min(DIFF_K, len(alignment) - 1) if k is None else k
    compared = compare(side_a, side_b, alignment, procrustes, _part(progress, 0, 0.8) if top or asked else progress, cancelled)
    positions = [*compared.ranked(compared.change)[:top].tolist(), *(p for p in map(alignment.position_of, asked) if p is not None)]
    if not positions or k < 1:  # nothing to ask about, or one aligned row: it has no neighbours
        return Diff(compared, {})
    positions = list(dict.fromkeys(positions))
    found = neighbour_overlap(side_a, side_b, alignment, positions, k, _part(progress, 0.8, 1), cancelled)
    return Diff(compared, dict(zip(positions, found, strict=True)))


class Meaning:
    """The metric and k the user chose last (kept for the next panel); the index and the statistics of the
    layer last read."""

    def __init__(self) -> None:
        self.metric = "cosine"
        self.k: int | None = None  # None: not chosen, DEFAULT_K or every row there is
        self.k_rows: int | None = None  # the rows of the matrix k was chosen for
        self._kept: dict[str, tuple[tuple[ReadableLayer, ...], tuple[int, ...], object, object]] = {}  # what a pass made, by the layers, versions and what was asked

    def choose_k(self, k: int, rows: int) -> None:
        """k chosen for a matrix of `rows` rows: a matrix of another size starts from the default again."""
        self.k, self.k_rows = k, rows

    def k_for(self, rows: int) -> int | None:
        """The k chosen for a matrix of `rows` rows; None (the default: DEFAULT_K, or every row there is) when
        none was, or when it was chosen for a matrix of another size."""
        return self.k if self.k_rows in (None, rows) else None

    def index(self, layer: ReadableLayer) -> RowIndex:
        """The layer's index: the same one while its values are the same (`version`)."""
        return self._kept_for("index", lambda: RowIndex(layer.read_rows, (layer.spec.vocab_size, layer.spec.dim), copy=layer.decoded), layer)

    def statistics(
        self, layer: ReadableLayer, progress: Callable[[float], None] | None = None, cancelled: Callable[[], bool] | None = None
    ) -> MatrixStatistics:
        """The whole matrix's statistics, computed once while its values are the same."""
        shape, chunk_rows = (layer.spec.vocab_size, layer.spec.dim), rows_per_chunk(layer.spec.dim)
        return self._kept_for("statistics", lambda: matrix_statistics(layer.read_rows, shape, chunk_rows=chunk_rows, progress=progress, cancelled=cancelled), layer)

    def diff(
        self,
        a: ReadableLayer,
        b: ReadableLayer,
        tokens: tuple[Tokens | None, Tokens | None],
        asked: tuple[int, ...] = (),
        procrustes: bool = False,
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Diff:
        """`diff` of A and B (A rotated onto B first with `procrustes`), with the DIFF_TOP most changed rows'
        and the `asked` rows' neighbours: kept while neither layer's values change and the same is asked."""
        return self._kept_for("diff", lambda: diff(a, b, tokens, DIFF_TOP, asked, None, procrustes, progress, cancelled), a, b, asked=(asked, procrustes))

    def _kept_for(self, name: str, make: Callable[[], T], *layers: ReadableLayer, asked: object = None) -> T:
        """What `make` made for these layers at these versions (and what was `asked`), or a new one (the
        versions as the pass starts: a change meanwhile makes the next call read again)."""
        kept = self._kept.get(name)
        versions = tuple(layer.version for layer in layers)
        if kept is None or kept[1:3] != (versions, asked) or any(x is not y for x, y in zip(kept[0], layers, strict=True)):
            kept = (layers, versions, asked, make())
            self._kept[name] = kept
        return kept[3]

    def ask(
        self,
        layer: ReadableLayer,
        asked: str,
        vocab: Vocab | None,
        tokenizer: TextTokenizer | None,
        metric: str,
        k: int | None,
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Answer:
        """The `k` rows nearest `asked` by `metric` (None: the default, or all there are): a token or an ID (itself excluded), else an expression
        of them joined by + and − (its terms excluded). A `NeighboursError` says what cannot be asked."""
        asked = asked.strip()
        if not asked:
            raise NeighboursError(Message("neighbours.query_needed"))
        index, rows = self.index(layer), layer.spec.vocab_size
        find = vocab.find if vocab is not None else None
        single = None if " " in asked else _single(asked, rows, find, tokenizer)
        if single is not None:
            found = index.nearest_to_row(single, k, metric, progress, cancelled)
            return Answer(asked, ((1, single),), found)
        resolved = resolve(parse_expression(asked), rows, find, tokenizer)
        vector = resolved.vector(layer.read_rows)
        found = index.nearest(vector, k, metric, resolved.ids, progress, cancelled)
        return Answer(asked, tuple((term.sign, token_id) for term, token_id in zip(resolved.terms, resolved.ids, strict=True)), found)


def _single(asked: str, rows: int, find: Callable[[str], int | None] | None, tokenizer: TextTokenizer | None) -> int | None:
    """The row of one token or ID typed alone (a token such as `-` or `+` too); None for an expression."""
    try:
        return resolve_word(asked, rows, find, tokenizer)
    except NeighboursError as error:
        if asked[0] in "+-−" and error.message.key != "neighbours.id_range":  # a negative ID is refused, not negated
            return None  # `-man`: an expression of one term
        raise


def _part(progress: Callable[[float], None] | None, low: float, high: float) -> Callable[[float], None] | None:
    """`progress` told of a pass that is the part low..high of the whole work."""
    return None if progress is None else (lambda fraction: progress(low + (high - low) * fraction))
