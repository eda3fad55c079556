"""Section 2.8: the positional embedding layer, added to the token embeddings to make the input embeddings.

`pos_embedding_layer = torch.nn.Embedding(context_length, dim)` is made as a script making it right after
the token layer would (`EmbeddingSession` makes it); positions 0..T-1 of each input are looked up in it, and
broadcasting adds those rows to every row of a batch. The session drives both layers through a lookup and
through training; this class keeps what belongs to the positional one.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

from tui.core.chapter.originals import Originals
from tui.core.chapter.reports import GradReport, WeightFlags
from tui.core.chapter.rows import TensorRows
from tui.core.texts.messages import Message
from tui.core.tokens.parse import IdError, ParsedIds


class PositionalLayer:
    """The positional layer beside the token layer: its rows for the matrix view, the first values of the
    rows a step changed (undo, reset), and where its gradient is."""

    def __init__(self, layer: torch.nn.Embedding) -> None:
        self.layer = layer
        self.rows = TensorRows(layer.weight)
        self.grad: GradReport | None = None  # None until backward() (and after zero_grad)
        self._originals = Originals(layer.weight)
        self._reached = 0  # backward() reached positions 0..reached-1 since weight.grad was None
        self._grad_rows: TensorRows | None = None
        self._looked_up: tuple[tuple[object, ...], torch.Tensor, str] | None = None  # the last lookup's rows and text

    @property
    def context_length(self) -> int:
        return self.layer.num_embeddings

    def flags(self) -> WeightFlags:
        return WeightFlags.of(self.layer.weight)

    def check(self, parsed: ParsedIds) -> None:
        """Raise `IdError` for an input longer than the context length: the first position without a row,
        and what torch itself raises for it."""
        length, context = parsed.shape[-1], self.context_length
        if length <= context:
            return
        try:
            with torch.no_grad():
                self.embeddings(length)
            torch_error = Message("range.torch_accepted")
        except IndexError as error:
            torch_error = f"IndexError: {error}"
        params = {"length": length, "context": context, "last": context - 1, "torch_error": torch_error}
        raise IdError(Message("positions.too_long", params), parsed.spans[context][0] + 1)

    def embeddings(self, length: int) -> torch.Tensor:
        """`pos_embedding_layer(torch.arange(length))`: the rows of positions 0..length-1."""
        return self.layer(torch.arange(length))

    def looked_up(self, length: int, version: int) -> tuple[torch.Tensor, str]:
        """`embeddings(length)` for a lookup, and how torch prints it: made again only when the length, the
        values (`version`, the session's) or what autograd records change, not on every key typed."""
        key = (length, version, torch.is_grad_enabled(), self.layer.weight.requires_grad)
        if self._looked_up is None or self._looked_up[0] != key:
            rows = self.embeddings(length)
            self._looked_up = (key, rows, repr(rows))
        return self._looked_up[1], self._looked_up[2]

    @staticmethod
    def places(shape: tuple[int, ...]) -> Mapping[int, tuple[int, ...]]:
        """Positional row t → the places in an input of `shape` that add it: t, in every row of a batch."""
        length, batch = shape[-1], shape[0] if len(shape) == 2 else 1
        return {t: tuple(row * length + t for row in range(batch)) for t in range(length)}

    # -- training (the session calls these as it trains both layers) ---------------------------
    def reached(self, length: int) -> None:
        """backward() went through positions 0..length-1."""
        self._reached = max(self._reached, length)

    def grad_changed(self, loss: str) -> None:
        """Read where the gradient is now. Only rows backward() reached can hold any."""
        grad = self.layer.weight.grad
        self._grad_rows = None
        if grad is None:
            self.grad = None
            return
        rows = torch.arange(self._reached)
        self.grad = GradReport.of(loss, grad, tuple(rows[grad[rows].ne(0).any(dim=1)].tolist()))

    @property
    def grad_rows(self) -> TensorRows | None:
        """`pos_embedding_layer.weight.grad` for the matrix view; None before backward (or after zero_grad)."""
        grad = self.layer.weight.grad
        if grad is not None and self._grad_rows is None:
            self._grad_rows = TensorRows(grad)
        return self._grad_rows

    def save(self) -> torch.Tensor:
        """Keep the first values of the rows a step is about to change (those with gradient); return them."""
        rows = torch.tensor(self.grad.rows if self.grad else (), dtype=torch.long)
        self._originals.save(rows)
        return rows

    def drop_grad(self) -> None:
        self.layer.zero_grad()
        self._reached = 0

    def restore(self) -> None:
        """The first values back (undo and reset replay the history from them)."""
        self._originals.restore()
