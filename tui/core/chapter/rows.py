"""Row slices of a 2-D matrix as numpy, for a view that formats only the visible cells.

A layer made here and a dense `weight.grad` are read through `TensorRows`; a file's weight through
`ReadRows`, by the session's reader (never through the file's pages); a sparse `weight.grad` (sparse=True)
through `SparseRows`, which shows each row as the sum of its entries, as `grad.to_dense()` would; the
difference B − A of two matrices compared, by A's rows, through `DifferenceRows`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import numpy as np
import torch

from tui.core.files.file_watch import WeightFileChanged

ROWS_KEPT = 512  # rows a matrix view keeps read: a screen's worth several times over


class TensorRows:
    """float32/64/16 share memory with the tensor (no copy, so in-place changes show); bfloat16, which numpy
    lacks, is converted slice by slice."""

    def __init__(self, tensor: torch.Tensor) -> None:
        self._tensor = tensor.detach()
        self._array = None if tensor.dtype == torch.bfloat16 else self._tensor.numpy()
        self.rows, self.cols = tensor.shape

    def row(self, row: int, start: int, stop: int) -> np.ndarray:
        if self._array is not None:
            return self._array[row, start:stop]
        return self._tensor[row, start:stop].float().numpy()


class ReadRows:
    """Rows through a reader (`read(start, stop)`, as passes read them), the last `kept` of them kept: a
    repaint reads only the rows it has not shown (a read is a `stat`, a positional read and a conversion,
    or a dequantization). What is kept is dropped when `version()` moves: a step or a max_norm lookup
    changed rows, or the file changed on disk. No rows once the reader refuses them (which the explorer
    says)."""

    def __init__(self, read: Callable[[int, int], torch.Tensor], shape: tuple[int, int], version: Callable[[], object]) -> None:
        self._read, self._version = read, version
        self._kept, self._kept_version = OrderedDict[int, np.ndarray](), None  # kept at version `_kept_version`
        self.rows, self.cols = shape

    def row(self, row: int, start: int, stop: int) -> np.ndarray:
        if self._kept_version != (version := self._version()):
            self._kept.clear()
            self._kept_version = version
        values = self._kept.get(row)
        if values is None:
            try:
                values = self._read(row, row + 1)[0].float().numpy()
            except WeightFileChanged:
                return np.empty(0, dtype=np.float32)
            self._kept[row] = values
            if len(self._kept) > ROWS_KEPT:
                self._kept.popitem(last=False)
        else:
            self._kept.move_to_end(row)
        return values[start:stop]


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


class DifferenceRows:
    """B − A by the rows of A: each row of B (`b_of`: the row of B that row of A is, None for none: NaN)
    less the row of A, read through the two readers and kept as `ReadRows` keeps rows; `change(row)` is
    ‖b − a‖, as torch computes it."""

    def __init__(
        self, read_a: Callable[[int, int], torch.Tensor], read_b: Callable[[int, int], torch.Tensor], b_of: Callable[[int], int | None],
        shape: tuple[int, int], version: Callable[[], object],
    ) -> None:
        def read(start: int, stop: int) -> torch.Tensor:
            rows_a = read_a(start, stop).float()
            rows_b = [None if (b := b_of(row)) is None else read_b(b, b + 1)[0].float() for row in range(start, stop)]
            return torch.stack([torch.full_like(a, torch.nan) if b is None else b - a for a, b in zip(rows_a, rows_b, strict=True)])

        self._rows = ReadRows(read, shape, version)
        self.rows, self.cols = shape

    def row(self, row: int, start: int, stop: int) -> np.ndarray:
        return self._rows.row(row, start, stop)

    def change(self, row: int) -> str:
        """‖b − a‖ of `row`, as the matrix view's column shows it ("" when its rows cannot be read)."""
        values = self._rows.row(row, 0, self.cols)
        return f"{torch.linalg.vector_norm(torch.from_numpy(values)).item():.4g}" if len(values) else ""
