"""The training lab, a mixin of `ExplorerApp`: backward, SGD steps, zero_grad, undo, reset, the grad view
and the layer's options.

Each action runs torch in a worker thread (a dense gradient of Llama 3's matrix is 2 GB), with its
seconds in the status bar; meanwhile lookups and toggles wait, so only one thread touches the layer.
The worker hands back an `Outcome`, and one method shows it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual import work

from tui.core.history import LOSSES
from tui.core.messages import Message
from tui.core.spec import LayerOptions, human_size
from tui.screens.choice import ChoiceScreen
from tui.screens.message import MessageScreen
from tui.screens.options import OptionsScreen, Training

if TYPE_CHECKING:
    from tui.app import ExplorerApp
    from tui.core.session import EmbeddingSession, GradReport, Lookup, StepReport

LESSONS = {"train.frozen", "train.no_graph", "train.torch_refused"}  # torch's own refusals: too long for the status line, and the lesson
DENSE_WARNING = 50257 * 768  # from GPT-2's size on, a dense weight.grad is worth a question first
ROWS_SHOWN = 12  # row numbers named in a message; more are counted


def rows_text(rows: tuple[int, ...]) -> str:
    """`1, 2, 3, 5`, or `1, 2, … (4000 rows)` when there are too many to read."""
    shown = ", ".join(map(str, rows[:ROWS_SHOWN]))
    return shown if len(rows) <= ROWS_SHOWN else f"{shown}, … ({len(rows)})"


@dataclass(frozen=True)
class Outcome:
    """What a training action left: the sentence to say, the gradient now, what the screen shows next."""

    message: Message
    grad: GradReport | None
    error: bool = False  # torch refused: the message says why, and the gradient shown stays
    step: StepReport | None = None  # shown in the result panel until the IDs change
    grad_view: bool | None = None  # True: show weight.grad; False: the weight; None: keep the view
    changed: tuple[int, ...] = ()  # rows whose values the action changed (marked Δ)
    session: EmbeddingSession | None = None  # the layer built again with other options
    then: Callable[[], None] | None = None  # what to do once this is shown (backward after going sparse)


class TrainingLab:
    def _reset_lab(self: ExplorerApp) -> None:
        """A new layer: no gradient, the weight shown, nothing marked."""
        self._grad: GradReport | None = None
        self._grad_view = False
        self._step: StepReport | None = None
        self._changed: tuple[int, ...] = ()
        self._prefixes: dict[int, str] = {}

    # -- actions -----------------------------------------------------------------------------
    def action_backward(self: ExplorerApp) -> None:
        """backward() on the loss of the current result; ask first before a big dense gradient."""
        if not self._lab_ready():
            return
        spec, session = self.spec, self.session
        allocates = not (session.has_grad or session.frozen or session.no_grad or spec.options.sparse)
        if allocates and spec.vocab_size * spec.dim >= DENSE_WARNING:
            size = dict(size=human_size(spec.nbytes), rows=spec.vocab_size, cols=spec.dim, dtype=spec.dtype)
            screen = ChoiceScreen(
                self.t("train.dense_title"), self.t("train.dense_cost", **size), self.t("train.dense_choices"),
                {"enter": "dense", "s": "sparse"},
            )
            self.push_screen(screen, self._dense_answer)
            return
        self._backward()

    def _dense_answer(self: ExplorerApp, answer: str | None) -> None:
        if answer == "dense":
            self._backward()
        elif answer == "sparse":
            self._rebuild(replace(self.spec.options, sparse=True), then=self._backward)

    def _backward(self: ExplorerApp) -> None:
        session, parsed, loss = self.session, self._parsed, self.loss
        notes = ""
        if session.layer.padding_idx in parsed.ids:
            notes += " " + self.t("train.padding_row", row=session.layer.padding_idx)
        repeated = sorted((row, count) for row, count in Counter(parsed.ids).items() if count > 1)
        if session.spec.options.scale_grad_by_freq and repeated:
            notes += " " + self.t("train.scaled", rows=", ".join(f"{row} (×{count})" for row, count in repeated))

        def backward() -> Outcome:
            report = session.backward(parsed, loss)
            values = {"loss": LOSSES[loss], "value": report.loss, "rows": rows_text(report.rows), "note": notes}
            if not report.rows:
                return Outcome(Message("train.backward_none", {**values, "zero": report.zero_rows}), report, grad_view=True)
            if not report.zero_rows:
                values["zero"] = self.t("train.zero_none")
            elif report.zero_rows <= ROWS_SHOWN:  # name them: the lesson is which rows got nothing
                reached = set(report.rows)
                zero = rows_text(tuple(row for row in range(session.spec.vocab_size) if row not in reached))
                values["zero"] = self.t("train.zero_named", rows=zero)
            else:
                values["zero"] = self.t("train.zero_count", count=report.zero_rows)
            return Outcome(Message("train.backward", values), report, grad_view=True)

        self._run("backward", backward)

    def action_step(self: ExplorerApp) -> None:
        if self._lab_ready():
            session, lr = self.session, self.lr

            def step() -> Outcome:
                report = session.step(lr)
                message = Message("train.step" if report.rows else "train.step_none", {"lr": lr, "rows": rows_text(report.rows)})
                return Outcome(message, session.grad_report(), step=report, grad_view=False, changed=report.rows)

            self._run("step", step)

    def action_zero_grad(self: ExplorerApp) -> None:
        if self._lab_ready():
            session = self.session

            def zero_grad() -> Outcome:
                dropped = session.zero_grad()
                return Outcome(Message("train.zero_grad" if dropped else "train.zero_grad_none"), None)

            self._run("zero_grad", zero_grad)

    def action_undo_step(self: ExplorerApp) -> None:
        if self._lab_ready():
            session = self.session

            def undo() -> Outcome:
                session.undo()
                return Outcome(Message("train.undone", {"steps": session.steps}), session.grad_report())

            self._run("undo", undo)

    def action_reset_weights(self: ExplorerApp) -> None:
        if self._lab_ready():
            session = self.session

            def reset() -> Outcome:
                session.reset()
                return Outcome(Message("train.reset"), None)

            self._run("reset", reset)

    def action_toggle_view(self: ExplorerApp) -> None:
        if self._lab_ready():
            self.toggles.flip("grad")

    def _show_view(self: ExplorerApp, grad: bool) -> None:
        """The grad toggle: weight.grad in the matrix (and printed in the result panel), or the weight."""
        if grad and self._grad is None:
            self.toggles.set_value("grad", False)
            self._say(Message("train.grad_none"), error=True)
            return
        self._grad_view = grad
        self._refresh_lab()
        self._say(Message("train.view_grad" if grad else "train.view_weight"))

    def action_training_options(self: ExplorerApp) -> None:
        if self._lab_ready():
            current = Training(self.loss, self.lr, self.spec.options)
            self.push_screen(OptionsScreen(current, self.spec.vocab_size, self.t), self._options_chosen)

    def _options_chosen(self: ExplorerApp, chosen: Training | None) -> None:
        if chosen is None:
            return
        self.loss, self.lr = chosen.loss, chosen.lr
        if chosen.options != self.spec.options:
            self._rebuild(chosen.options)
        else:
            self._say(Message("train.options_applied", {"loss": LOSSES[chosen.loss], "lr": chosen.lr}))

    def _rebuild(self: ExplorerApp, options: LayerOptions, then: Callable[[], None] | None = None) -> None:
        """The layer built again with other options, as at launch (a file's values restored first)."""
        old, weights, spec = self.session, self.weights, replace(self.spec, options=options)
        described = options.code().removeprefix(", ") or self.t("train.defaults")

        def rebuild() -> Outcome:
            from tui.core.session import EmbeddingSession

            old.reset()  # from_pretrained reads the file's tensor, which steps changed in place
            new = EmbeddingSession(spec, weights)
            new.set_frozen(old.frozen)
            new.no_grad = old.no_grad
            message = Message("train.rebuilt", {"options": described, "note": self._padding_note(new)})
            return Outcome(message, None, session=new, then=then)

        self._run("options", rebuild)

    def _padding_note(self: ExplorerApp, session: EmbeddingSession) -> str:
        """What padding_idx means for this layer, to follow what the status line says."""
        row = session.layer.padding_idx
        return "" if row is None else " " + self.t("train.padding_init", row=row)

    # -- running off the event loop ----------------------------------------------------------
    def _lab_ready(self: ExplorerApp) -> bool:
        if self.session is None:
            return False
        if self._busy is not None:
            self._say(Message("train.busy"), error=True)
            return False
        return True

    def _run(self: ExplorerApp, action: str, job: Callable[[], Outcome]) -> None:
        self._busy = action
        self._busy_since = time.perf_counter()
        self._busy_timer = self.set_interval(0.25, self._show_busy)
        self.toggles.disabled = True
        self._run_job(self.session, job)

    def _show_busy(self: ExplorerApp) -> None:
        seconds = time.perf_counter() - self._busy_since
        self._say(Message("train.working", {"action": self.t(f"key.{self._busy}"), "seconds": seconds}))

    @work(thread=True, group="training", exit_on_error=False)
    def _run_job(self: ExplorerApp, session: EmbeddingSession, job: Callable[[], Outcome]) -> None:
        from tui.core.session import TrainingError

        try:
            outcome = job()
        except TrainingError as error:
            outcome = Outcome(error.message, None, error=True)
        except Exception as error:  # noqa: BLE001 - the app keeps its last good state
            outcome = Outcome(Message("error.unexpected", {"error": f"{type(error).__name__}: {error}"}), None, error=True)
        self.call_from_thread(self._lab_done, session, outcome)

    def _lab_done(self: ExplorerApp, session: EmbeddingSession, outcome: Outcome) -> None:
        self._busy = None
        self._busy_timer.stop()
        self.toggles.disabled = False
        if outcome.session is not None:
            self._session_ready(outcome.session)
        elif session is not self.session:  # another file was opened meanwhile
            return
        else:
            if not outcome.error:  # a refused action changed nothing: keep what is shown
                self._grad, self._step, self._changed = outcome.grad, outcome.step, outcome.changed
            if outcome.grad_view is not None:
                self._grad_view = outcome.grad_view
            self._refresh_lab()
        text = outcome.message.render(self.lang)
        self.status.show(text, outcome.error)
        if outcome.message.key in LESSONS:
            self.push_screen(MessageScreen(self.t("train.refused"), text))
        if outcome.then is not None:
            outcome.then()
        if outcome.grad is not None:  # a step may come next
            self._warm_optimizer()

    @work(thread=True, group="warm", exit_on_error=False)
    def _warm_optimizer(self: ExplorerApp) -> None:
        from tui.core.session import warm_optimizer

        warm_optimizer()

    # -- what the screen shows ---------------------------------------------------------------
    def _refresh_lab(self: ExplorerApp) -> None:
        """Show the values after an action: the matrix, its marks, the result panel, the flags."""
        self._grad_view = self._grad_view and self._grad is not None
        self.toggles.set_value("grad", self._grad_view)
        matrix = self.matrix
        if self._grad_view:
            matrix.set_values(self.session.grad_rows())
            self._prefixes = dict.fromkeys(self._grad.rows, "∇")
        else:
            matrix.set_values(self.session.rows)
            self._prefixes = dict.fromkeys(self._changed, "Δ")
        self.lookup = None  # the weight may have changed: look up again
        self._update()

    def _renormed(self: ExplorerApp, lookup: Lookup) -> None:
        """max_norm: the lookup itself changed rows of the weight."""
        self._changed = lookup.renormed
        if not self._grad_view:
            self._prefixes = dict.fromkeys(lookup.renormed, "Δ")
            matrix = self.matrix
            matrix.set_values(self.session.rows)
            matrix.set_marks(lookup.positions, self._prefixes)
        max_norm = self.spec.options.max_norm
        self._say(Message("train.renormed", {"max_norm": max_norm, "rows": rows_text(lookup.renormed)}))

    def _panel(self: ExplorerApp, lookup: Lookup) -> tuple[str, str]:
        """The result panel's title and text: the gradient in the grad view, a step's rows right after
        it, else the lookup's result."""
        if self._grad_view and self._grad is not None:
            return self.t("result.title_grad"), self._grad.text
        if self._step is not None:
            title = self.t("result.title_step", lr=self._step.lr, rows=rows_text(self._step.rows))
            return title, f"{self._step.before}\n↓\n{self._step.after}"
        return self.t("result.title_no_grad" if lookup.no_grad else "result.title"), lookup.text

    def _matrix_title(self: ExplorerApp) -> str | None:
        """The grad view's title; None when the matrix shows the weight."""
        if not (self._grad_view and self._grad is not None):
            return None
        grad = self._grad
        layout = "sparse" if grad.sparse else "dense"
        return self.t("grad.title", shape=(self.spec.vocab_size, self.spec.dim), layout=layout, rows=len(grad.rows))
