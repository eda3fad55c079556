"""The session over a quantized GGUF matrix (`tui.core.files.quantized`): there is no `nn.Embedding` here (torch
has no such dtype): a lookup is the dequantized rows as a float32 tensor, and the training lab is off, with the
reason said. Every other part of the app reads this session as it reads an `EmbeddingSession`.
"""

from __future__ import annotations

import numpy as np
import torch

from tui.core.chapter.code import tensor_literal
from tui.core.chapter.reports import Lookup, WeightFlags
from tui.core.chapter.rows import ReadRows
from tui.core.chapter.spec import LayerSpec
from tui.core.files.quantized import QuantizedWeights
from tui.core.files.script_files import ScriptFile, top
from tui.core.texts.messages import Message, MessageError
from tui.core.texts.shown import human_size
from tui.core.tokens.parse import ParsedIds, check_range


class Untrainable(MessageError):
    """An action a quantized matrix cannot take (training, one-hot, other layer options)."""


class QuantizedSession:
    """What the app reads of a session, for a quantized matrix: lookups of dequantized rows, flags, the file's
    safety; no gradient, no history. `trainable` is False: the explorer offers no training, one-hot, other
    options or positions, and says why (`untrainable`); unfreezing raises that same `Untrainable`."""

    trainable = False
    decoded = True  # every row read is dequantized: a neighbour search keeps a bfloat16 copy for later queries
    padding_idx = None
    positions = None
    grad = None
    grad_rows = None
    no_grad = False
    frozen = True  # nothing here can be trained

    def __init__(self, weights: QuantizedWeights) -> None:
        self.weights = weights
        self.spec = LayerSpec.of_file(weights)
        self.history: list[object] = []
        self.version = 0
        self.file = weights.file  # every row read goes through it
        self.rows = ReadRows(self.read_rows, weights.shape, self.file.readable)

    @property
    def steps(self) -> int:
        return 0

    def check_file(self) -> None:
        self.file.check()

    def untrainable(self) -> Untrainable:
        """Why the lab is off, to raise."""
        params = {"name": self.weights.key, "kind": self.weights.kind, "bits": f"{self.weights.bits:.4g}"}
        return Untrainable(Message("gguf.no_training", params))

    def set_frozen(self, frozen: bool) -> None:
        if not frozen:
            raise self.untrainable()

    def weight_flags(self) -> WeightFlags:
        rows, cols = self.weights.shape
        kind = Message("gguf.kind", {"kind": self.weights.kind, "bits": f"{self.weights.bits:.4g}"})
        return WeightFlags(kind, (rows, cols), self.weights.kind.lower(), False, True, "None")

    def read_rows(self, start: int, stop: int) -> torch.Tensor:
        """Rows [start, stop), dequantized to float32 (a `chunks.RowReader`)."""
        return self.file.read(start, stop)

    def read_first_rows(self, start: int, stop: int) -> torch.Tensor:
        """Rows as opened: nothing changes a quantized matrix's rows."""
        return self.read_rows(start, stop)

    def weight_text(self) -> str:
        """Not a torch print (there is no such tensor): what the matrix is, and how rows come out of it."""
        weights = self.weights
        rows, cols = weights.shape
        return f"# {weights.key}: {weights.kind} blocks ({weights.bits:.4g} bits per weight), {rows} × {cols}, {human_size(weights.nbytes)}; rows are dequantized as they are read"

    def script(self, parsed: ParsedIds) -> str:
        """Copy as code: gguf reads the same rows (there is no layer to make) and prints them as the result
        panel does."""
        weights = self.weights
        return "\n".join([
            "import torch",
            "from gguf import GGUFReader",
            "from gguf.quants import dequantize",
            "",
            *top((ScriptFile("WEIGHTS", "the GGUF file", weights.path),)),
            f"input_ids = {tensor_literal(parsed.ids, parsed.rows)}",
            f"tensor = next(t for t in GGUFReader(WEIGHTS).tensors if t.name == {weights.key!r})  # {weights.kind}",
            "rows = dequantize(tensor.data[input_ids.reshape(-1).numpy()], tensor.tensor_type)  # as llama.cpp's get_rows",
            "print(torch.from_numpy(rows).reshape(*input_ids.shape, -1))",
        ]) + "\n"

    def check_range(self, parsed: ParsedIds) -> None:
        check_range(parsed, self.spec.vocab_size, self._torch_error)

    def _torch_error(self, token_id: int) -> str | Message:
        """What torch raises for `token_id` in a matrix of this many rows (one value seen as a column of them,
        so nothing is allocated): get_rows refuses the same IDs."""
        try:
            torch.nn.functional.embedding(torch.tensor([token_id]), torch.empty(1, 1).expand(self.spec.vocab_size, 1))
        except Exception as error:  # noqa: BLE001 - we quote whatever torch says
            return f"{type(error).__name__}: {error}"
        return Message("range.torch_accepted")

    def lookup(self, parsed: ParsedIds) -> Lookup:
        """The rows of `parsed`, dequantized into a float32 tensor of the input's shape + (dim,)."""
        self.check_range(parsed)
        self.check_file()
        ids = np.array(parsed.ids, dtype=np.int64).reshape(parsed.shape)
        return Lookup.of(parsed, torch.from_numpy(self.weights.rows(ids)), self.no_grad, self.weight_flags())
