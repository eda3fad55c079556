"""Two matrices compared row by row: for each row of A and its counterpart in B (an `Alignment`), ‖a‖, ‖b‖,
‖b − a‖, ‖b − a‖ / ‖a‖ and cosine(a, b); how many rows are exactly equal; for the rows asked about, how
many of their k nearest neighbours in A are still among them in B.

Both matrices are read a chunk of aligned rows at a time, each chunk of A beside the same rows of B, so two
128256 × 4096 bfloat16 files are never copied whole. Matrices of different widths share no coordinates:
only the norms and the neighbourhoods are compared. Two models trained apart can first be brought into the
same coordinates by an orthogonal Procrustes rotation of A (`torch.linalg.svd`), which says how much of the
difference it removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from tui.core.meaning.chunks import Float32, RowReader, chunks, rows_per_chunk
from tui.core.meaning.neighbours import DEFAULT_K
from tui.core.texts.messages import Message, MessageError
from tui.core.tokens.alignment import Alignment

MEASURES = ("delta", "relative", "cosine", "neighbours")  # what rows are ranked by
WIDTH_FREE = ("norm", "neighbours")  # what matrices of different widths can be ranked by
Progress = Callable[[float], None]
IsCancelled = Callable[[], bool]


class ComparisonError(MessageError):
    """A comparison that cannot be made as asked, with a catalog message saying why."""


@dataclass(frozen=True)
class Side:
    """One matrix: how its rows are read, and its shape."""

    read: RowReader
    rows: int
    dim: int


@dataclass(frozen=True)
class Rotation:
    """The orthogonal Procrustes rotation R that brings A nearest B (‖AR − B‖ least), and what it removed:
    ‖B − A‖ and ‖B − AR‖ over the aligned rows (Frobenius)."""

    matrix: torch.Tensor  # float32 (dim, dim)
    before: float
    after: float

    @property
    def removed(self) -> float:
        """The share of the difference the rotation removed, 0 to 1."""
        return 1 - self.after / self.before if self.before > 0 else 0.0


@dataclass(frozen=True, eq=False)
class Comparison:
    """Each aligned row's measures, in the alignment's order (float32; the last three None for matrices of
    different widths), which rows are exactly equal, and the rotation applied to A first, if any."""

    alignment: Alignment
    norm_a: torch.Tensor
    norm_b: torch.Tensor
    delta: torch.Tensor | None
    relative: torch.Tensor | None
    cosine: torch.Tensor | None
    equal: torch.Tensor  # bool, by position: every value the same (never for different widths)
    rotation: Rotation | None = None

    @property
    def same_width(self) -> bool:
        return self.delta is not None

    @property
    def change(self) -> str:
        """The measure of a row's change: ‖b − a‖ ("delta"), or the norm's ("norm") for different widths."""
        return "delta" if self.same_width else "norm"

    @property
    def equal_rows(self) -> int:
        return int(self.equal.sum())

    def measure(self, by: str) -> torch.Tensor:
        """The measure `by` of every aligned row ("norm": how much the norm changed, |‖b‖ − ‖a‖| / ‖a‖)."""
        if by == "norm":
            return (self.norm_b - self.norm_a).abs() / self.norm_a
        values = getattr(self, by) if by in ("delta", "relative", "cosine") else None
        if values is None:
            raise ComparisonError(Message("diff.needs_width", {"by": by}))
        return values

    def ranked(self, by: str) -> torch.Tensor:
        """Positions in the alignment, the most changed first by `by` (cosine: the least similar first); a
        row whose measure is NaN comes last, ties go to the lower position."""
        values = self.measure(by).double()
        keys = -values if by == "cosine" else values
        keys = torch.where(keys.isnan(), -torch.inf, keys)
        return torch.sort(keys, descending=True, stable=True).indices

    def changed(self) -> torch.Tensor:
        """The positions of the rows that are not exactly equal, least changed first by ‖b − a‖ (or by the
        norm for different widths)."""
        order = self.ranked(self.change).flip(0)
        values = self.measure(self.change)[order]
        return order[~self.equal[order] & ~values.isnan()]

    def histogram(self, bins: int = 40) -> tuple[torch.Tensor, torch.Tensor]:
        """The distribution of the change (‖b − a‖, or the norm's for different widths) over the rows that
        changed (not exactly equal) where it is finite: counts and edges, as `torch.histogram` makes them. The
        equal rows are left out (the counts say how many), so a few changed rows are not one bar beside a
        bar of thousands of zeros."""
        values = self.measure(self.change)
        values = values[~self.equal & values.isfinite()]
        if values.numel() == 0:
            return torch.zeros(bins, dtype=torch.int64), torch.zeros(bins + 1)
        counts, edges = torch.histogram(values, bins=bins)
        return counts.long(), edges


@dataclass(frozen=True)
class Overlap:
    """Row `a_id` of A (`b_id` of B): its k nearest aligned rows in A and in B, those in both counted, those
    that left (IDs of A) and those that came (IDs of B), nearest first."""

    a_id: int
    b_id: int
    k: int
    kept: int
    left: tuple[int, ...]
    came: tuple[int, ...]

    @property
    def share(self) -> float:
        return self.kept / self.k


def compare(
    a: Side,
    b: Side,
    alignment: Alignment,
    procrustes: bool = False,
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
) -> Comparison:
    """Every aligned row's measures, in one pass over both matrices (two with `procrustes`: the first finds
    the rotation). Procrustes needs the same width."""
    same_width = a.dim == b.dim
    if procrustes and not same_width:
        raise ComparisonError(Message("diff.procrustes_width", {"dim_a": a.dim, "dim_b": b.dim}))
    rotation = _rotation(a, b, alignment, _part(progress, 0, 0.5), cancelled) if procrustes else None
    n = len(alignment)
    norm_a, norm_b, equal = torch.empty(n), torch.empty(n), torch.zeros(n, dtype=torch.bool)
    delta, relative, cosine = (torch.empty(n), torch.empty(n), torch.empty(n)) if same_width else (None, None, None)
    lengths_a = torch.empty(n) if rotation is not None else norm_a  # ‖aR‖ with a rotation
    spare = torch.empty(0)  # b − a, one chunk's, reused
    measured = _part(progress, 0.5, 1) if procrustes else progress
    for start, stop, rows_a, rows_b in _pairs(a, b, alignment, measured, cancelled):
        torch.linalg.vector_norm(rows_a, dim=1, out=norm_a[start:stop])
        torch.linalg.vector_norm(rows_b, dim=1, out=norm_b[start:stop])
        if not same_width:
            continue
        if rotation is not None:
            equal[start:stop] = (rows_a == rows_b).all(dim=1)
            rows_a = rows_a @ rotation.matrix
            torch.linalg.vector_norm(rows_a, dim=1, out=lengths_a[start:stop])
        if spare.shape[0] < stop - start or spare.shape[1:] != rows_a.shape[1:]:
            spare = torch.empty(rows_a.shape)
        difference = torch.sub(rows_b, rows_a, out=spare[: stop - start])
        torch.linalg.vector_norm(difference, dim=1, out=delta[start:stop])
        if rotation is None:
            _equal_rows(rows_a, rows_b, difference, delta[start:stop], equal[start:stop])
        cosine[start:stop] = _cosine(rows_a, rows_b, lengths_a[start:stop], norm_b[start:stop], delta[start:stop])
    if same_width:
        relative.copy_(torch.where(delta == 0, 0.0, delta / norm_a))
    return Comparison(alignment, norm_a, norm_b, delta, relative, cosine, equal, rotation)


def neighbour_overlap(
    a: Side,
    b: Side,
    alignment: Alignment,
    positions: Sequence[int],
    k: int = DEFAULT_K,
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
) -> tuple[Overlap, ...]:
    """For the aligned rows at `positions`, their k nearest aligned rows by cosine in A and in B, found in
    one pass over both matrices for all of them at once (a row is never its own neighbour; all-zero and
    NaN rows are never neighbours)."""
    n = len(alignment)
    if not 1 <= k < n:
        raise ComparisonError(Message("diff.k", {"k": k, "most": n - 1}))
    asked = torch.tensor(list(positions), dtype=torch.long)
    queries_a = _unit(gather(a.read, alignment.a_ids[asked.numpy()])).T.contiguous()  # (dim, asked)
    queries_b = _unit(gather(b.read, alignment.b_ids[asked.numpy()])).T.contiguous()
    best_a, best_b = _Best(len(asked), k), _Best(len(asked), k)
    for start, stop, rows_a, rows_b in _pairs(a, b, alignment, progress, cancelled):
        for best, rows, queries in ((best_a, rows_a, queries_a), (best_b, rows_b, queries_b)):
            keys = (rows @ queries).div_(torch.linalg.vector_norm(rows, dim=1, keepdim=True))  # (rows, asked): cosine similarities
            keys[~keys.isfinite()] = -torch.inf
            inside = (asked >= start) & (asked < stop)
            keys[asked[inside] - start, inside.nonzero().flatten()] = -torch.inf  # not its own neighbour
            best.add(start, keys)
    overlaps = []
    for query, position in enumerate(asked.tolist()):
        in_a, in_b = best_a.positions(query), best_b.positions(query)
        left = [p for p in in_a if p not in in_b]
        came = [p for p in in_b if p not in in_a]
        a_id, b_id = int(alignment.a_ids[position]), int(alignment.b_ids[position])
        overlaps.append(Overlap(a_id, b_id, k, len(in_a) - len(left), tuple(int(alignment.a_ids[p]) for p in left), tuple(int(alignment.b_ids[p]) for p in came)))
    return tuple(overlaps)


def gather(read: RowReader, ids: np.ndarray) -> torch.Tensor:
    """Rows `ids` (any order) as stored, each run of consecutive IDs read at once: rows aligned by ID are
    one read."""
    if len(ids) == 0:
        return read(0, 0)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    breaks = np.flatnonzero(np.diff(sorted_ids) != 1) + 1
    runs = [read(int(run[0]), int(run[-1]) + 1) for run in np.split(sorted_ids, breaks)]
    rows = runs[0] if len(runs) == 1 else torch.cat(runs)
    if np.array_equal(order, np.arange(len(ids))):
        return rows
    return rows[torch.from_numpy(np.argsort(order, kind="stable"))]


def _equal_rows(rows_a: torch.Tensor, rows_b: torch.Tensor, difference: torch.Tensor, delta: torch.Tensor, equal: torch.Tensor) -> None:
    """Which rows of a chunk are exactly equal, into `equal`: only those whose ‖b − a‖ is 0 or NaN can be
    (a finite difference is 0 only between equal values; infinities leave NaN), and only they are looked
    at: 0 with every difference 0 (a square of a tiny one can underflow), NaN with every value the same."""
    maybe = (~(delta > 0)).nonzero().flatten()
    if len(maybe) == 0:
        return
    zero = delta[maybe] == 0
    equal[maybe[zero]] = torch.linalg.vector_norm(difference[maybe[zero]], ord=torch.inf, dim=1) == 0
    equal[maybe[~zero]] = (rows_a[maybe[~zero]] == rows_b[maybe[~zero]]).all(dim=1)


def _cosine(rows_a: torch.Tensor, rows_b: torch.Tensor, norm_a: torch.Tensor, norm_b: torch.Tensor, delta: torch.Tensor) -> torch.Tensor:
    """cos(a, b) of a chunk's rows from their three lengths, with no pass over the rows: the law of cosines
    written 1 + ((‖a‖ − ‖b‖)² − ‖b − a‖²) / 2‖a‖‖b‖, in float64, nearer than a float32 dot product while
    ‖b − a‖² ≤ ‖a‖‖b‖ (its error grows with ‖b − a‖²); the rows that changed more (few, in a fine-tune or
    a quantization) take the dot product."""
    length_a, length_b, change = norm_a.double(), norm_b.double(), delta.double()
    cosine = (1 + ((length_a - length_b).square() - change.square()) / (2 * length_a * length_b)).clamp(-1, 1).float()
    far = change.square() > length_a * length_b
    if bool(far.any()):
        cosine[far] = torch.linalg.vecdot(rows_a[far], rows_b[far]) / (norm_a[far] * norm_b[far])
    return cosine


def _pairs(a: Side, b: Side, alignment: Alignment, progress: Progress | None, cancelled: IsCancelled | None) -> Iterator[tuple[int, int, torch.Tensor, torch.Tensor]]:
    """(start, stop, A's rows, B's rows) in float32 for each chunk of aligned positions, valid until the
    next: `chunks` reads A's (cancelled between chunks, its progress told), the same rows of B beside them."""
    in_b = Float32()

    def read_a(start: int, stop: int) -> torch.Tensor:
        return gather(a.read, alignment.a_ids[start:stop])

    for start, stop, rows_a in chunks(read_a, len(alignment), rows_per_chunk(max(a.dim, b.dim)), progress, cancelled):
        yield start, stop, rows_a, in_b(gather(b.read, alignment.b_ids[start:stop]))


