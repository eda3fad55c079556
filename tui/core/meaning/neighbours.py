"""Nearest neighbours: the rows of the weight matrix most similar to a query vector, by cosine similarity
or Euclidean distance, found exactly over the whole matrix.

The matrix is read in chunks of rows (`RowReader`), so a memory-mapped 128256 × 4096 bfloat16 file is never
copied whole to float32: each chunk is converted, scored and reduced to its best k, and the best k overall
are kept. Row norms are computed during the first pass and kept on the `RowIndex`; a later query reuses them
(the caller makes a new index when the layer's values change). Ties are broken by the lower token ID.
Rows that cost much to read (a quantized matrix, dequantized as it is read) are kept by the first pass in
bfloat16 in a temporary file: a later query scans that copy and reads again only the rows that may be among
the k nearest.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch

from tui.core.files.file_rows import FileRows
from tui.core.files.row_copy import RowCopy
from tui.core.meaning.chunks import Float32, RowReader, chunks, rows_per_chunk
from tui.core.texts.messages import Message, MessageError

METRICS = ("cosine", "euclidean")
BF16_UNIT = 2.0**-8  # bfloat16's unit roundoff: 8 significant bits
FLOAT32_UNIT = 2.0**-24
BOUNDED_CHUNKS = 8  # chunks read at once by a later query over bfloat16 rows, which converts none of them
DEFAULT_K = 10


class NeighboursError(MessageError):
    """A neighbour search that cannot be made as asked, with a catalog message saying why."""


@dataclass(frozen=True)
class Neighbour:
    """One row found: its token ID and its score (cosine similarity, or Euclidean distance)."""

    token_id: int
    score: float


@dataclass(frozen=True)
class Neighbours:
    """The rows nearest a query, best first, and the rows no score could be given to."""

    metric: str
    k: int
    found: tuple[Neighbour, ...]  # fewer than k only when rows were skipped
    nonfinite_rows: int  # rows holding NaN or infinity: never neighbours
    zero_rows: int  # all-zero rows skipped by cosine (0/0); 0 for Euclidean, which scores them
    k_given: bool = True  # False: k is DEFAULT_K, or every row there is when the matrix has fewer

    def notes(self) -> tuple[Message, ...]:
        """What to say beside the result: how k was taken, then what was skipped."""
        return (*self.k_note(), *self.skipped())

    def k_note(self) -> tuple[Message, ...]:
        """That k was not given and the default is more than the rows there are: every one is ranked."""
        if self.k_given or self.k >= DEFAULT_K:
            return ()
        return (Message("neighbours.k_all", {"k": self.k, "default": DEFAULT_K}),)

    def skipped(self) -> tuple[Message, ...]:
        """The rows no score could be given to."""
        notes = []
        if self.nonfinite_rows:
            notes.append(Message("neighbours.skipped_nonfinite", {"count": self.nonfinite_rows}))
        if self.zero_rows:
            notes.append(Message("neighbours.skipped_zero", {"count": self.zero_rows}))
        return tuple(notes)


class RowIndex:
    """A matrix of `shape` read through `read`, searched for the rows nearest a query; its row norms kept
    after the first pass. With `copy` (rows that cost much to read: dequantized ones), the first pass also
    keeps the rows in bfloat16 in a temporary file (`RowCopy`), which later queries scan instead of `read`."""

    def __init__(self, read: RowReader, shape: tuple[int, int], chunk_rows: int | None = None, copy: bool = False) -> None:
        self._read = read
        self.rows, self.dim = shape
        self.chunk_rows = chunk_rows or rows_per_chunk(self.dim)
        self._norms: torch.Tensor | None = None  # float32, one per row, once a whole pass has run
        self._stored: torch.dtype | None = None  # the rows' dtype, as the first pass read them
        self._copy_wanted = copy
        self.copy: FileRows | None = None  # the rows in bfloat16, once a first pass has written them all

    def row(self, token_id: int) -> torch.Tensor:
        """Row `token_id` as float32."""
        self._check_id(token_id)
        return self._read(token_id, token_id + 1)[0].float()

    def nearest_to_row(
        self,
        token_id: int,
        k: int | None = None,
        metric: str = "cosine",
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Neighbours:
        """The k rows nearest row `token_id`, itself excluded."""
        query = self.row(token_id)
        _check_query(query, metric, token_id)
        return self.nearest(query, k, metric, (token_id,), progress, cancelled)

    def nearest(
        self,
        query: torch.Tensor,
        k: int | None = None,
        metric: str = "cosine",
        exclude: Iterable[int] = (),
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Neighbours:
        """The k rows nearest `query` (a vector of `dim` values) outside `exclude`; k not given is DEFAULT_K, or
        every row there is when fewer remain (a k given is refused beyond them). `progress(fraction)` is
        called after each chunk; `cancelled()` is asked before each, and True raises `Cancelled`."""
        if metric not in METRICS:
            raise NeighboursError(Message("neighbours.metric", {"metric": metric, "metrics": ", ".join(METRICS)}))
        if tuple(query.shape) != (self.dim,):
            raise ValueError(f"a query of shape {tuple(query.shape)} for rows of {self.dim} values")
        excluded = sorted(set(exclude))
        for token_id in excluded:
            self._check_id(token_id)
        most = self.rows - len(excluded)
        k_given = k is not None
        if k is None:
            k = max(1, min(DEFAULT_K, most))
        if not 1 <= k <= most:
            raise NeighboursError(Message("neighbours.k", {"k": k, "most": most, "rows": self.rows, "excluded": len(excluded)}))
        _check_query(query, metric)
        query = query.float()
        query_norm = torch.linalg.vector_norm(query)
        if self._norms is not None and self.copy is not None and _bfloat16_sums_in_float32():
            scan = (self.copy.read, BF16_UNIT, self.chunk_rows)  # each read a new buffer: one chunk, which the allocator reuses
            best_ids, best_keys = self._bounded(*scan, query, query_norm, k, metric, excluded, progress, cancelled)
        elif self._norms is not None and self._stored == torch.bfloat16 and _bfloat16_sums_in_float32():
            scan = (self._read, 0.0, BOUNDED_CHUNKS * self.chunk_rows)  # views of the rows: a few chunks at once
            best_ids, best_keys = self._bounded(*scan, query, query_norm, k, metric, excluded, progress, cancelled)
        else:
            best_ids, best_keys = self._scored(query, query_norm, k, metric, excluded, progress, cancelled)
        norms = self._norms
        scores = best_keys if metric == "cosine" else (-best_keys).sqrt()
        found = tuple(Neighbour(token_id, score) for token_id, score in zip(best_ids.tolist(), scores.tolist(), strict=True))
        nonfinite = int((~norms.isfinite()).sum())
        zero = int((norms == 0).sum()) if metric == "cosine" else 0
        return Neighbours(metric, k, found, nonfinite, zero, k_given)

    def _scored(self, query, query_norm, k, metric, excluded, progress, cancelled) -> tuple[torch.Tensor, torch.Tensor]:
        """Every chunk converted to float32 and scored: the first pass, which also finds the row norms (and
        writes the copy, if one is wanted)."""
        norms = self._norms if self._norms is not None else torch.empty(self.rows)
        best_ids, best_keys = torch.empty(0, dtype=torch.long), torch.empty(0)
        converted = Float32()
        writing = _copy(self.rows, self.dim) if self._norms is None and self._copy_wanted else None
        for start, stop, stored in chunks(self._read, self.rows, self.chunk_rows, progress, cancelled, as_stored=True):
            self._stored, chunk = stored.dtype, converted(stored)
            if self._norms is None:
                norms[start:stop] = torch.linalg.vector_norm(chunk, dim=1)
            if writing is not None:
                writing.write(start, chunk)
            keys = _keys(chunk @ query, norms[start:stop], query_norm, metric)
            _drop(keys, norms[start:stop], metric, _inside(excluded, start, stop))
            best_ids, best_keys = _best(torch.cat((best_ids, torch.arange(start, stop))), torch.cat((best_keys, keys)), k)
        self._norms = norms
        if writing is not None:
            self.copy = writing.finish()
        return best_ids, best_keys

    def _bounded(self, scan, rounding, rows_read, query, query_norm, k, metric, excluded, progress, cancelled) -> tuple[torch.Tensor, torch.Tensor]:
        """A later query over bfloat16 rows read by `scan`, `rows_read` at a time (the rows themselves, or the
        copy, each value within a relative `rounding` of the row's), without converting them: each chunk's dot
        products in bfloat16 with the query split in two bfloat16 parts (its rounding and what that left), each
        known to within `_dot_error` of the exact one, give every row a lowest and a highest key. A row whose
        highest key is below the k-th best lowest cannot be among the k nearest; the few others are scored
        again in float32 from the rows themselves (`read`), one by one (equal rows score equally: ties go to
        the lower ID). The answer is the first pass's, but for the last bit of a score where float32 sums in
        another order."""
        norms, high16 = self._norms, query.bfloat16()
        halves = torch.stack((high16, (query - high16.float()).bfloat16()), dim=1)  # one product reads the chunk once
        lowest = torch.empty(0)  # the k best lowest keys so far
        kept_ids, kept_highest = [], []
        for start, stop, chunk in chunks(scan, self.rows, rows_read, progress, cancelled, as_stored=True):
            parts = torch.mm(chunk, halves).float().unbind(1)
            dots = parts[0] + parts[1]
            error = _dot_error(parts, norms[start:stop], query_norm, self.dim, rounding)
            low, high = (_keys(dots + sign * error, norms[start:stop], query_norm, metric) for sign in (-1, 1))
            for keys in (low, high):
                _drop(keys, norms[start:stop], metric, _inside(excluded, start, stop))
            lowest = torch.cat((lowest, low)).topk(min(k, len(lowest) + len(low))).values
            threshold = lowest[-1] if len(lowest) == k else -torch.inf
            kept = (high >= threshold) & (high > -torch.inf)
            kept_ids.append(torch.arange(start, stop)[kept])
            kept_highest.append(high[kept])
        ids, highest = torch.cat(kept_ids), torch.cat(kept_highest)
        ids = ids[highest >= (lowest[-1] if len(lowest) == k else -torch.inf)]
        dots = torch.tensor([float(self._read(token_id, token_id + 1).float() @ query) for token_id in ids.tolist()])
        return _best(ids, _keys(dots, norms[ids], query_norm, metric), k)

    def _check_id(self, token_id: int) -> None:
        if not 0 <= token_id < self.rows:
            raise NeighboursError(Message("neighbours.id_range", {"id": token_id, "last": self.rows - 1}))


def _inside(excluded: list[int], start: int, stop: int) -> list[int]:
    """The excluded rows within start..stop, counted from start."""
    return [token_id - start for token_id in excluded if start <= token_id < stop]


def _dot_error(parts: tuple[torch.Tensor, torch.Tensor], norms: torch.Tensor, query_norm: torch.Tensor, dim: int, rounding: float = 0.0) -> torch.Tensor:
    """Twice the worst difference between the exact dot product and one computed in bfloat16 as the sum of
    two `parts` (the row's values each within a relative `rounding` of the row's own; the query split into
    its bfloat16 rounding and that of what it left, so within BF16_UNIT² of it; each part's products summed
    in float32, rounded to bfloat16; the two added in float32): the row's rounding (rounding · ‖row‖‖query‖,
    by Cauchy–Schwarz), the query's ((1 + rounding) · BF16_UNIT² · ‖row‖‖query‖), the float32 sums' (γ_dim ·
    (1 + rounding)(1 + BF16_UNIT)² · ‖row‖‖query‖), the parts' roundings (BF16_UNIT · |part|) and the
    last addition's (FLOAT32_UNIT · |dot|)."""
    gamma = dim * FLOAT32_UNIT / (1 - dim * FLOAT32_UNIT)
    unit = BF16_UNIT / (1 - BF16_UNIT)
    spread = rounding + (1 + rounding) * (unit**2 + gamma * (1 + unit) ** 2)
    results = unit * (parts[0].abs() + parts[1].abs()) + 2 * FLOAT32_UNIT * (parts[0] + parts[1]).abs()
    return 2 * (results + spread * norms * query_norm)


