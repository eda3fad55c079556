"""A weight file's matrix, its rows read by positional reads: the one road by which passes, the matrix view
and quantized lookups read a file's rows.

A tensor mapped from a file kills the process (SIGBUS) when a page past the file's end is touched, and a
file can be cut while it is open; a check before reading always leaves a gap. A positional read
(`os.preadv`) on a descriptor opened with the file comes back short instead: the rows are refused with
`WeightFileChanged`, and never read again. A file renamed over the path keeps its old content behind the
descriptor, as a mapping keeps its pages.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from tui.core.files.file_watch import Change, FileWatch, WeightFileChanged
from tui.core.files.paths import open_regular
from tui.core.texts.messages import Message

Decode = Callable[[np.ndarray], torch.Tensor]  # rows × bytes per row (uint8) → rows × columns


class FileRows:
    """Rows [start, stop) of a `shape` matrix stored at `offset` in `path`, `row_bytes` a row, decoded by
    `decode`; refused, with the message that says why, once the file was cut or written in place."""

    def __init__(self, path: Path, offset: int, shape: tuple[int, int], row_bytes: int, decode: Decode, dtype: torch.dtype) -> None:
        self.path, self.offset, self.shape, self.row_bytes = Path(path), offset, shape, row_bytes
        self.dtype = dtype  # what rows come out as
        self._decode = decode
        self.watch = FileWatch(self.path)
        with open_regular(self.path) as opened:  # the one road into a file (a regular one, never a pipe)
            self._fd = os.dup(opened.fileno())
        weakref.finalize(self, os.close, self._fd)
        self.changed: Message | None = None  # why the rows are not read any more
        end = offset + shape[0] * row_bytes
        if os.fstat(self._fd).st_size < end:
            raise ValueError(f"the matrix ends past the end of the file ({end} > {os.fstat(self._fd).st_size} bytes)")

    def check(self) -> Change:
        """What became of the file (one `stat`); `WeightFileChanged` once it was cut or written in place."""
        change = self.watch.check()
        if self.changed is None and change is Change.WRITTEN:
            self.changed = self._message()
        if self.changed is not None:
            raise WeightFileChanged(self.changed)
        return change

    def readable(self) -> bool:
        try:
            self.check()
        except WeightFileChanged:
            return False
        return True

    def read(self, start: int, stop: int) -> torch.Tensor:
        """Rows [start, stop), a new tensor; `WeightFileChanged` if the file no longer holds them all."""
        self.check()
        raw = np.empty((max(0, stop - start), self.row_bytes), dtype=np.uint8)
        if not raw.size:
            return torch.empty((raw.shape[0], self.shape[1]), dtype=self.dtype)
        if not self._read_into(memoryview(raw).cast("B"), self.offset + start * self.row_bytes):
            self.changed = self._message()
            raise WeightFileChanged(self.changed)
        return self._decode(raw)

    def take(self, ids: np.ndarray) -> torch.Tensor:
        """Rows `ids` (any shape): ids.shape + (columns,), each distinct row read once."""
        unique, inverse = np.unique(ids.reshape(-1), return_inverse=True)
        if not unique.size:
            return torch.empty((*ids.shape, self.shape[1]), dtype=self.dtype)
        rows = torch.cat([self.read(int(row), int(row) + 1) for row in unique])
        return rows[torch.from_numpy(inverse.reshape(-1))].reshape(*ids.shape, self.shape[1])

    def _read_into(self, buffer: memoryview, position: int) -> bool:
        """Fill `buffer` from `position`; False when the file ends first."""
        done = 0
        while done < len(buffer):
            got = os.preadv(self._fd, [buffer[done:]], position + done)
            if got == 0:
                return False
            done += got
        return True

    def _message(self) -> Message:
        from tui.core.texts.shown import human_size

        before, after = self.watch.opened.size if self.watch.opened else 0, os.fstat(self._fd).st_size
        key = "weights.cut" if after != before else "weights.written"
        return Message(key, {"file": self.path.name, "before": human_size(before), "after": human_size(after)})


NUMPY_OF = {torch.float16: "f2", torch.bfloat16: "i2", torch.float32: "f4", torch.float64: "f8"}  # bfloat16: numpy has none


def stored(dtype: torch.dtype, order: str = "<") -> Decode:
    """Rows of a floating `dtype` stored in byte `order`, as a tensor of that dtype in this machine's order."""
    kept = np.dtype(NUMPY_OF[dtype]).newbyteorder(order)

    def decode(raw: np.ndarray) -> torch.Tensor:
        values = raw.view(kept)
        tensor = torch.from_numpy(values if kept.isnative else values.astype(kept.newbyteorder("=")))
        return tensor.view(torch.bfloat16) if dtype == torch.bfloat16 else tensor

    return decode