def _rotation(a: Side, b: Side, alignment: Alignment, progress: Progress | None, cancelled: IsCancelled | None) -> Rotation:
    """R = U Vᵀ from the SVD of AᵀB over the aligned rows whose values are all finite."""
    cross = torch.zeros(a.dim, a.dim)
    before = 0.0
    for _start, _stop, rows_a, rows_b in _pairs(a, b, alignment, progress, cancelled):
        finite = rows_a.isfinite().all(dim=1) & rows_b.isfinite().all(dim=1)
        rows_a, rows_b = rows_a[finite], rows_b[finite]
        cross.addmm_(rows_a.T, rows_b)
        before += float((rows_b - rows_a).square().sum())
    u, _, vh = torch.linalg.svd(cross.double())
    matrix = (u @ vh).float()
    after = 0.0
    for _start, _stop, rows_a, rows_b in _pairs(a, b, alignment, None, cancelled):
        finite = rows_a.isfinite().all(dim=1) & rows_b.isfinite().all(dim=1)
        after += float((rows_b[finite] - rows_a[finite] @ matrix).square().sum())
    return Rotation(matrix, before**0.5, after**0.5)


def _unit(rows: torch.Tensor) -> torch.Tensor:
    """Rows scaled to length 1 (float32); an all-zero row becomes NaN, as its cosine is."""
    rows = rows.float()
    return rows / torch.linalg.vector_norm(rows, dim=1, keepdim=True)


