"""A matrix read a chunk of rows at a time, for work over every row (neighbours, statistics): a memory-mapped
128256 × 4096 bfloat16 file is never copied whole to float32. Before each chunk the work asks whether to go
on (a newer request cancels it); after each it says how far it got."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import torch

from tui.core.jobs import Cancelled

RowReader = Callable[[int, int], torch.Tensor]  # rows [start, stop), as stored (any floating dtype)
CHUNK_VALUES = 1 << 22  # values per chunk: 16 MB once in float32, whatever the row width


def rows_per_chunk(dim: int) -> int:
    return max(1, CHUNK_VALUES // max(1, dim))


def chunks(
    read: RowReader,
    rows: int,
    chunk_rows: int,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    as_stored: bool = False,
) -> Iterator[tuple[int, int, torch.Tensor]]:
    """(start, stop, rows start..stop as float32 (see `Float32`), or `as_stored`) for every chunk;
    `cancelled()` True before a chunk raises `Cancelled`, `progress(fraction)` follows each chunk and ends at
    1.0 (at once for no rows)."""
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, not {chunk_rows}")
    converted = Float32()
    for start in range(0, rows, chunk_rows):
        if cancelled is not None and cancelled():
            raise Cancelled
        stop = min(start + chunk_rows, rows)
        chunk = read(start, stop)
        yield start, stop, chunk if as_stored else converted(chunk)
        if progress is not None:
            progress(stop / rows)
    if rows == 0 and progress is not None:
        progress(1.0)


class Float32:
    """Chunks as float32: float32 ones as they are, others converted into one buffer, reused, so a chunk is
    valid until the next one (a new 16 MB allocation per chunk, the last one still held, costs more than
    the conversion)."""

    def __init__(self) -> None:
        self._buffer: torch.Tensor | None = None

    def __call__(self, chunk: torch.Tensor) -> torch.Tensor:
        if chunk.dtype == torch.float32:
            return chunk
        if self._buffer is None or self._buffer.shape[0] < chunk.shape[0] or self._buffer.shape[1:] != chunk.shape[1:]:
            self._buffer = torch.empty(chunk.shape)
        return self._buffer[: chunk.shape[0]].copy_(chunk)
