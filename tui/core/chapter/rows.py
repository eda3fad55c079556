"""Row slices of a 2-D tensor as numpy, for a view that formats only the visible cells.

The weight and a dense `weight.grad` are read through `TensorRows`; a sparse `weight.grad` (sparse=True)
through `SparseRows`, which shows each row as the sum of its entries, as `grad.to_dense()` would.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch


class TensorRows:
    """float32/64/16 share memory with the tensor (no copy, so in-place changes show); bfloat16, which numpy
    lacks, is converted slice by slice. `readable` is asked before each read: a tensor over a file's pages
    that changed on disk gives empty rows instead (see `tui.core.files.file_watch`)."""

    def __init__(self, tensor: torch.Tensor, readable: Callable[[], bool] | None = None) -> None:
        self._tensor = tensor.detach()
        self._array = None if tensor.dtype == torch.bfloat16 else self._tensor.numpy()
        self._readable = readable
        self.rows, self.cols = tensor.shape

    def row(self, row: int, start: int, stop: int) -> np.ndarray:
        if self._readable is not None and not self._readable():
            return np.empty(0, dtype=np.float32)
        if self._array is not None:
            return self._array[row, start:stop]
        return self._tensor[row, start:stop].float().numpy()


class SparseRows:
    """A sparse COO gradient: the rows it holds (repeated indices summed), zeros elsewhere."""

    def __init__(self, tensor: torch.Tensor) -> None:
        coalesced = tensor.detach().coalesce()
        self._values = TensorRows(coalesced.values())
        self._index = {row: position for position, row in enumerate(coalesced.indices()[0].tolist())}
        self.rows, self.cols = tensor.shape

    def row(self, row: int, start: int, stop: int) -> np.ndarray:
        position = self._index.get(row)
        if position is None:
            return np.zeros(max(0, min(stop, self.cols) - start), dtype=np.float32)
        return self._values.row(position, start, stop)
