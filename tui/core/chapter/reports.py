"""What torch said about the layers, as immutable snapshots: a lookup and its flags, where a backward's
gradient went, what a step changed. The UI keeps the last good one while the user types something invalid."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

    from tui.core.texts.messages import Message
    from tui.core.tokens.parse import ParsedIds


THRESHOLD, EDGE_ITEMS = 1000, 3  # torch's print options, which the app leaves as they are: summarised past
# THRESHOLD elements, showing EDGE_ITEMS rows at each end


@dataclass(frozen=True)
class GradReport:
    """`weight.grad` after backward: where the gradient went."""

    loss: str  # repr(loss): the scalar the last backward() started from
    rows: tuple[int, ...]  # the rows of weight.grad that are not all zero
    zero_rows: int  # how many rows are exactly zero
    text: str  # repr(weight.grad), as torch prints it (indices and values when sparse)
    sparse: bool

    @classmethod
    def of(cls, loss: str, grad: torch.Tensor, rows: tuple[int, ...]) -> GradReport:
        """The report of `grad`, whose non-zero rows are `rows`."""
        return cls(loss, rows, grad.shape[0] - len(rows), repr(grad), grad.is_sparse)


@dataclass(frozen=True)
class StepReport:
    """One SGD step: the token rows it changed, before and after, as torch prints them; and the positional
    rows it changed (section 2.8)."""

    lr: float
    rows: tuple[int, ...]
    before: str
    after: str
    positions: tuple[int, ...] = ()


@dataclass(frozen=True)
class WeightFlags:
    """What torch says about `layer.weight` right now."""

    kind: str | Message  # "Parameter" or "Tensor"; a quantized matrix's GGUF type, said in the reader's language
    shape: tuple[int, ...]
    dtype: str
    requires_grad: bool
    is_leaf: bool
    grad: str  # "None", or the grad's shape (and "sparse" when it is a sparse tensor)

    @classmethod
    def of(cls, weight: torch.Tensor) -> WeightFlags:
        grad = weight.grad
        return cls(
            kind=type(weight).__name__,
            shape=tuple(weight.shape),
            dtype=str(weight.dtype),
            requires_grad=weight.requires_grad,
            is_leaf=weight.is_leaf,
            grad="None" if grad is None else str(tuple(grad.shape)) + (" sparse" if grad.is_sparse else ""),
        )

    def flags(self) -> tuple[tuple[str, object], ...]:
        return (
            ("Parameter", self.kind == "Parameter"),
            ("shape", self.shape),
            ("requires_grad", self.requires_grad),
            ("is_leaf", self.is_leaf),
            ("grad", self.grad),
        )


@dataclass(frozen=True)
class InputSteps:
    """Section 2.8's first two steps for one input, as torch printed them; their sum, the input embeddings,
    is the lookup's result."""

    token_text: str  # repr(token_embeddings)
    token_shape: tuple[int, ...]
    pos_text: str  # repr(pos_embeddings), pos_embedding_layer(torch.arange(T))
    pos_shape: tuple[int, ...]
    rows: Mapping[int, tuple[int, ...]]  # positional row t → the places in the input that added it


@dataclass(frozen=True)
class Lookup:
    """One lookup `layer(torch.tensor(ids))`, as torch printed and flagged it; in section 2.8, the input
    embeddings `layer(ids) + pos_embedding_layer(torch.arange(T))`, with the steps to them."""

    parsed: ParsedIds  # the IDs, and where each was typed
    text: str  # repr(result): exactly what print(result) shows
    shape: tuple[int, ...]
    dtype: str
    requires_grad: bool
    grad_fn: str | None
    is_leaf: bool
    no_grad: bool
    weight: WeightFlags
    positions: Mapping[int, tuple[int, ...]]  # row → the positions in `ids` that looked it up
    renormed: tuple[int, ...] = ()  # rows this lookup changed in place (max_norm)
    steps: InputSteps | None = None  # with a positional layer: the token and positional embeddings

    @classmethod
    def of(
        cls,
        parsed: ParsedIds,
        result: torch.Tensor,
        no_grad: bool,
        weight: WeightFlags,
        renormed: tuple[int, ...] = (),
        steps: InputSteps | None = None,
    ) -> Lookup:
        """What torch printed and flagged of `result`, the lookup of `parsed`; which positions found each row."""
        positions: dict[int, list[int]] = {}
        for position, token_id in enumerate(parsed.ids):
            positions.setdefault(token_id, []).append(position)
        return cls(
            parsed=parsed,
            text=repr(result),
            shape=tuple(result.shape),
            dtype=str(result.dtype),
            requires_grad=result.requires_grad,
            grad_fn=None if result.grad_fn is None else type(result.grad_fn).__name__,
            is_leaf=result.is_leaf,
            no_grad=no_grad,
            weight=weight,
            positions={row: tuple(found) for row, found in positions.items()},
            renormed=renormed,
            steps=steps,
        )

    @property
    def ids(self) -> tuple[int, ...]:
        return self.parsed.ids

    @functools.cached_property
    def one_line_per_id(self) -> bool:
        """torch printed a line per ID (a flat input, its rows neither summarised nor wrapped), so line i is
        ID i's row. A summarised result (`...` between torch's first and last rows) or a batch can have as
        many lines as IDs by chance."""
        count = len(self.ids)
        summarised = count > 2 * EDGE_ITEMS and math.prod(self.shape) > THRESHOLD
        return self.parsed.rows is None and not summarised and self.text.count("\n") + 1 == count

    def flags(self) -> tuple[tuple[str, object], ...]:
        return (
            ("shape", self.shape),
            ("dtype", self.dtype),
            ("requires_grad", self.requires_grad),
            ("grad_fn", f"<{self.grad_fn}>" if self.grad_fn else None),
            ("is_leaf", self.is_leaf),
        )