def _copy(rows: int, dim: int) -> RowCopy | None:
    """A new copy of the rows, or None where no temporary file can be made (the rows are read as before)."""
    try:
        return RowCopy((rows, dim))
    except OSError:
        return None


@functools.cache
def _bfloat16_sums_in_float32() -> bool:
    """Whether torch sums bfloat16 products in float32 here, as its CPU kernels do (their "opmath" type; the
    bound of `_dot_error` rests on it), in the product `_bounded` makes: rows by the query's two halves. A
    probe: 256 and 255 ones sum to 511, which a running sum kept in bfloat16 would lose (256 + 1 is 256
    there). Where it fails, later queries take the float32 pass."""
    values = torch.ones(1, 256, dtype=torch.bfloat16)
    values[0, 0] = 256
    sums = torch.mm(values, torch.ones(256, 2, dtype=torch.bfloat16))
    return sums.tolist() == [[512.0, 512.0]]  # 511, rounded to bfloat16


def _check_query(query: torch.Tensor, metric: str, token_id: int | None = None) -> None:
    """Refuse a query no score can be given against: NaN or infinity in it; all zeros, for cosine."""
    row = {} if token_id is None else {"id": token_id}
    suffix = "_vector" if token_id is None else "_row"
    if not bool(query.isfinite().all()):
        raise NeighboursError(Message("neighbours.nonfinite" + suffix, row))
    if metric == "cosine" and not bool(query.ne(0).any()):
        raise NeighboursError(Message("neighbours.zero" + suffix, row))


