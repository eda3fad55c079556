"""What the vectors of the layer on screen mean: neighbour searches (a token, an ID, or `king - man +
woman`, with the metric and k chosen last) and the whole matrix's statistics. Each pass over the matrix is
kept while the layer's values stay the same: the `RowIndex` (its row norms, computed by the first search,
serve the next ones) and the statistics.

`ask` and `statistics` run in a worker: they read the layer and return their answer, touching nothing but
what they keep. The app's panels and `embedding-explorer neighbours` both ask through here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

import torch

from tui.core.meaning.chunks import rows_per_chunk
from tui.core.meaning.matrix_statistics import MatrixStatistics, matrix_statistics
from tui.core.meaning.neighbours import Neighbours, NeighboursError, RowIndex
from tui.core.meaning.word_arithmetic import parse_expression, resolve, resolve_word
from tui.core.texts.messages import Message

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


class Meaning:
    """The metric and k the user chose last (kept for the next panel); the index and the statistics of the
    layer last read."""

    def __init__(self) -> None:
        self.metric = "cosine"
        self.k: int | None = None  # None: not chosen, DEFAULT_K or every row there is
        self.k_rows: int | None = None  # the rows of the matrix k was chosen for
        self._kept: dict[str, tuple[ReadableLayer, int, object]] = {}  # what a pass made, by the layer and version

    def choose_k(self, k: int, rows: int) -> None:
        """k chosen for a matrix of `rows` rows: a matrix of another size starts from the default again."""
        self.k, self.k_rows = k, rows

    def k_for(self, rows: int) -> int | None:
        """The k chosen for a matrix of `rows` rows; None (the default: DEFAULT_K, or every row there is) when
        none was, or when it was chosen for a matrix of another size."""
        return self.k if self.k_rows in (None, rows) else None

    def index(self, layer: ReadableLayer) -> RowIndex:
        """The layer's index: the same one while its values are the same (`version`)."""
        return self._kept_for("index", layer, lambda: RowIndex(layer.read_rows, (layer.spec.vocab_size, layer.spec.dim), copy=layer.decoded))

    def statistics(
        self, layer: ReadableLayer, progress: Callable[[float], None] | None = None, cancelled: Callable[[], bool] | None = None
    ) -> MatrixStatistics:
        """The whole matrix's statistics, computed once while its values are the same."""
        shape, chunk_rows = (layer.spec.vocab_size, layer.spec.dim), rows_per_chunk(layer.spec.dim)
        return self._kept_for("statistics", layer, lambda: matrix_statistics(layer.read_rows, shape, chunk_rows=chunk_rows, progress=progress, cancelled=cancelled))

    def _kept_for(self, name: str, layer: ReadableLayer, make: Callable[[], T]) -> T:
        """What `make` made for this layer at this version, or a new one (the version as the pass starts: a
        change meanwhile makes the next call read again)."""
        kept = self._kept.get(name)
        if kept is None or kept[0] is not layer or kept[1] != layer.version:
            version = layer.version
            kept = (layer, version, make())
            self._kept[name] = kept
        return kept[2]

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
