"""The looked-up rows compared with each other: each one's norm and every pair's cosine similarity, and
those numbers as a small plain-text table labelled by the caller (the rows' tokens, say)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

UNDEFINED = "—"  # a cosine similarity with an all-zero row, which has no direction
CELL = 6  # characters per cosine column: "-0.12" and a space


@dataclass(frozen=True, eq=False)
class LookupStatistics:
    """Norms and pairwise cosine similarities of the rows looked up, in the order of `ids` (repeats kept)."""

    ids: tuple[int, ...]
    norms: torch.Tensor  # float32 (k,): each row's L2 norm
    cosine: torch.Tensor  # float32 (k, k): cosine similarity of rows i and j; NaN where either is all zeros
    zero_rows: tuple[int, ...]  # positions in `ids` of the all-zero rows, whose cosine is undefined


def lookup_statistics(vectors: torch.Tensor, ids: Sequence[int]) -> LookupStatistics:
    """The statistics of `vectors` (k × dim), the rows of `ids`. Cosines are the dot products of the rows
    scaled to unit length, clamped to [−1, 1]; an all-zero row has no direction, so its cosines are NaN and
    its position is in `zero_rows` (F.cosine_similarity would say 0, which reads as "orthogonal")."""
    rows = vectors.detach().float()
    if rows.dim() != 2 or rows.shape[0] != len(ids):
        raise ValueError(f"{len(ids)} IDs need a matrix of {len(ids)} rows, not {tuple(rows.shape)}")
    norms = torch.linalg.vector_norm(rows, dim=1)
    zero = norms == 0
    units = rows / torch.where(zero, 1.0, norms).unsqueeze(1)
    cosine = (units @ units.T).clamp_(-1.0, 1.0)
    cosine[zero, :] = float("nan")
    cosine[:, zero] = float("nan")
    return LookupStatistics(tuple(int(i) for i in ids), norms, cosine, tuple(torch.nonzero(zero).flatten().tolist()))


def cosine_table(statistics: LookupStatistics, labels: Sequence[str], norm_heading: str = "‖v‖") -> list[str]:
    """The statistics as lines of plain text: one line per row (its label, its norm, its cosine with each
    row), under a heading line of the labels cut to the column width; an undefined cosine is "—". Labels
    should be printable already (see `tui.core.texts.shown.printable`); they are cut, never escaped."""
    if len(labels) != len(statistics.ids):
        raise ValueError(f"{len(statistics.ids)} rows need {len(statistics.ids)} labels, not {len(labels)}")
    label_width = max([len(label) for label in labels] + [1])
    label_width = min(label_width, 12)
    norms = [f"{norm:.4g}" for norm in statistics.norms.tolist()]
    norm_width = max([len(norm) for norm in norms] + [len(norm_heading)])
    heading = " " * label_width + " " + norm_heading.rjust(norm_width) + "".join(
        _cut(label, CELL - 1).rjust(CELL) for label in labels
    )
    lines = [heading]
    for label, norm, cosines in zip(labels, norms, statistics.cosine.tolist()):
        cells = "".join((UNDEFINED if value != value else f"{value:.2f}").rjust(CELL) for value in cosines)
        lines.append(_cut(label, label_width).ljust(label_width) + " " + norm.rjust(norm_width) + cells)
    return lines


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
