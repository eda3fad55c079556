"""What was done to the layer, in order. The session replays it (undo, reset) and copy-as-code prints it,
so the app and the copied script run the same torch operations in the same order."""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.tokens.parse import shape_of

LOSSES = {"sum": "result.sum()", "sqmean": "(result ** 2).mean()"}  # the scalar that backward() starts from


@dataclass(frozen=True)
class Forward:
    """A lookup that changed the weight: with max_norm, it renormalises the rows it reads, in place."""

    ids: tuple[int, ...]
    rows: int | None = None  # typed as a batch of this many rows

    @property
    def shape(self) -> tuple[int, ...]:
        return shape_of(self.ids, self.rows)


@dataclass(frozen=True)
class Backward:
    """`result = layer(ids); loss(result).backward()`: the gradient adds up in `weight.grad`. With a
    positional layer, `result` adds positions 0..T-1, so the input's shape matters."""

    ids: tuple[int, ...]
    loss: str  # a key of LOSSES
    rows: int | None = None  # typed as a batch of this many rows

    @property
    def shape(self) -> tuple[int, ...]:
        return shape_of(self.ids, self.rows)


@dataclass(frozen=True)
class Step:
    """`torch.optim.SGD(layer.parameters(), lr=lr).step()`: weight -= lr * weight.grad."""

    lr: float


@dataclass(frozen=True)
class ZeroGrad:
    """`layer.zero_grad()`: weight.grad becomes None (torch's default, set_to_none=True)."""


Event = Forward | Backward | Step | ZeroGrad
