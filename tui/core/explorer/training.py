"""The training lab: what backward, an SGD step, zero_grad, undo and reset do to the layer (as work a job runs
off the event loop, touching only the session it is given), the sentences they end with, and what the lab
shows afterwards: the weight or its gradient, the last step's rows before and after, the rows marked Δ
(changed) or ∇ (with gradient).

The explorer owns one `TrainingLab`, starts its work as jobs, and hands it each outcome.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.core.chapter.history import LOSSES
from tui.core.explorer.changes import Change, Start
from tui.core.explorer.dialogs import Choice, Question, Report, Topic
from tui.core.explorer.tasks import Task
from tui.core.files.limits import BYTES_WITHOUT_ASKING
from tui.core.texts.messages import Message
from tui.core.texts.shown import human_size

if TYPE_CHECKING:  # the session imports torch
    from tui.core.chapter.quantized_session import QuantizedSession
    from tui.core.chapter.reports import GradReport, StepReport
    from tui.core.chapter.session import EmbeddingSession
    from tui.core.chapter.spec import LayerSpec
    from tui.core.jobs import Job
    from tui.core.tokens.parse import ParsedIds

DENSE_WARNING = 50257 * 768  # from GPT-2's size on, a dense weight.grad is worth a question first
LESSONS = {"train.frozen", "train.frozen_no_grad", "train.no_graph", "train.torch_refused"}  # torch's refusals: the whole lesson in a panel
ROWS_SHOWN = 12  # row numbers named in a message; more are counted
Work = Callable[["EmbeddingSession"], "Trained"]


def rows_text(rows: tuple[int, ...]) -> str:
    """`1, 2, 3, 5`, or `1, 2, … (4000)` when there are too many to read."""
    shown = ", ".join(map(str, rows[:ROWS_SHOWN]))
    return shown if len(rows) <= ROWS_SHOWN else f"{shown}, … ({len(rows)})"


@dataclass(frozen=True)
class Training:
    """What the training keys use besides the layer: the loss (a key of LOSSES) and SGD's learning rate."""

    loss: str = "sum"
    lr: float = 0.1


@dataclass(frozen=True)
class Trained:
    """What a training action did to the layer, and what the screen shows next."""

    message: Message
    step: StepReport | None = None  # a step's rows before and after, shown until the input changes
    grad_view: bool | None = None  # True: show weight.grad; False: the weight; None: keep the view
    changed: tuple[int, ...] = ()  # rows whose values the action changed (marked Δ)


Marks = Mapping[int, str]


