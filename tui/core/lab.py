"""The training lab: what backward, an SGD step, zero_grad, undo and reset do to the layer (as work a job
runs off the event loop), and what the lab shows afterwards: the weight or its gradient, the last
step's rows before and after, the rows marked Δ (changed) or ∇ (with gradient).

The explorer owns one `TrainingLab`, starts its work as jobs, and hands it each outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.core import presenter
from tui.core.jobs import Trained
from tui.core.messages import Message
from tui.core.spec import LayerOptions

if TYPE_CHECKING:  # the session imports torch
    from tui.core.parse import ParsedIds
    from tui.core.session import EmbeddingSession, GradReport, StepReport

DENSE_WARNING = 50257 * 768  # from GPT-2's size on, a dense weight.grad is worth a question first
LESSONS = {"train.frozen", "train.frozen_no_grad", "train.no_graph", "train.torch_refused"}  # torch's refusals: the whole lesson in a panel
Work = Callable[["EmbeddingSession"], Trained]


@dataclass(frozen=True)
class Training:
    """What the training keys use: the loss (a key of LOSSES), the learning rate, the layer's options."""

    loss: str = "sum"
    lr: float = 0.1
    options: LayerOptions = LayerOptions()


class TrainingLab:
    def __init__(self, options: LayerOptions) -> None:
        self.training = Training(options=options)
        self.grad_view = False  # the matrix shows weight.grad
        self.step_shown: StepReport | None = None  # a step's rows, before and after, until the input changes
        self.changed: tuple[int, ...] = ()  # rows the last step (or a max_norm lookup) changed
        self.marked: dict[int, str] = {}  # rows marked Δ or ∇: one dict until the marks change

    # -- what the lab shows ----------------------------------------------------------------
    def new_layer(self, options: LayerOptions) -> None:
        """A new layer: its options; no gradient shown, no step, nothing changed."""
        self.training = Training(self.training.loss, self.training.lr, options)
        self.grad_view, self.step_shown, self.changed, self.marked = False, None, (), {}

    def input_changed(self) -> None:
        """A step's rows, before and after, give way to the new lookup."""
        self.step_shown = None

    def set_training(self, loss: str, lr: float) -> None:
        self.training = Training(loss, lr, self.training.options)

    def show_grad(self, on: bool, grad: GradReport | None) -> None:
        self.grad_view = on
        self.mark(grad)

    def renormed(self, rows: tuple[int, ...], grad: GradReport | None) -> None:
        """max_norm: a lookup changed these rows in place."""
        self.changed = rows
        self.mark(grad)

    def trained(self, outcome: Trained, grad: GradReport | None) -> None:
        self.step_shown, self.changed = outcome.step, outcome.changed
        if outcome.grad_view is not None:
            self.grad_view = outcome.grad_view
        self.mark(grad)

    def mark(self, grad: GradReport | None) -> None:
        """Rows marked ∇ in the grad view (they have gradient), Δ otherwise (the last change moved them)."""
        self.grad_view = self.grad_view and grad is not None
        self.marked = dict.fromkeys(grad.rows, "∇") if self.grad_view else dict.fromkeys(self.changed, "Δ")

    def asks_first(self, session: EmbeddingSession) -> bool:
        """A backward that would allocate a dense gradient as big as a big matrix: worth a question first."""
        spec = session.spec
        allocates = not (session.grad is not None or session.frozen or session.no_grad or spec.options.sparse)
        return allocates and spec.vocab_size * spec.dim >= DENSE_WARNING

    # -- the work, for jobs: each touches only the session it is given ---------------------
    def backward(self, parsed: ParsedIds, notes: str, lang: str) -> Work:
        loss = self.training.loss

        def backward(session: EmbeddingSession) -> Trained:
            accumulates = session.grad is not None
            report = session.backward(parsed, loss)
            added = presenter.accumulated_note(session, report, lang) if accumulates else ""
            return Trained(presenter.backward_message(report, loss, notes + added, lang), grad_view=True)

        return backward

    def step(self) -> Work:
        lr = self.training.lr

        def step(session: EmbeddingSession) -> Trained:
            report = session.step(lr)
            key = "train.step" if report.rows else "train.step_none"
            message = Message(key, {"lr": lr, "rows": presenter.rows_text(report.rows)})
            return Trained(message, step=report, grad_view=False, changed=report.rows)

        return step

    @staticmethod
    def zero_grad(session: EmbeddingSession) -> Trained:
        return Trained(Message("train.zero_grad" if session.zero_grad() else "train.zero_grad_none"))

    @staticmethod
    def undo(session: EmbeddingSession) -> Trained:
        session.undo()
        return Trained(Message("train.undone", {"steps": session.steps}))

    @staticmethod
    def reset(session: EmbeddingSession) -> Trained:
        session.reset()
        return Trained(Message("train.reset"))
