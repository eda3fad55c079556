"""The embedding session: one real `torch.nn.Embedding`, its toggles, and lookups through it.

Everything shown about the layer comes from here, read off real torch objects: `repr()` of the
result, `requires_grad`, `grad_fn`, `is_leaf`. Results are immutable snapshots (`Lookup`), so the
UI can keep the last good one while the user types something invalid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch

from tui.core.messages import Message
from tui.core.parse import IdError, ParsedIds
from tui.core.spec import LayerSpec
from tui.core.weights import WeightFile


class IdRangeError(IdError):
    """An ID the layer has no row for: negative, or ≥ the vocabulary size."""


@dataclass(frozen=True)
class WeightFlags:
    """What torch says about `layer.weight` right now."""

    kind: str  # "Parameter" or "Tensor"
    shape: tuple[int, ...]
    dtype: str
    requires_grad: bool
    is_leaf: bool
    grad: str  # "None" or the grad's shape

    def flags(self) -> tuple[tuple[str, object], ...]:
        return (
            ("Parameter", self.kind == "Parameter"),
            ("shape", self.shape),
            ("requires_grad", self.requires_grad),
            ("is_leaf", self.is_leaf),
            ("grad", self.grad),
        )


@dataclass(frozen=True)
class Lookup:
    """One lookup `layer(torch.tensor(ids))`, as torch printed and flagged it."""

    ids: tuple[int, ...]
    text: str  # repr(result): exactly what print(result) shows
    shape: tuple[int, ...]
    dtype: str
    requires_grad: bool
    grad_fn: str | None
    is_leaf: bool
    no_grad: bool
    weight: WeightFlags
    positions: Mapping[int, tuple[int, ...]]  # row → the positions in `ids` that looked it up

    def flags(self) -> tuple[tuple[str, object], ...]:
        return (
            ("shape", self.shape),
            ("dtype", self.dtype),
            ("requires_grad", self.requires_grad),
            ("grad_fn", f"<{self.grad_fn}>" if self.grad_fn else None),
            ("is_leaf", self.is_leaf),
        )


class WeightRows:
    """Row slices of the weight as numpy, for a view that renders only the visible cells.

    float32/64/16 share memory with the weight (no copy); bfloat16, which numpy lacks, is converted
    slice by slice.
    """

    def __init__(self, weight: torch.Tensor) -> None:
        self._weight = weight.detach()
        self._array = None if weight.dtype == torch.bfloat16 else self._weight.numpy()
        self.rows, self.cols = weight.shape

    def row(self, row: int, start: int, stop: int) -> np.ndarray:
        if self._array is not None:
            return self._array[row, start:stop]
        return self._weight[row, start:stop].float().numpy()


class EmbeddingSession:
    """`torch.manual_seed(seed); layer = torch.nn.Embedding(vocab_size, dim)` plus the two toggles; or
    `nn.Embedding.from_pretrained(tensor)` of a weight file (`from_weights`)."""

    def __init__(self, spec: LayerSpec, weights: WeightFile | None = None) -> None:
        self.spec = spec
        self.weights = weights
        if weights is None:
            spec.check()
            torch.manual_seed(spec.seed)
            self.layer = torch.nn.Embedding(spec.vocab_size, spec.dim, dtype=getattr(torch, spec.dtype))
        else:
            self.layer = torch.nn.Embedding.from_pretrained(weights.tensor)  # frozen: torch's default
        self.no_grad = False
        self.rows = WeightRows(self.layer.weight)

    @classmethod
    def from_weights(cls, weights: WeightFile) -> EmbeddingSession:
        rows, cols = weights.tensor.shape
        return cls(LayerSpec(rows, cols, dtype=str(weights.tensor.dtype).removeprefix("torch.")), weights)

    @property
    def frozen(self) -> bool:
        return not self.layer.weight.requires_grad

    def set_frozen(self, frozen: bool) -> None:
        self.layer.weight.requires_grad_(not frozen)

    def weight_flags(self) -> WeightFlags:
        weight = self.layer.weight
        return WeightFlags(
            kind=type(weight).__name__,
            shape=tuple(weight.shape),
            dtype=str(weight.dtype),
            requires_grad=weight.requires_grad,
            is_leaf=weight.is_leaf,
            grad="None" if weight.grad is None else str(tuple(weight.grad.shape)),
        )

    def weight_text(self) -> str:
        """`print(layer.weight)`, as torch prints it."""
        return repr(self.layer.weight)

    def check_range(self, parsed: ParsedIds) -> None:
        """Raise `IdRangeError` for the first ID without a row, quoting what torch itself raises."""
        vocab_size = self.spec.vocab_size
        for position, token_id in enumerate(parsed.ids):
            if 0 <= token_id < vocab_size:
                continue
            key = "range.negative" if token_id < 0 else "range.too_big"
            column = parsed.spans[position][0] + 1
            message = Message(
                key,
                {
                    "id": token_id,
                    "position": position,
                    "column": column,
                    "last": vocab_size - 1,
                    "torch_error": self._torch_error(token_id),
                },
            )
            raise IdRangeError(message, column)

    def _torch_error(self, token_id: int) -> str:
        """What torch raises when asked to look up `token_id`."""
        try:
            with torch.no_grad():
                self.layer(torch.tensor([token_id]))
        except Exception as error:  # noqa: BLE001 - we quote whatever torch says
            return f"{type(error).__name__}: {error}"
        return "no error"

    def lookup(self, parsed: ParsedIds) -> Lookup:
        """`layer(torch.tensor(ids))` (under `torch.no_grad()` when that toggle is on)."""
        self.check_range(parsed)
        indices = torch.tensor(parsed.ids, dtype=torch.long)
        with torch.set_grad_enabled(not self.no_grad):
            result = self.layer(indices)
        positions: dict[int, list[int]] = {}
        for position, token_id in enumerate(parsed.ids):
            positions.setdefault(token_id, []).append(position)
        return Lookup(
            ids=parsed.ids,
            text=repr(result),
            shape=tuple(result.shape),
            dtype=str(result.dtype),
            requires_grad=result.requires_grad,
            grad_fn=None if result.grad_fn is None else type(result.grad_fn).__name__,
            is_leaf=result.is_leaf,
            no_grad=self.no_grad,
            weight=self.weight_flags(),
            positions={row: tuple(found) for row, found in positions.items()},
        )