def _keys(dots: torch.Tensor, norms: torch.Tensor, query_norm: torch.Tensor, metric: str) -> torch.Tensor:
    """What ranks the rows, larger is nearer: the cosine similarity, or minus the squared distance."""
    if metric == "cosine":
        return dots / (norms * query_norm)
    return -(norms.square() + query_norm.square() - 2 * dots).clamp_min(0)


def _drop(keys: torch.Tensor, norms: torch.Tensor, metric: str, excluded: list[int]) -> None:
    """Rows that may not be neighbours get -inf: excluded ones, NaN or infinite ones, all-zero ones for cosine."""
    unusable = ~norms.isfinite() | ~keys.isfinite()
    if metric == "cosine":
        unusable |= norms == 0
    keys[unusable] = -torch.inf
    keys[excluded] = -torch.inf


def _best(ids: torch.Tensor, keys: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The k best of `ids` by key, ties by the lower ID; rows keyed -inf are never kept. Every row tied with
    the k-th is gathered before the order is decided, so the choice among ties never depends on topk."""
    usable = keys > -torch.inf
    ids, keys = ids[usable], keys[usable]
    if len(keys) > k:
        kept = keys >= torch.topk(keys, k).values[-1]
        ids, keys = ids[kept], keys[kept]
    by_id = ids.argsort()
    ids, keys = ids[by_id], keys[by_id]
    order = keys.argsort(descending=True, stable=True)[:k]
    return ids[order], keys[order]
