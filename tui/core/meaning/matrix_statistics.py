"""Statistics of a whole weight matrix, read in chunks of rows: the row norms and their histogram, the
rows with the smallest and largest norms, each dimension's mean and spread, and the dimensions whose
magnitude stands out from the others (LLMs' "massive activations" or "rogue dimensions").

Rows come from a reader, `read(start, stop)` → rows [start, stop) as float32, so a 128256 × 4096 bf16
matrix mapped from a file is never copied whole: one chunk at a time is held in float32.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import torch

from tui.core.meaning.chunks import RowReader, chunks

MAD_TO_SIGMA = 0.6745  # the MAD of a normal distribution, in standard deviations (Iglewicz & Hoaglin)
MEAN_AD_TO_SIGMA = 0.7979  # the mean absolute deviation of a normal distribution, in standard deviations


class RowNorm(NamedTuple):
    """A row's ID and its L2 norm."""

    id: int
    norm: float


@dataclass(frozen=True, eq=False)
class MatrixStatistics:
    """What `matrix_statistics` found. Rows holding NaN or ±inf keep their norm (NaN or inf, as torch gives
    it) in `norms`, and are left out of everything else; `left_out` counts them."""

    norms: torch.Tensor  # float32 (rows,): every row's L2 norm, by ID
    left_out: int  # rows whose norm is not finite: left out of the histogram, the extremes and the dimensions
    counts: torch.Tensor  # int64 (bins,): how many counted rows have a norm in each bin
    edges: torch.Tensor  # float32 (bins + 1,): the bins' edges, as torch.histogram makes them
    smallest: tuple[RowNorm, ...]  # the smallest norms, smallest first, ties by ID
    largest: tuple[RowNorm, ...]  # the largest norms, largest first, ties by ID
    mean: torch.Tensor  # float64 (dim,): each dimension's mean over the counted rows (NaN when none is counted)
    std: torch.Tensor  # float64 (dim,): each dimension's standard deviation (population: correction=0)
    magnitude: torch.Tensor  # float64 (dim,): each dimension's root mean square, √(mean² + std²)
    magnitude_z: torch.Tensor  # float64 (dim,): each magnitude's robust z-score among the dimensions
    outlying: tuple[int, ...]  # the dimensions whose magnitude_z exceeds `threshold`, most outlying first
    threshold: float

    @property
    def counted(self) -> int:
        """The rows the histogram, the extremes and the dimensions are made of."""
        return self.norms.shape[0] - self.left_out


def matrix_statistics(
    read: RowReader,
    shape: tuple[int, int],
    *,
    chunk_rows: int = 1024,
    bins: int = 40,
    extremes: int = 5,
    threshold: float = 6.0,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> MatrixStatistics:
    """The statistics of the `shape` = (rows, dim) matrix that `read` gives, one chunk of `chunk_rows` rows
    at a time. `cancelled()` is asked before each chunk (True raises `Cancelled`); `progress(fraction)` is
    told after each one, ending at 1.0.

    A row is left out when its norm is not finite: it holds NaN or ±inf (or values so large that the sum of
    their squares passes float32's range). Means and spreads are accumulated across chunks in float64, each
    chunk's own mean and sum of squared deviations (see `_Moments`) merged into the running ones (Chan, Golub & LeVeque), which stays
    sound where sums of squares would cancel. Outlying dimensions: see `robust_z`.
    """
    rows, dim = shape
    norms = torch.empty(rows, dtype=torch.float32)
    moments = _Moments(dim)
    for start, stop, chunk in chunks(read, rows, chunk_rows, progress, cancelled):
        if chunk.shape != (stop - start, dim):
            raise ValueError(f"read({start}, {stop}) gave {tuple(chunk.shape)}, not {(stop - start, dim)}")
        chunk_norms = torch.linalg.vector_norm(chunk, dim=1)
        norms[start:stop] = chunk_norms
        finite = torch.isfinite(chunk_norms)
        moments.add(chunk if bool(finite.all()) else chunk[finite])
    return _summary(norms, moments, bins, extremes, threshold)


def robust_z(values: torch.Tensor) -> torch.Tensor:
    """How far each value lies above the others' median, in robust standard deviations: the modified
    z-score 0.6745 · (x − median) / MAD (Iglewicz & Hoaglin), where MAD is the median absolute deviation.
    When more than half the values are equal (MAD = 0), the mean absolute deviation stands in for it
    (scaled by 0.7979); when every value is equal, every score is 0. A few outliers, however large, barely
    move the median and the MAD, so they cannot hide each other as they would behind a mean and a standard
    deviation."""
    if values.numel() == 0:
        return values.clone()
    median = torch.quantile(values, 0.5)
    deviation = values - median
    mad = deviation.abs().median()
    if mad > 0:
        return MAD_TO_SIGMA * deviation / mad
    mean_ad = deviation.abs().mean()
    if mean_ad > 0:
        return MEAN_AD_TO_SIGMA * deviation / mean_ad
    return torch.zeros_like(values)


class _Moments:
    """Running count, mean and sum of squared deviations of each dimension, in float64. A chunk's own are
    found in float32 (a float64 copy of each chunk would cost more than reading it) about its float32 mean
    `center`, two passes, then corrected for that center's rounding in float64:
    Σ(x − mean)² = Σ(x − center)² − (Σ(x − center))² / n."""

    def __init__(self, dim: int) -> None:
        self.count = 0
        self.mean = torch.zeros(dim, dtype=torch.float64)
        self.squares = torch.zeros(dim, dtype=torch.float64)

    def add(self, chunk: torch.Tensor) -> None:
        added = chunk.shape[0]
        if added == 0:
            return
        center = chunk.mean(0)
        deviations = chunk - center
        offset = deviations.sum(0).double()
        squares = deviations.square_().sum(0).double() - offset.square() / added
        mean = center.double() + offset / added
        total = self.count + added
        delta = mean - self.mean
        self.mean += delta * (added / total)
        self.squares += squares + delta.square() * (self.count * added / total)
        self.count = total

    def std(self) -> torch.Tensor:
        return (self.squares / self.count).sqrt() if self.count else torch.full_like(self.squares, float("nan"))


def _summary(norms: torch.Tensor, moments: _Moments, bins: int, extremes: int, threshold: float) -> MatrixStatistics:
    finite = torch.isfinite(norms)
    ids = torch.nonzero(finite).flatten()
    kept = norms[ids]
    counts, edges = torch.histogram(kept, bins=bins)
    ascending = torch.sort(kept, stable=True).indices
    descending = torch.sort(kept, descending=True, stable=True).indices
    mean = moments.mean if moments.count else torch.full_like(moments.mean, float("nan"))
    std = moments.std()
    magnitude = (mean.square() + std.square()).sqrt()
    magnitude_z = robust_z(magnitude) if moments.count else torch.zeros_like(magnitude)
    order = torch.sort(magnitude_z, descending=True, stable=True).indices
    return MatrixStatistics(
        norms=norms,
        left_out=norms.shape[0] - ids.shape[0],
        counts=counts.to(torch.int64),
        edges=edges,
        smallest=_row_norms(ids, kept, ascending[:extremes]),
        largest=_row_norms(ids, kept, descending[:extremes]),
        mean=mean,
        std=std,
        magnitude=magnitude,
        magnitude_z=magnitude_z,
        outlying=tuple(order[magnitude_z[order] > threshold].tolist()),
        threshold=threshold,
    )


def _row_norms(ids: torch.Tensor, norms: torch.Tensor, positions: torch.Tensor) -> tuple[RowNorm, ...]:
    return tuple(RowNorm(int(ids[p]), float(norms[p])) for p in positions)
