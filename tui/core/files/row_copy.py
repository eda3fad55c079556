"""A matrix's rows kept in bfloat16 in a temporary file: the compact copy a first pass writes as it reads rows
that cost much to make (dequantized ones), which later passes read back by positional reads (`FileRows`)
instead of making every row again. The file is page cache, not the process's memory; its name is removed as
soon as it is complete, so it lives as long as the `FileRows` reading it, and a pass that stops early
removes it too.
"""

from __future__ import annotations

import os
import tempfile
import weakref

import torch

from tui.core.files.file_rows import FileRows, stored


class RowCopy:
    """A bfloat16 copy of a `shape` matrix, written a chunk of rows at a time (`write`), read once complete
    (`finish`). Gives up (`finish` is None) when the file cannot be written or a finite value is too large
    for bfloat16: the caller reads the rows as before."""

    def __init__(self, shape: tuple[int, int]) -> None:
        self.shape = shape
        self._row_bytes = shape[1] * 2
        self._fd, self._path = tempfile.mkstemp(prefix="embedding-explorer-rows-", suffix=".bf16")
        self._remove = weakref.finalize(self, _remove, self._fd, self._path)
        self._given_up = False

    def write(self, start: int, rows: torch.Tensor) -> None:
        """Rows start.. (float32) rounded to bfloat16, at their place in the file."""
        if self._given_up:
            return
        rounded = rows.bfloat16()
        if bool(rounded.isinf().any()) and bool((rounded.isinf() & rows.isfinite()).any()):
            self.give_up()  # rounded up past bfloat16's largest: no bound would hold
            return
        data = memoryview(rounded.view(torch.int16).numpy()).cast("B")
        try:
            done, position = 0, start * self._row_bytes
            while done < len(data):
                done += os.pwrite(self._fd, data[done:], position + done)
        except OSError:
            self.give_up()  # a full disk, a temporary folder that went away: no copy

    def finish(self) -> FileRows | None:
        """The copy, read as bfloat16 rows (its name removed: the reader holds the file open); None if given up."""
        if self._given_up:
            return None
        try:
            copy = FileRows(self._path, 0, self.shape, self._row_bytes, stored(torch.bfloat16, "="), torch.bfloat16)
        except (OSError, ValueError):
            copy = None
        self.give_up()
        return copy

    def give_up(self) -> None:
        """Close and remove the file (a reader made by `finish` keeps its own descriptor)."""
        self._given_up = True
        self._remove()


def _remove(fd: int, path: str) -> None:
    os.close(fd)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