class TrainingLab:
    def __init__(self) -> None:
        self.training = Training()
        self.wants_grad = False  # the matrix shows weight.grad, once there is one
        self.step_shown: StepReport | None = None  # a step's rows, before and after, until the input changes
        self.changed: tuple[int, ...] = ()  # rows the last step (or a max_norm lookup) changed
        self.changed_positions: tuple[int, ...] = ()  # the positional rows the last step changed (section 2.8)
        self._marks: tuple[tuple[object, ...], tuple[Marks, Marks]] | None = None

    # -- what the lab shows ----------------------------------------------------------------
    def grad_view(self, layer: EmbeddingSession | QuantizedSession | None) -> bool:
        """Whether the matrix shows the gradient: asked for, and there is one."""
        return self.wants_grad and layer is not None and layer.grad is not None

    def marks(self, layer: EmbeddingSession | QuantizedSession) -> tuple[Marks, Marks]:
        """Rows marked ∇ in the grad view (they have gradient), Δ otherwise (the last change moved them), in
        the token layer and in the positional one: the same mappings while nothing they show changes."""
        grad_view, positions = self.grad_view(layer), layer.positions
        pos_grad = None if positions is None else positions.grad
        key = (grad_view, layer.grad, pos_grad, self.changed, self.changed_positions)
        if self._marks is None or any(kept is not now and kept != now for kept, now in zip(self._marks[0], key, strict=True)):
            marks = (_marks(grad_view, layer.grad, self.changed), _marks(grad_view, pos_grad, self.changed_positions))
            self._marks = (key, marks)
        return self._marks[1]

    def new_layer(self) -> None:
        """A new layer: no gradient shown, no step, nothing changed."""
        self.wants_grad, self.step_shown, self.changed, self.changed_positions = False, None, (), ()

    def input_changed(self) -> None:
        """A step's rows, before and after, give way to the new lookup."""
        self.step_shown = None

    def renormed(self, rows: tuple[int, ...]) -> None:
        """max_norm: a lookup changed these rows in place."""
        self.changed = rows

    def trained(self, outcome: Trained) -> None:
        self.step_shown, self.changed = outcome.step, outcome.changed
        self.changed_positions = outcome.step.positions if outcome.step is not None else ()
        if outcome.grad_view is not None:
            self.wants_grad = outcome.grad_view

    def asks_first(self, session: EmbeddingSession) -> bool:
        """A backward that would allocate a dense gradient as big as a big matrix: worth a question first."""
        spec = session.spec
        allocates = not (session.grad is not None or session.frozen or session.no_grad or spec.options.sparse)
        return allocates and spec.vocab_size * spec.dim >= DENSE_WARNING

    # -- the work, for jobs: each touches only the session it is given ---------------------
    def work(self, task: Task, parsed: ParsedIds) -> Work:
        """What a training action does to the session it is given (backward over `parsed`)."""
        if task is Task.BACKWARD:
            return self.backward(parsed)
        if task is Task.STEP:
            return self.step()
        return {Task.ZERO_GRAD: self.zero_grad, Task.UNDO: self.undo, Task.RESET: self.reset}[task]

    def backward(self, parsed: ParsedIds) -> Work:
        loss = self.training.loss

        def backward(session: EmbeddingSession) -> Trained:
            notes = backward_notes(session, parsed)
            accumulates = session.grad is not None
            report = session.backward(parsed, loss)
            if accumulates:
                notes += (accumulated_note(session, report),)
            if session.positions is not None:
                notes += positions_notes(session, parsed)
            return Trained(backward_message(report, loss, notes), grad_view=True)

        return backward

    def step(self) -> Work:
        lr = self.training.lr

        def step(session: EmbeddingSession) -> Trained:
            report = session.step(lr)
            key = "train.step" if report.rows else "train.step_none"
            notes = (Message("train.step_positions", {"rows": rows_text(report.positions)}),) if report.positions else ()
            message = Message(key, {"lr": lr, "rows": rows_text(report.rows), "note": notes})
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


def _marks(grad_view: bool, grad: GradReport | None, changed: tuple[int, ...]) -> Marks:
    if grad_view:
        return dict.fromkeys(grad.rows, "∇") if grad is not None else {}
    return dict.fromkeys(changed, "Δ")


# -- what training actions say ------------------------------------------------------------------
def backward_message(report: GradReport, loss: str, notes: tuple[Message, ...]) -> Message:
    """Where the gradient went: the rows that received it, and those that stayed exactly 0."""
    values: dict[str, object] = {"loss": LOSSES[loss], "value": report.loss, "rows": rows_text(report.rows), "note": notes}
    if not report.rows:
        return Message("train.backward_none", {**values, "zero": report.zero_rows})
    if not report.zero_rows:
        values["zero"] = Message("train.zero_none")
    elif report.zero_rows <= ROWS_SHOWN:  # name them: the lesson is which rows got nothing
        reached = set(report.rows)
        zero = tuple(row for row in range(len(reached) + report.zero_rows) if row not in reached)
        values["zero"] = Message("train.zero_named", {"rows": rows_text(zero)})
    else:
        values["zero"] = Message("train.zero_count", {"count": report.zero_rows})
    return Message("train.backward", values)


