"""What layer to build: `nn.Embedding(vocab_size, dim, dtype=...)` after `torch.manual_seed(seed)`.

Pure Python, so bad launch options are refused before torch is imported.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.messages import Message

DTYPES = ("float32", "float64", "float16", "bfloat16")
_ITEM_SIZE = {"float32": 4, "float64": 8, "float16": 2, "bfloat16": 2}
MAX_ELEMENTS = 128256 * 4096  # Llama 3's embedding matrix
MAX_SEED = 2**64 - 1  # torch.manual_seed accepts 0 .. 2**64 - 1


class SpecError(ValueError):
    """A layer that cannot or should not be built, with a catalog message saying why."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.english())
        self.message = message


def human_size(nbytes: int) -> str:
    """1536 → '1.5 KB': sizes in decimal units, as people read them."""
    size = float(nbytes)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class LayerSpec:
    """The book's defaults: `torch.manual_seed(123); torch.nn.Embedding(6, 3)`."""

    vocab_size: int = 6
    dim: int = 3
    seed: int = 123
    dtype: str = "float32"

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