def _part(progress: Progress | None, low: float, high: float) -> Progress | None:
    """`progress` told of a pass that is the part low..high of the whole work."""
    if progress is None:
        return None
    return lambda fraction: progress(low + (high - low) * fraction)


class _Best:
    """The k best positions so far for each of `queries` queries, by key, ties to the lower position."""

    def __init__(self, queries: int, k: int) -> None:
        self.k = k
        self.keys = torch.full((queries, 0), -torch.inf)
        self.found = torch.zeros((queries, 0), dtype=torch.long)

    def add(self, start: int, keys: torch.Tensor) -> None:
        """A chunk's keys, (rows, queries), for positions start…"""
        top = min(self.k, keys.shape[0])
        chunk_keys, rows = keys.topk(top, dim=0)  # (top, queries)
        merged_keys = torch.cat((self.keys, chunk_keys.T), dim=1)
        merged = torch.cat((self.found, rows.T + start), dim=1)
        by_position = merged.argsort(dim=1, stable=True)
        merged_keys, merged = merged_keys.gather(1, by_position), merged.gather(1, by_position)
        order = merged_keys.argsort(dim=1, descending=True, stable=True)[:, : self.k]
        self.keys, self.found = merged_keys.gather(1, order), merged.gather(1, order)

    def positions(self, query: int) -> list[int]:
        """The positions found for `query`, nearest first (never one keyed -inf)."""
        return [p for p, key in zip(self.found[query].tolist(), self.keys[query].tolist(), strict=True) if key > -torch.inf]