def backward_notes(session: EmbeddingSession, parsed: ParsedIds) -> tuple[Message, ...]:
    """What the layer's options do to a backward over `parsed`: the padding row, repeated IDs scaled."""
    notes: tuple[Message, ...] = ()
    if session.padding_idx in parsed.ids:
        notes += (Message("train.padding_row", {"row": session.padding_idx}),)
    repeated = sorted((row, count) for row, count in Counter(parsed.ids).items() if count > 1)
    counted = ", ".join(f"{row} (×{count})" for row, count in repeated)
    if session.spec.options.scale_grad_by_freq and repeated:
        notes += (Message("train.scaled", {"rows": counted}),)
    elif repeated:
        notes += (Message("train.repeated", {"rows": counted}),)
    return notes


def accumulated_note(session: EmbeddingSession, report: GradReport) -> Message:
    """A backward() over a gradient not zeroed adds to it: say so, with a row as torch prints it now."""
    if report.sparse or not report.rows:
        return Message("train.accumulated")
    row = report.rows[0]
    return Message("train.accumulated_row", {"row": row, "values": repr(session.layer.weight.grad[row])})


def positions_notes(session: EmbeddingSession, parsed: ParsedIds) -> tuple[Message, ...]:
    """Where a backward's gradient went in the positional layer: positions 0..T-1, from every row of a
    batch, with the first values of position 0's row as torch prints them."""
    grad = session.positions.grad
    if grad is None or not grad.rows:
        return ()
    first = repr(session.positions.layer.weight.grad[grad.rows[0], :3])
    values = {"rows": rows_text(grad.rows), "row": grad.rows[0], "values": first}
    if parsed.rows is None:
        return (Message("train.positions_grad_flat", values),)
    return (Message("train.positions_grad", {"batch": parsed.shape[0], **values}),)


def padding_note(session: EmbeddingSession) -> tuple[Message, ...]:
    """What padding_idx means for this layer, to follow what the status line says."""
    row = session.padding_idx
    return () if row is None else (Message("train.padding_init", {"row": row}),)


# -- what the lab asks first --------------------------------------------------------------------
def dense_question(spec: LayerSpec, t: Callable[..., str]) -> Question:
    """Before a dense gradient as big as a big matrix: allocate it, go sparse, or cancel."""
    size = {"size": human_size(spec.nbytes), "rows": spec.vocab_size, "cols": spec.dim, "dtype": spec.dtype}
    keys = {"enter": Choice.DENSE, "s": Choice.SPARSE}
    return Question(Topic.DENSE_GRADIENT, t("train.dense_title"), t("train.dense_cost", **size), t("train.dense_choices"), keys)


def one_hot(session: EmbeddingSession, parsed: ParsedIds, loss: str, confirmed: bool, t: Callable[..., str]) -> Change:
    """The bonus notebook: the lookup again as one-hot × weight, both worked out in torch (in a job holding
    the layer) and compared, gradients included. Over `limits.BYTES_WITHOUT_ASKING`, a question first
    (`confirmed`: answered yes)."""
    from tui.core.chapter import one_hot
    from tui.core.chapter.code import made_lines

    size = one_hot.cost(session, parsed)
    if not confirmed and size > BYTES_WITHOUT_ASKING:
        text = t("one_hot.cost", size=human_size(size), ids=len(parsed.ids), rows=session.spec.vocab_size)
        return Change(dialog=Question(Topic.BIG_ONE_HOT, t("one_hot.title"), text, t("one_hot.choices"), {"enter": Choice.YES}))
    title = t("one_hot.title")
    code = session.weights.code if session.weights else None
    made, name = made_lines(session.spec, parsed.ids, session.frozen, code, session.history, rows=parsed.rows)

    def compare(job: Job) -> Report:
        steps = one_hot.compare(session, parsed, loss)
        return Report(title, one_hot.report(steps), one_hot.script(made, name, steps))

    return Change(start=(Start(Task.ONE_HOT, compare, lambda report: Change(dialog=report), layer=session),))
