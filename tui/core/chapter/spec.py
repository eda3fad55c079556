"""What layer to build: `nn.Embedding(vocab_size, dim, dtype=...)` after `torch.manual_seed(seed)`.

Pure Python, so bad launch options are refused before torch is imported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

from tui.core.files.limits import MAX_ELEMENTS
from tui.core.texts.messages import Message, MessageError
from tui.core.texts.shown import human_size
from tui.core.tokens.parse import number, whole_number

DTYPES = ("float32", "float64", "float16", "bfloat16")
_ITEM_SIZE = {"float32": 4, "float64": 8, "float16": 2, "bfloat16": 2}
LARGEST = {"float32": 3.4028234663852886e38, "float64": 1.7976931348623157e308, "float16": 65504.0, "bfloat16": 3.3895313892515355e38}
MAX_SEED = 2**64 - 1  # torch.manual_seed accepts 0 .. 2**64 - 1


class FileMatrix(Protocol):
    """What a layer needs to know of a file's matrix (a `WeightFile`, `QuantizedWeights`)."""

    @property
    def shape(self) -> tuple[int, int]: ...

    @property
    def dtype(self) -> str: ...


class SpecError(MessageError, ValueError):
    """A layer that cannot or should not be built, with a catalog message saying why."""



@dataclass(frozen=True)
class LayerOptions:
    """The keyword arguments of `nn.Embedding` that change what a lookup and its gradient do."""

    padding_idx: int | None = None  # that row starts at zero and never receives gradient
    max_norm: float | None = None  # a lookup renormalises the rows it reads, in place
    scale_grad_by_freq: bool = False  # a repeated ID's gradient is divided by its count
    sparse: bool = False  # weight.grad is a sparse tensor holding only the looked-up rows

    def check(self, vocab_size: int) -> None:
        """Raise `SpecError` for what torch would refuse (padding_idx) or what means nothing (max_norm ≤ 0)."""
        if self.padding_idx is not None and not -vocab_size <= self.padding_idx < vocab_size:
            raise SpecError(Message("spec.padding_idx", {"value": self.padding_idx, "rows": vocab_size, "last": vocab_size - 1}))
        if self.max_norm is not None and not (math.isfinite(self.max_norm) and self.max_norm > 0):
            raise SpecError(Message("spec.max_norm", {"value": self.max_norm}))

    def keywords(self) -> dict[str, object]:
        """Only the options that differ from torch's defaults, as `nn.Embedding` takes them."""
        return {name: value for name, value in vars(self).items() if value is not None and value is not False}  # padding_idx=0 is an option

    def code(self) -> str:
        """`, padding_idx=0, max_norm=1.0`: the options as the script writes them."""
        return "".join(f", {name}={value!r}" for name, value in self.keywords().items())


def learning_rate(lr: float | None, dtype: str) -> float:
    """SGD's learning rate for a weight of `dtype`, if it is one: a finite number ≥ 0 that the dtype can
    hold (the step multiplies the gradient by it); else a `SpecError` saying so."""
    if lr is None or not (math.isfinite(lr) and lr >= 0):
        raise SpecError(Message("train.lr", {"value": lr}))
    if lr > LARGEST[dtype]:
        raise SpecError(Message("train.lr_too_big", {"value": lr, "dtype": dtype, "largest": LARGEST[dtype]}))
    return lr


def option_field(name: str, text: str, spec: LayerSpec) -> float | int | None:
    """A training option as typed in its field for the layer `spec`: `lr`, `padding_idx` or `max_norm`
    (empty: None); a `SpecError` says what is wrong and what is valid."""
    kind = whole_number if name == "padding_idx" else number
    text = text.strip()
    try:
        value = kind(text) if text else None
    except ValueError:
        raise SpecError(Message("options.not_number", {"name": name, "text": text})) from None
    if name == "lr":
        return learning_rate(value, spec.dtype)
    LayerOptions(**{name: value}).check(spec.vocab_size)
    return value


@dataclass(frozen=True)
class LayerSpec:
    """The book's defaults: `torch.manual_seed(123); torch.nn.Embedding(6, 3)`."""

    vocab_size: int = 6
    dim: int = 3
    seed: int = 123
    dtype: str = "float32"
    options: LayerOptions = field(default_factory=LayerOptions)

    @classmethod
    def of_file(cls, matrix: FileMatrix, options: LayerOptions | None = None) -> LayerSpec:
        """The layer `nn.Embedding.from_pretrained(matrix, **options)` makes of a file's matrix."""
        rows, cols = matrix.shape
        return cls(rows, cols, dtype=matrix.dtype, options=options or LayerOptions())

    @property
    def nbytes(self) -> int:
        return self.vocab_size * self.dim * _ITEM_SIZE[self.dtype]

    def check(self) -> None:
        """Raise `SpecError` for a size, seed or dtype that torch would refuse or that is too big."""
        for name, value in (("vocab_size", self.vocab_size), ("dim", self.dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise SpecError(Message(f"spec.{name}", {"value": value}))
        if not isinstance(self.seed, int) or not 0 <= self.seed <= MAX_SEED:
            raise SpecError(Message("spec.seed", {"value": self.seed}))
        if self.dtype not in DTYPES:
            raise SpecError(Message("spec.dtype", {"value": self.dtype, "choices": ", ".join(DTYPES)}))
        if self.vocab_size * self.dim > MAX_ELEMENTS:
            raise SpecError(
                Message(
                    "spec.too_big",
                    {
                        "vocab_size": self.vocab_size,
                        "dim": self.dim,
                        "dtype": self.dtype,
                        "size": human_size(self.nbytes),
                        "limit": MAX_ELEMENTS,
                    },
                )
            )
        self.options.check(self.vocab_size)
