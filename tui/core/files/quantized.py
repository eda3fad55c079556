"""A quantized GGUF embedding (Q8_0, Q4_K, Q6_K, …): its blocks stay in the file's memory map, and only the
rows asked for are dequantized, with `gguf.quants.dequantize`, as llama.cpp's `get_rows` does (the session
over it: `tui.core.chapter.quantized_session`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tui.core.files.file_watch import FileWatch
from tui.core.texts.messages import Message


@dataclass(frozen=True)
class QuantizedWeights:
    """A GGUF tensor in a block type: its blocks (rows × bytes per row, over the file's pages), its type."""

    path: Path
    key: str
    blocks: np.ndarray  # uint8, one row of blocks per token
    kind: str  # gguf.GGMLQuantizationType's name: "Q4_K"
    shape: tuple[int, int]
    bits: float  # per weight
    watch: FileWatch | None = field(default=None, compare=False)
    note: Message | None = None
    about: tuple[tuple[str, str], ...] = ()

    @property
    def nbytes(self) -> int:
        return int(self.blocks.nbytes)

    @property
    def made(self) -> str:
        """How rows come out of it, as the status line says."""
        return f"rows = dequantize({self.key}[ids], {self.kind}), as llama.cpp's get_rows: no nn.Embedding"

    @property
    def dtype(self) -> str:
        """The dtype its rows come out in: float32 (what `dequantize` gives)."""
        return "float32"

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """Rows `ids`, dequantized: float32, ids.shape + (dim,)."""
        from gguf import GGMLQuantizationType
        from gguf.quants import dequantize

        flat = ids.reshape(-1)
        if not flat.size:  # gguf's dequantize cannot shape nothing
            return np.zeros((*ids.shape, self.shape[1]), dtype=np.float32)
        values = dequantize(self.blocks[flat], GGMLQuantizationType[self.kind])
        return values.reshape(*ids.shape, self.shape[1]).astype(np.float32, copy=False)
