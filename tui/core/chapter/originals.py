"""The first values of the rows a training session changed in place, to go back to them exactly."""

from __future__ import annotations

import torch


class Originals:
    """The first value of every row changed in place (a step, max_norm), so a reset restores the weight
    exactly without keeping a copy of all of it (2 GB for Llama 3)."""

    def __init__(self, weight: torch.Tensor) -> None:
        self._weight = weight
        self.saved = torch.zeros(weight.shape[0], dtype=torch.bool)  # by row: changed in place at some time
        self._chunks: list[tuple[torch.Tensor, torch.Tensor]] = []

    def save(self, rows: torch.Tensor) -> None:
        """Keep the values of those `rows` (unique indices) not kept yet: call before changing them."""
        new = rows[~self.saved[rows]]
        if new.numel():
            self._chunks.append((new, self._weight.detach()[new]))  # indexing copies
            self.saved[new] = True

    def first(self, start: int, stop: int) -> torch.Tensor:
        """Rows [start, stop) as they were before anything changed them: the weight's rows now, with the
        values kept here put back (a copy; the weight is not touched)."""
        rows = self._weight.detach()[start:stop].clone()
        for changed, values in self._chunks:
            inside = (changed >= start) & (changed < stop)
            if bool(inside.any()):
                rows[changed[inside] - start] = values[inside]
        return rows

    def restore(self) -> None:
        with torch.no_grad():
            for rows, values in self._chunks:
                self._weight[rows] = values
