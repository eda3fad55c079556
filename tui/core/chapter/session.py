"""The embedding session: one real `torch.nn.Embedding`, its toggles, lookups through it and its training;
in section 2.8, with the positional layer beside it (`tui.core.chapter.positions`), looked up and trained together.

Everything shown about the layer comes from here, read off real torch objects: `repr()` of the
result, `requires_grad`, `grad_fn`, `is_leaf`. Results are immutable snapshots (`tui.core.chapter.reports`), so
the UI can keep the last good one while the user types something invalid.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import torch

from tui.core.chapter.code import reproduce_script
from tui.core.chapter.history import LOSSES, Backward, Event, Forward, Step, ZeroGrad
from tui.core.chapter.originals import Originals
from tui.core.chapter.positions import PositionalLayer
from tui.core.chapter.quantized_session import QuantizedSession
from tui.core.chapter.reports import GradReport, InputSteps, Lookup, StepReport, WeightFlags
from tui.core.chapter.rows import ReadRows, SparseRows, TensorRows
from tui.core.chapter.spec import LayerOptions, LayerSpec, learning_rate
from tui.core.files.limits import check_matrix
from tui.core.files.quantized import QuantizedWeights
from tui.core.files.weights import WeightFile
from tui.core.texts.messages import Message, MessageError
from tui.core.tokens.parse import ParsedIds, check_range

if TYPE_CHECKING:
    from tui.core.tokens.tokenizer import TokenizerCode


class TrainingError(MessageError):
    """A training action torch refused or that cannot run yet, with a catalog message saying why."""


NO_ROWS = torch.empty(0, dtype=torch.long)


def make_session(
    spec: LayerSpec,
    weights: WeightFile | QuantizedWeights | None = None,
    *,
    frozen: bool | None = None,
    no_grad: bool = False,
    context_length: int | None = None,
) -> EmbeddingSession | QuantizedSession:
    """The session a layer needs: a quantized GGUF matrix's own (no nn.Embedding: rows dequantized as read),
    else an `EmbeddingSession`."""
    if not isinstance(weights, QuantizedWeights):
        return EmbeddingSession(spec, weights, frozen=frozen, no_grad=no_grad, context_length=context_length)
    session = QuantizedSession(weights)
    if context_length is not None or spec.options != LayerOptions():  # both need an nn.Embedding
        raise session.untrainable()
    session.no_grad = no_grad
    return session


@functools.cache
def warm_optimizer() -> None:
    """The first `torch.optim` optimizer imports torch._dynamo, which takes a while: doing it ahead keeps
    that wait off the first SGD step."""
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)


class EmbeddingSession:
    """`torch.manual_seed(seed); layer = torch.nn.Embedding(vocab_size, dim)` plus the two toggles; or
    `nn.Embedding.from_pretrained(tensor)` of a weight file; with a `context_length`, the positional layer
    made right after it (`positions`), which lookups add and training trains too. Training actions
    (backward, step, zero_grad) are kept in `history`, which undo and reset replay and copy-as-code prints.

    The session owns what torch says about its layer: `grad` (where the gradient is) and `version`, which
    changes whenever values of the weight or its gradient change in place."""

    trainable = True  # an nn.Embedding: the training lab works on it
    decoded = False  # its rows are read as they are stored

    def __init__(
        self,
        spec: LayerSpec,
        weights: WeightFile | None = None,
        *,
        frozen: bool | None = None,
        no_grad: bool = False,
        context_length: int | None = None,
    ) -> None:
        """`weights`: the layer is `from_pretrained(weights.tensor)`, and `spec` is `LayerSpec.of_file(weights, options)`.
        `frozen` None keeps torch's default: trainable when seeded, frozen from a file; the positional layer
        follows the token layer (F2 freezes both)."""
        options = spec.options.keywords()
        spec.check()
        if weights is None:
            torch.manual_seed(spec.seed)
            self.layer = torch.nn.Embedding(spec.vocab_size, spec.dim, dtype=getattr(torch, spec.dtype), **options)
            self._random_after = torch.get_rng_state()  # where a layer made next (positions) starts from
        else:
            if LayerSpec.of_file(weights, spec.options) != spec:
                raise ValueError(f"{spec} does not describe {weights.key} of {weights.path}")
            self.layer = torch.nn.Embedding.from_pretrained(weights.tensor, **options)  # frozen: torch's default
            with torch.random.fork_rng():
                torch.manual_seed(spec.seed)
                self._random_after = torch.get_rng_state()
        self.spec = spec
        self.weights = weights
        self.positions = None if context_length is None else PositionalLayer(self.positional_layer(context_length))
        self.set_frozen(self.frozen if frozen is None else frozen)
        self.no_grad = no_grad
        self.file = weights.file if weights is not None else None  # the weight's rows as the file holds them
        self.rows = TensorRows(self.layer.weight) if self.file is None else ReadRows(self.read_rows, (spec.vocab_size, spec.dim), lambda: (self.version, self.file.readable()))
        self.history: list[Event] = []
        self.grad: GradReport | None = None  # None until backward() (and after zero_grad)
        self.version = 0
        self._originals = Originals(self.layer.weight)
        self._grad_ids = NO_ROWS  # the rows backward() has reached since weight.grad was None
        self._grad_rows: TensorRows | SparseRows | None = None

    def check_file(self) -> None:
        """Raise `WeightFileChanged` before anything reads or writes the weight's rows, if the file was cut
        or written in place (see `FileRows`)."""
        if self.file is not None:
            self.file.check()

    @property
    def frozen(self) -> bool:
        return not self.layer.weight.requires_grad

    @property
    def padding_idx(self) -> int | None:
        """The padding row as torch keeps it (a negative padding_idx counted from the end)."""
        return self.layer.padding_idx

    def set_frozen(self, frozen: bool) -> None:
        for weight in self.weights_trained():
            weight.requires_grad_(not frozen)

    def weights_trained(self) -> list[torch.nn.Parameter]:
        """The weights a backward reaches and a step changes: the token layer's, then the positional one's."""
        return [self.layer.weight] + ([] if self.positions is None else [self.positions.layer.weight])

    def weight_flags(self) -> WeightFlags:
        return WeightFlags.of(self.layer.weight)

    def script(self, parsed: ParsedIds, typed: tuple[TokenizerCode, str] | None = None) -> str:
        """Copy as code: the script that makes this layer, trains it as it was, and prints the lookup of `parsed`
        (with `typed`: of the text typed, encoded by the tokenizer's code)."""
        code = self.weights.code if self.weights else None
        context_length = None if self.positions is None else self.positions.context_length
        return reproduce_script(
            self.spec, parsed.ids, self.frozen, self.no_grad, code, self.history, rows=parsed.rows, context_length=context_length, typed=typed
        )

    def positional_layer(self, context_length: int) -> torch.nn.Embedding:
        """`pos_embedding_layer = torch.nn.Embedding(context_length, dim)`, made as if right after this layer
        (`torch.manual_seed(seed)` first, for a file's): the numbers a script making both in turn gets; a
        `SizeError` first when the context length asks for more than `limits` allows."""
        what = Message("limits.what_positions", {"context_length": context_length, "dim": self.spec.dim})
        check_matrix(context_length, self.spec.dim, self.layer.weight.element_size(), what)
        with torch.random.fork_rng():
            torch.set_rng_state(self._random_after)
            return torch.nn.Embedding(context_length, self.spec.dim, dtype=self.layer.weight.dtype)

    def read_rows(self, start: int, stop: int) -> torch.Tensor:
        """Rows [start, stop) of the weight as stored (a `chunks.RowReader`): a view of a layer made here; for a
        file's, read from the file (never through its pages: a file cut meanwhile is refused, not a crash),
        with the rows changed in place taken from memory."""
        weight = self.layer.weight.detach()
        if self.file is None:
            return weight[start:stop]
        rows = self.file.read(start, stop)
        changed = self._originals.saved[start:stop]
        if bool(changed.any()):
            rows[changed] = weight[start:stop][changed]
        return rows

    def read_first_rows(self, start: int, stop: int) -> torch.Tensor:
        """Rows [start, stop) as the layer was created or opened, before any step or max_norm lookup changed
        them (a `chunks.RowReader`): a file's rows as the file holds them, a seeded layer's with the first
        values `Originals` kept put back. No copy of the whole matrix."""
        if self.file is not None:
            return self.file.read(start, stop)
        return self._originals.first(start, stop)

    def weight_text(self) -> str:
        """`print(layer.weight)`, as torch prints it."""
        self.check_file()
        return repr(self.layer.weight)

    def check_range(self, parsed: ParsedIds) -> None:
        """Raise `IdRangeError` for the first ID without a row, quoting what torch itself raises; with
        positions, an `IdError` for an input longer than the context length."""
        check_range(parsed, self.spec.vocab_size, self._torch_error)
        if self.positions is not None:
            self.positions.check(parsed)

    def _torch_error(self, token_id: int) -> str | Message:
        """What torch raises when asked to look up `token_id`. Without max_norm: its renorm runs first and
        would change a row in place (-2 is row V-2 to it) before the lookup fails."""
        try:
            with torch.no_grad():
                torch.nn.functional.embedding(torch.tensor([token_id]), self.layer.weight, self.layer.padding_idx)
        except Exception as error:  # noqa: BLE001 - we quote whatever torch says
            return f"{type(error).__name__}: {error}"
        return Message("range.torch_accepted")

    def _forward(self, ids: tuple[int, ...], shape: tuple[int, ...]) -> tuple[torch.Tensor, tuple[int, ...]]:
        """`layer(torch.tensor(ids))` (of `shape`: a batch is 2-D), and the rows it changed in place (only
        max_norm does that)."""
        indices = torch.tensor(ids, dtype=torch.long).reshape(shape)
        if self.layer.max_norm is None:
            return self.layer(indices), ()
        rows = indices.unique()
        self._originals.save(rows)
        before = self.layer.weight.detach()[rows]
        result = self.layer(indices)
        changed = rows[(self.layer.weight.detach()[rows] != before).any(dim=1)]
        if changed.numel():
            self.version += 1
        return result, tuple(changed.tolist())

    def _result(self, ids: tuple[int, ...], shape: tuple[int, ...]) -> tuple[torch.Tensor, tuple[int, ...]]:
        """What backward starts from: the lookup, plus the positional rows when there is a positional layer."""
        result, renormed = self._forward(ids, shape)
        if self.positions is not None:
            result = result + self.positions.embeddings(shape[-1])
        return result, renormed

    def lookup(self, parsed: ParsedIds) -> Lookup:
        """`layer(torch.tensor(ids))` (under `torch.no_grad()` when that toggle is on); with positions, the
        input embeddings `token_embeddings + pos_embeddings` and the two steps to them."""
        self.check_range(parsed)
        self.check_file()
        steps = None
        with torch.set_grad_enabled(not self.no_grad):
            result, renormed = self._forward(parsed.ids, parsed.shape)
            if self.positions is not None:
                pos, pos_text = self.positions.looked_up(parsed.shape[-1], self.version)
                places = self.positions.places(parsed.shape)
                steps = InputSteps(repr(result), tuple(result.shape), pos_text, tuple(pos.shape), places)
                result = result + pos
        if renormed:
            self.history.append(Forward(parsed.ids, parsed.rows))
        return Lookup.of(parsed, result, self.no_grad, self.weight_flags(), renormed, steps)

    # -- training ----------------------------------------------------------------------------
    def backward(self, parsed: ParsedIds, loss: str = "sum") -> GradReport:
        """`result = layer(ids); loss(result).backward()`. When torch refuses (a frozen weight, a no_grad
        result, sparse gradients with scale_grad_by_freq), its own words become the `TrainingError`'s message."""
        self.check_range(parsed)
        self.check_file()
        with torch.set_grad_enabled(not self.no_grad):
            result, renormed = self._result(parsed.ids, parsed.shape)
            value = self._loss(result, loss)
        try:
            value.backward()
        except RuntimeError as error:
            if renormed:
                self.history.append(Forward(parsed.ids, parsed.rows))
            reason = (
                "train.frozen_no_grad" if self.frozen and self.no_grad
                else "train.frozen" if self.frozen
                else "train.no_graph" if self.no_grad
                else "train.torch_refused"
            )
            raise TrainingError(Message(reason, {"torch_error": f"RuntimeError: {error}"})) from error
        self.history.append(Backward(parsed.ids, loss, parsed.rows))
        self._reached(parsed.ids, parsed.shape)
        self._grad_changed(repr(value.detach()))
        assert self.grad is not None  # backward() has just made weight.grad
        return self.grad

    @staticmethod
    def _loss(result: torch.Tensor, loss: str) -> torch.Tensor:
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}, not {loss!r}")
        return result.sum() if loss == "sum" else (result**2).mean()

    def _grad_changed(self, loss: str) -> None:
        """Read where the gradient is now (after backward, zero_grad, undo, reset)."""
        grad = self.layer.weight.grad
        self.version += 1
        self._grad_rows = None
        if self.positions is not None:
            self.positions.grad_changed(loss)
        self.grad = None if grad is None else GradReport.of(loss, grad, tuple(self._nonzero_rows(grad).tolist()))

    def _reached(self, ids: tuple[int, ...], shape: tuple[int, ...]) -> None:
        self._grad_ids = torch.cat((self._grad_ids, torch.tensor(ids, dtype=torch.long))).unique()
        if self.positions is not None:
            self.positions.reached(shape[-1])

    def _nonzero_rows(self, grad: torch.Tensor) -> torch.Tensor:
        """The rows of `grad` that hold a non-zero value. A dense gradient is read only at the rows
        backward() reached: an embedding's backward writes no other row, and a full scan of a big
        gradient is slow (a test checks both ways agree)."""
        if not grad.is_sparse:
            rows = self._grad_ids
            return rows[grad[rows].ne(0).any(dim=1)]
        coalesced = grad.coalesce()
        return coalesced.indices()[0][coalesced.values().ne(0).any(dim=1)]

    @property
    def grad_rows(self) -> TensorRows | SparseRows | None:
        """`weight.grad` for the matrix view; None before the first backward (or after zero_grad)."""
        grad = self.layer.weight.grad
        if grad is not None and self._grad_rows is None:
            self._grad_rows = SparseRows(grad) if grad.is_sparse else TensorRows(grad)
        return self._grad_rows

    def step(self, lr: float) -> StepReport:
        """One `torch.optim.SGD` step over the weights trained; the token rows it changed, before and after,
        and the positional rows it changed."""
        learning_rate(lr, self.spec.dtype)
        self.check_file()
        grad = self.layer.weight.grad
        if grad is None:
            raise TrainingError(Message("train.no_grad_yet"))
        rows = self._nonzero_rows(grad)
        self._originals.save(rows)
        weight = self.layer.weight.detach()
        before = weight[rows]
        positions = self.positions
        pos_rows = positions.save() if positions is not None else NO_ROWS
        pos_before = positions.layer.weight.detach()[pos_rows] if positions is not None else None
        self._sgd_step(lr)
        after = weight[rows]
        changed = (after != before).any(dim=1)
        pos_changed = () if positions is None else tuple(pos_rows[(positions.layer.weight.detach()[pos_rows] != pos_before).any(dim=1)].tolist())
        self.history.append(Step(lr))
        self.version += 1
        return StepReport(lr, tuple(rows[changed].tolist()), repr(before[changed]), repr(after[changed]), pos_changed)

    def _sgd_step(self, lr: float) -> None:
        """What the copied script's `optimizer.step()` does: SGD without momentum keeps no state between steps."""
        torch.optim.SGD(self.weights_trained(), lr=lr).step()

    def zero_grad(self) -> bool:
        """`layer.zero_grad()` (and the positional layer's); False when there was no gradient to drop."""
        if all(weight.grad is None for weight in self.weights_trained()):
            return False
        self._drop_grad()
        self.history.append(ZeroGrad())
        self._grad_changed("")
        return True

    def _drop_grad(self) -> None:
        self.layer.zero_grad()  # set_to_none: weight.grad is None
        self._grad_ids = NO_ROWS
        if self.positions is not None:
            self.positions.drop_grad()

    @property
    def steps(self) -> int:
        return sum(isinstance(event, Step) for event in self.history)

    def undo(self) -> None:
        """Back to just before the last step: that step and all after it are undone."""
        last = max((index for index, event in enumerate(self.history) if isinstance(event, Step)), default=None)
        if last is None:
            raise TrainingError(Message("train.nothing_to_undo"))
        self.replay(self.history[:last])

    def reset(self) -> None:
        """The weight as created (the seed's values, or the file's), and no gradient."""
        self.replay([])

    def replay(self, events: list[Event]) -> None:
        """Restore the first values, then run `events` (a history) again: the same operations give the same
        numbers, so undo and reset are exact, and a new session can be brought to where another one is."""
        self.check_file()
        frozen = self.frozen
        self._originals.restore()
        if self.positions is not None:
            self.positions.restore()
        self._drop_grad()
        self.set_frozen(False)
        loss = ""
        try:
            for event in events:
                if isinstance(event, Forward):
                    with torch.no_grad():
                        self._forward(event.ids, event.shape)
                elif isinstance(event, Backward):
                    with torch.enable_grad():
                        value = self._loss(self._result(event.ids, event.shape)[0], event.loss)
                        value.backward()
                    loss = repr(value.detach())
                    self._reached(event.ids, event.shape)
                elif isinstance(event, Step):
                    self._sgd_step(event.lr)
                else:
                    self._drop_grad()
                    loss = ""
        finally:
            self.set_frozen(frozen)
        self.history = list(events)
        self._grad_changed(loss)
