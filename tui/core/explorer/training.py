"""The training lab: what backward, an SGD step, zero_grad, undo and reset do to the layer (as work a job
runs off the event loop), and what the lab shows afterwards: the weight or its gradient, the last
step's rows before and after, the rows marked Δ (changed) or ∇ (with gradient).

The explorer owns one `TrainingLab`, starts its work as jobs, and hands it each outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.core.chapter.spec import LayerOptions
from tui.core.explorer import presenter
from tui.core.jobs import Trained
from tui.core.texts.messages import Message, translate

if TYPE_CHECKING:  # the session imports torch
    from tui.core.chapter.reports import GradReport, StepReport
    from tui.core.chapter.session import EmbeddingSession
    from tui.core.tokens.parse import ParsedIds

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
        self.changed_positions: tuple[int, ...] = ()  # the positional rows the last step changed (section 2.8)
        self.marked_positions: dict[int, str] = {}  # rows of the positional layer marked Δ or ∇

    # -- what the lab shows ----------------------------------------------------------------
    def new_layer(self, options: LayerOptions) -> None:
        """A new layer: its options; no gradient shown, no step, nothing changed."""
        self.training = Training(self.training.loss, self.training.lr, options)
        self.grad_view, self.step_shown, self.changed, self.changed_positions = False, None, (), ()
        self.marked, self.marked_positions = {}, {}

    def input_changed(self) -> None:
        """A step's rows, before and after, give way to the new lookup."""
        self.step_shown = None

    def set_training(self, loss: str, lr: float) -> None:
        self.training = Training(loss, lr, self.training.options)

    def show_grad(self, on: bool, session: EmbeddingSession) -> None:
        self.grad_view = on
        self.mark(session)

    def renormed(self, rows: tuple[int, ...], session: EmbeddingSession) -> None:
        """max_norm: a lookup changed these rows in place."""
        self.changed = rows
        self.mark(session)

    def trained(self, outcome: Trained, session: EmbeddingSession) -> None:
        self.step_shown, self.changed = outcome.step, outcome.changed
        self.changed_positions = outcome.step.positions if outcome.step is not None else ()
        if outcome.grad_view is not None:
            self.grad_view = outcome.grad_view
        self.mark(session)

    def mark(self, session: EmbeddingSession) -> None:
        """Rows marked ∇ in the grad view (they have gradient), Δ otherwise (the last change moved them), in
        both layers."""
        grad, positions = session.grad, session.positions
        self.grad_view = self.grad_view and grad is not None
        self.marked = self._marks(grad, self.changed)
        pos_grad = None if positions is None else positions.grad
        self.marked_positions = self._marks(pos_grad, self.changed_positions)

    def _marks(self, grad: GradReport | None, changed: tuple[int, ...]) -> dict[int, str]:
        if self.grad_view:
            return dict.fromkeys(grad.rows, "∇") if grad is not None else {}
        return dict.fromkeys(changed, "Δ")

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
            if session.positions is not None:
                added += presenter.positions_note(session, parsed, lang)
            return Trained(presenter.backward_message(report, loss, notes + added, lang), grad_view=True)

        return backward

    def step(self, lang: str) -> Work:
        lr = self.training.lr

        def step(session: EmbeddingSession) -> Trained:
            report = session.step(lr)
            key = "train.step" if report.rows else "train.step_none"
            note = translate(lang, "train.step_positions", rows=presenter.rows_text(report.positions)) if report.positions else ""
            message = Message(key, {"lr": lr, "rows": presenter.rows_text(report.rows), "note": note})
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
