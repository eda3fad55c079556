"""A set of rows as points on a plane: centered and projected on its first two principal axes (PCA), each
axis with the fraction of the set's variance it explains; and a seeded sample of a matrix's row IDs to
project when the whole matrix is too many points."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True, eq=False)
class Projection:
    """The rows' coordinates on the plane of their two principal axes. An axis along which the rows do not
    vary (one row, identical rows, two rows' second axis, a dimension of 1) has zero loadings, zero
    coordinates and an explained fraction of 0: `spread` says how many axes carry variance."""

    coordinates: torch.Tensor  # float64 (n, 2): each centered row's position along axis 1 and axis 2
    axes: torch.Tensor  # float64 (2, dim): the axes' unit loadings; the largest in magnitude is positive
    explained: tuple[float, float]  # each axis's share of the set's total variance, 0 to 1
    spread: int  # how many of the two axes the rows vary along: 0 (all rows equal), 1 or 2


def project(vectors: torch.Tensor) -> Projection:
    """The principal-component projection of `vectors` (n × dim), in float64.

    The axes are the top two eigenvectors of the centered rows' Gram matrix (n × n) or covariance
    (dim × dim), whichever is smaller: the first two right singular vectors of the centered rows, without
    the cost of a full SVD of a tall or wide matrix. An eigenvector's sign is arbitrary, so each axis is turned to make its largest
    loading (in magnitude; the first of equals) positive, and the picture is the same on every run.
    An eigenvalue below max(n, dim) · ε · the largest eigenvalue or the rows' squared magnitude is rounding,
    not variance: that axis is flat."""
    rows = vectors.detach().to(torch.float64)
    count, dim = rows.shape
    coordinates = torch.zeros(count, 2, dtype=torch.float64)
    axes = torch.zeros(2, dim, dtype=torch.float64)
    if count == 0 or dim == 0:
        return Projection(coordinates, axes, (0.0, 0.0), 0)
    centered = rows - rows.mean(0)
    total = float(centered.square().sum())
    directions, variances = _top_axes(centered)
    tolerance = max(count, dim) * torch.finfo(torch.float64).eps * max(variances[0], float(rows.abs().max()) ** 2)
    spread = sum(1 for variance in variances if variance > tolerance)
    explained = [0.0, 0.0]
    for axis in range(spread):
        direction = directions[axis]
        if direction[direction.abs().argmax()] < 0:
            direction = -direction
        axes[axis] = direction
        coordinates[:, axis] = centered @ direction
        explained[axis] = variances[axis] / total
    return Projection(coordinates, axes, (explained[0], explained[1]), spread)


def sample_rows(rows: int, n: int, seed: int) -> list[int]:
    """`n` row IDs out of `rows`, drawn without repeats by a torch.Generator seeded with `seed`, in order;
    every ID when `n` ≥ `rows`. The same seed gives the same sample."""
    if n < 0:
        raise ValueError(f"a sample has at least 0 rows, not {n}")
    if n >= rows:
        return list(range(rows))
    generator = torch.Generator().manual_seed(seed)
    return sorted(torch.randperm(rows, generator=generator)[:n].tolist())


def _top_axes(centered: torch.Tensor) -> tuple[torch.Tensor, list[float]]:
    """Up to two unit directions in dimension space, largest variance first, and their sums of squares."""
    count, dim = centered.shape
    if count <= dim:
        eigenvalues, vectors = torch.linalg.eigh(centered @ centered.T)
        top = eigenvalues.flip(0)[:2].clamp(min=0)
        directions = (centered.T @ vectors.flip(1)[:, : top.shape[0]]).T
        directions = directions / torch.linalg.vector_norm(directions, dim=1, keepdim=True).clamp(min=1e-300)
    else:
        eigenvalues, vectors = torch.linalg.eigh(centered.T @ centered)
        top = eigenvalues.flip(0)[:2].clamp(min=0)
        directions = vectors.flip(1)[:, : top.shape[0]].T
    return directions, top.tolist()
