"""A quantized GGUF embedding (Q8_0, Q4_K, Q6_K, …): its blocks stay in the file, and only the rows asked
for are read and dequantized, with `gguf.quants.dequantize`, as llama.cpp's `get_rows` does (the session
over it: `tui.core.chapter.quantized_session`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from tui.core.files.file_rows import FileRows
from tui.core.texts.messages import Message

if TYPE_CHECKING:
    from tui.core.files.gguf_files import GGUFTensor


@dataclass(frozen=True)
class QuantizedWeights:
    """A GGUF tensor in a block type: its rows of blocks, read from the file as asked for (`file`), its type."""

    key: str
    kind: str  # gguf.GGMLQuantizationType's name: "Q4_K"
    shape: tuple[int, int]
    bits: float  # per weight
    file: FileRows
    note: Message | None = None
    about: tuple[tuple[str, str], ...] = ()

    @property
    def path(self) -> Path:
        return self.file.path

    @property
    def nbytes(self) -> int:
        return self.shape[0] * self.file.row_bytes

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
        return self.file.take(ids).numpy()


def quantized_rows(path: Path, tensor: GGUFTensor) -> FileRows:
    """The tensor's rows of blocks in `path`, each dequantized to float32 as it is read."""
    from gguf import GGMLQuantizationType
    from gguf.quants import dequantize

    kind, (rows, cols), row_bytes = GGMLQuantizationType[tensor.kind.name], tensor.shape, tensor.data.shape[1]

    def decode(blocks: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(dequantize(blocks, kind).reshape(-1, cols).astype(np.float32, copy=False))

    return FileRows(path, tensor.offset, (rows, cols), row_bytes, decode, torch.float32)
