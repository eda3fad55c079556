"""The explorer: everything the app shows and does, without a screen.

It composes the parts, each the one owner of its state: the source on screen (a layer and its labels), the
input line (what is typed, and what it reads as: derived), the lookup (derived), the jobs in flight, the
training lab, the text's windows, the open panel, and what was said last. Each action is a method that
changes what it must and returns the `View` to show (`presenter.present` makes it); answers to dialogs and
panels come back through one method, `answer`. The TUI routes keys here and renders the views;
`embedding-explorer lookup` runs the same actions and prints.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core.explorer import presenter
from tui.core.explorer.dialogs import (
    Act,
    Answer,
    Append,
    Ask,
    Choice,
    Code,
    GoTo,
    Move,
    NeighboursPane,
    Notice,
    OpenPane,
    Options,
    Pick,
    Prompt,
    Question,
    Report,
    SearchPane,
    StatisticsPane,
    Topic,
    TrainingChoice,
    WindowsPane,
    checked,
)
from tui.core.explorer.input_line import MAX_INPUT, InputLine
from tui.core.explorer.lookups import Lookups
from tui.core.explorer.neighbours_page import export_answer, most_k, parse_k
from tui.core.explorer.panels import NeighboursOpen, OpenOpen, Panel, SearchOpen, StatisticsOpen, WindowsOpen
from tui.core.explorer.row_sets import export_rows, vector_map, write_rows
from tui.core.explorer.setup import Setup
from tui.core.explorer.sources import LabelsLoaded, LayerMade, SeveralFound, Source, create, labels_beside, open_labels, open_weights, rebuild
from tui.core.explorer.statistics_page import sample_map
from tui.core.explorer.tasks import TRAINING, Jobs, Task
from tui.core.explorer.training import LESSONS, Trained, Training, TrainingLab, Work
from tui.core.files.export import ExportExists
from tui.core.files.file_watch import Change, WeightFileChanged
from tui.core.jobs import Failed, GivenUp, Job
from tui.core.texts.messages import Message, MessageError, translate
from tui.core.texts.shown import human_size
from tui.core.tokens.parse import whole_number
from tui.core.tokens.tokenizer import is_labels

if TYPE_CHECKING:  # these import torch, which the first frame must not wait for
    from tui.core.chapter.reports import Lookup
    from tui.core.chapter.spec import LayerOptions, LayerSpec
    from tui.core.chapter.windows import TextWindows, WindowSettings
    from tui.core.explorer.dialogs import Dialog, Pane
    from tui.core.explorer.input_line import Reading
    from tui.core.explorer.sources import Layer
    from tui.core.explorer.view import View
    from tui.core.meaning.matrix_statistics import MatrixStatistics
    from tui.core.meaning.passes import Answer as Found
    from tui.core.meaning.passes import Meaning
    from tui.core.tokens.parse import ParsedIds
    from tui.core.tokens.tokenizer import TextTokenizer
    from tui.core.tokens.vocab import Vocab

SHOWN_CODE = 20_000  # characters of a copied script shown in its panel; the clipboard gets all of it
SWITCHES = ("freeze", "no_grad", "grad")  # the toggles' names, as the toggle bar shows them
__all__ = ["MAX_INPUT", "Explorer", "Setup"]


class Explorer:
    """The app's state and its actions. Public attributes are read by the presenter and by tests; they
    change only through the methods below."""

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self.lang = setup.lang
        self.source: Source | None = None  # the layer on screen and its labels, once the first is made
        self.input = InputLine(setup.ids, text_mode=setup.tokenizer is not None and not setup.ids)  # given a tokenizer, one types text
        self.lookups = Lookups()
        self.jobs = Jobs()
        self.lab = TrainingLab()
        self.windows: TextWindows | None = None  # the text cut into windows, once a job has cut it
        self.positions_shown = False  # the matrix shows the positional layer (section 2.8), not the token layer
        self.panel: Panel | None = None  # the panel open now
        self.said: tuple[Message, bool] | None = None  # what the last action said (and whether it is an error)
        self._meaning: Meaning | None = None
        self._file_seen = Change.NONE  # what became of the weight's file, as last said

    def t(self, key: str, **params: object) -> str:
        """The catalog text for `key` in the explorer's language."""
        return translate(self.lang, key, **params)

    # -- derived state -----------------------------------------------------------------------
    @property
    def session(self) -> Layer | None:
        return self.source.session if self.source is not None else None

    @property
    def vocab(self) -> Vocab | None:
        return self.source.vocab if self.source is not None else self.setup.vocab

    @property
    def tokenizer(self) -> TextTokenizer | None:
        return self.source.tokenizer if self.source is not None else self.setup.tokenizer

    @property
    def spec(self) -> LayerSpec:
        """The layer shown, or the one being made."""
        return self.source.session.spec if self.source is not None else self.setup.spec

    @property
    def reading(self) -> Reading:
        """What the input reads as, with the tokenizer and the layer on screen (derived, kept while those stay)."""
        return self.input.reading(self.tokenizer if self.input.text_mode else None, self.session)

    @property
    def lookup(self) -> Lookup | None:
        """The lookup on screen: brought up to date with the input and the layer, unless a job holds the layer
        (then it waits)."""
        if self.busy is None:
            made = self.lookups.update(self.reading.parsed, self.session)
            if made is not None and made.renormed:
                self.lab.renormed(made.renormed)
        return self.lookups.lookup

    @property
    def lookup_failed(self) -> Message | None:
        return self.lookups.failed

    @property
    def busy(self) -> Job | None:
        """The job using the layer on screen: lookups, toggles and training wait for it."""
        return self.jobs.holding(self.session)

    @property
    def creating(self) -> Job | None:
        """The job making the first layer, while there is none."""
        return self.jobs.doing(Task.CREATE) if self.source is None else None

    @property
    def loading(self) -> bool:
        """No layer yet, and it is being made (or about to be): not once making it failed."""
        return self.source is None and (self.jobs.generation == 0 or self.creating is not None)

    @property
    def meaning(self) -> Meaning:
        """The neighbour searches' metric and k and the passes kept, made at the first (torch is loaded by then)."""
        if self._meaning is None:
            from tui.core.meaning.passes import Meaning

            self._meaning = Meaning()
        return self._meaning

    def view(self, *jobs: Job, dialog: Dialog | None = None, follow: bool = False, go_to: int | None = None) -> View:
        """What the screen shows now, with the jobs just started and a dialog to open; `follow`: bring the ID
        under the input's cursor into view."""
        self.lookup  # noqa: B018 - brought up to date before anything reads it
        return presenter.present(self, jobs, dialog, follow, go_to)

    def _say(self, message: Message, error: bool = False) -> None:
        self.said = (message, error)

    # -- jobs ------------------------------------------------------------------------------
    def _start(self, task: Task, work: Any, then: Any, *, layer: object | None = None, replaces_layer: bool = False) -> Job:
        return self.jobs.start(task, work, then, layer=layer, replaces_layer=replaces_layer)

    def finish(self, job: Job, outcome: object) -> View:
        """Install what a job made, unless it is stale (a newer layer was asked for since, its layer is gone,
        it was cancelled); then the next training action waiting its turn, if any, starts."""
        then = self.jobs.finish(job, self.session)
        if then is None or isinstance(outcome, GivenUp):
            view = self._dropped(job)
        elif isinstance(outcome, Failed):
            view = self._failed(job, outcome.message)
        else:
            view = then(outcome)
        if self.jobs.queued and self.busy is None and not view.jobs and view.dialog is None:
            return self._train(self.jobs.queued.pop(0))
        return view

    def crashed(self, job: Job | None, error: BaseException) -> View:
        """A job (or other work) raised what nothing expected: said, and the app lives on with its last good
        state."""
        if job is not None:
            self.jobs.finish(job, self.session)
            if isinstance(self.panel, (NeighboursOpen, StatisticsOpen)) and self.panel.reading.job is job:
                self.panel.reading.ended()
        return self._failed(job, Message("error.unexpected", {"error": f"{type(error).__name__}: {error}"}))

    def settle(self, view: View) -> View:
        """Run the view's jobs here, one after another, and return the view they leave (no worker: the CLI)."""
        while view.jobs:
            job = view.jobs[0]
            try:
                outcome = job.run()
            except Exception as error:  # noqa: BLE001 - as the app's worker road does: said, not raised
                view = self.crashed(job, error)
                continue
            later = self.finish(job, outcome)
            view = replace(later, jobs=(*view.jobs[1:], *later.jobs), dialog=later.dialog or view.dialog)
        return view

    def tick(self) -> View:
        """While a job holds the layer: what it is doing, for how long, and what waits its turn."""
        job = self.busy
        if job is not None and job.task not in (Task.NEIGHBOURS, Task.STATISTICS):
            working = {"action": Message(job.task.value), "seconds": job.seconds}
            if self.jobs.queued:
                queued = ", ".join(self.t(task.value) for task in self.jobs.queued)
                self._say(Message("train.working_queued", {**working, "queued": queued}))
            else:
                self._say(Message("train.working", working))
        return self.view()

    def progress(self, job: Job, fraction: float) -> View:
        """A pass told how far it got: its panel's bar moves, if the panel is still open for it."""
        panel = self.panel
        if isinstance(panel, (NeighboursOpen, StatisticsOpen)) and panel.reading.job is job:
            panel.reading.progress = fraction
        return self.view()

    def loading_line(self) -> str:
        return presenter.loading_line(self)

    def _failed(self, job: Job | None, message: Message) -> View:
        if job is not None and job.task in TRAINING:
            self.jobs.queued.clear()  # what waited for it would build on what did not happen
        panel = self.panel
        if job is not None and isinstance(panel, (NeighboursOpen, StatisticsOpen)) and panel.reading.job is job:
            panel.reading.ended(message, error=True)
            return self.view()
        self._say(message, error=True)
        if job is not None and job.task is Task.OPEN:
            return self.view(dialog=Notice(self.t("open.failed"), message.render(self.lang)))
        if message.key in LESSONS:
            return self.view(dialog=Notice(self.t("train.refused"), message.render(self.lang)))
        return self.view()

    def _dropped(self, job: Job) -> View:
        panel = self.panel
        if isinstance(panel, (NeighboursOpen, StatisticsOpen)) and panel.reading.job is job:
            panel.reading.ended()
        return self.view()

    # -- the layer -------------------------------------------------------------------------
    def start(self) -> View:
        """Make the first layer (importing torch first); typing is parsed meanwhile."""
        return self.view(self._start(Task.CREATE, create(self.setup), self._first_layer, replaces_layer=True))

    def _first_layer(self, made: LayerMade) -> View:
        """The first layer is on screen: then its labels (a GGUF's token list), then the text given at start
        cut into windows, each in its own job."""
        view = self._install(made)
        if self.setup.labels_later is not None:
            return self.view(*view.jobs, self._start(Task.LABELS, labels_beside(self.setup.labels_later), self._first_labels))
        if self.setup.text_file is not None:
            return self._cut_text()
        return view

    def _first_labels(self, loaded: LabelsLoaded) -> View:
        view = self._labels(loaded)
        return self._cut_text() if self.setup.text_file is not None else view

    def open(self, path: str, key: str | None = None) -> View:
        """Open a weight file or model, and the vocabulary and tokenizer beside it. The layer on screen stays
        until the file's is ready, and for good when the file cannot give one. A tokenizer or vocabulary
        (`gpt2`, a .json, a .txt) labels the layer on screen instead."""
        self._say(Message("open.opening", {"path": path}))
        if is_labels(path):
            return self.view(self._start(Task.OPEN, open_labels(path), self._labels))
        work = open_weights(path, key, self.setup.context_length)
        return self.view(self._start(Task.OPEN, work, self._opened, replaces_layer=True))

    def _opened(self, outcome: LayerMade | SeveralFound) -> View:
        if isinstance(outcome, SeveralFound):
            self._say(Message("open.pick", {"count": len(outcome.candidates)}))
            return self.view(dialog=Pick(self.t("open.pick", count=len(outcome.candidates)), outcome.candidates, outcome.path))
        return self._install(outcome)

    def _install(self, made: LayerMade) -> View:
        """Show a new layer: the IDs typed so far are looked up in it."""
        if self.input.text_mode and made.source.tokenizer is None:
            self._switch_mode()  # back to IDs while the old tokenizer is still there
        self.source = made.source
        self.lab.new_layer()
        self.positions_shown = self.positions_shown and made.source.session.positions is not None
        self.jobs.queued.clear()  # they were for the layer before
        self._file_seen = Change.NONE
        weights = made.source.session.weights
        if made.said is not None:
            self._say(made.said)
        elif made.problem is not None:
            self._say(made.problem, error=True)
        elif weights is not None and weights.note is not None:
            self._say(weights.note)
        else:
            self._greet()
        return self.view(follow=True)

    def _labels(self, loaded: LabelsLoaded) -> View:
        """New row labels, and a tokenizer to type text with (in text mode at once, if the input is empty).
        None: the file had none; the rows keep their IDs."""
        if loaded.vocab is None or self.source is None:
            return self.view()
        tokenizer = loaded.tokenizer or self.source.tokenizer
        self.source = replace(self.source, vocab=loaded.vocab, tokenizer=tokenizer)
        if loaded.tokenizer is not None and not self.input.text_mode and not self.input.text:
            self._switch_mode()
        self._greet()
        return self.view(follow=True)

    def _greet(self) -> None:
        """What a new layer says first: its vocabulary, or its padding row; else nothing, and the input speaks."""
        spec, vocab, padding = self.spec, self.source.vocab, self.source.session.padding_idx
        if vocab is not None and len(vocab) < spec.vocab_size:  # padded to a round size: not an error
            params = {"path": vocab.path.name, "tokens": len(vocab), "rows": spec.vocab_size, "last": spec.vocab_size - 1}
            self._say(Message("vocab.padded", params))
        elif vocab is not None and len(vocab) > spec.vocab_size:
            self._say(Message("vocab.size_mismatch", {"tokens": len(vocab), "rows": spec.vocab_size}), error=True)
        elif vocab is not None:
            self._say(Message("vocab.loaded", {"path": vocab.path.name, "tokens": len(vocab)}))
        elif padding is not None:
            self._say(Message("train.padding_init", {"row": padding}))
        else:
            self.said = None

    def check_file(self) -> View | None:
        """What became of the weight's file on disk since it was opened, the first time it is seen: a file
        replaced is only said; one changed in place is not read any more (a panel says why). None when
        there is nothing new to say."""
        session = self.session
        watch = session.weights.watch if session is not None and session.weights is not None else None
        if watch is None or session.mapped.detached:
            return None
        change = watch.check()
        if change in (Change.NONE, self._file_seen):
            return None
        self._file_seen = change
        try:
            session.check_file()
        except WeightFileChanged as error:
            self._say(error.message, error=True)
            return self.view(dialog=Notice(self.t("weights.changed_title"), error.message.render(self.lang)))
        self._say(Message("weights.replaced", {"file": session.weights.path.name}))
        return self.view()

    # -- typing ----------------------------------------------------------------------------
    def edit(self, value: str, cursor: int) -> View:
        """The input now holds `value` with the cursor at `cursor`: what it reads as, looked up, shown."""
        if self.input.edit(value, cursor):
            self.lab.input_changed()
            self.said = None  # the input speaks now
        return self.view(follow=True)

    def input_too_long(self) -> View:
        """A key or a paste the input refused: it would pass MAX_INPUT characters."""
        self._say(Message("input.too_long", {"limit": MAX_INPUT}), error=True)
        return self.view()

    def toggle_text(self) -> View:
        """Switch the input between IDs and text; back in IDs, it holds the IDs the text gave."""
        if self.tokenizer is None:
            self._say(Message("tokenizer.needed"), error=True)
            return self.view()
        self._switch_mode()
        return self.view(follow=True)

    def _switch_mode(self) -> None:
        tokens = self.reading.tokens
        self.input.switch(tokens.ids if tokens is not None else None)
        self.lab.input_changed()
        self.said = None

    def append_id(self, row: int) -> View:
        """Add a row's ID to the end of the input (Enter on a matrix row, `a` in the neighbours panel)."""
        if self.input.text_mode:
            self._switch_mode()
        text = self.input.appended(row)
        return self.edit(text, len(text))

    # -- switches --------------------------------------------------------------------------
    def set_toggle(self, name: str, on: bool) -> View:
        """freeze, no_grad or grad; refused (and shown as it is) while there is no layer or a job has it."""
        session = self.session
        if session is None or self.busy:
            return self.view()
        if name == "grad":
            return self._show_grad(on)
        if name == "freeze":
            if not on and (refused := self._untrainable()) is not None:
                return refused
            session.set_frozen(on)
            key = ("toggle.freeze_on" if on else "toggle.freeze_off") + ("_positions" if session.positions else "")
        else:
            session.no_grad = on
            key = "toggle.no_grad_on" if on else "toggle.no_grad_off"
        self._say(Message(key))
        return self.view()

    def toggle(self, name: str) -> View:
        """Flip a switch (F2, F3, Ctrl+T)."""
        session = self.session
        if session is None:
            return self.view()
        on = {"freeze": session.frozen, "no_grad": session.no_grad, "grad": self.lab.grad_view(session)}[name]
        return self.set_toggle(name, not on)

    def _show_grad(self, on: bool) -> View:
        if on and self.session.grad is None:
            self._say(Message("train.grad_none"), error=True)
            return self.view()
        self.lab.wants_grad = on
        self._say(Message("train.view_grad" if on else "train.view_weight"))
        return self.view()

    def switch_matrix(self) -> View:
        """Show the positional layer's matrix instead of the token layer's, or back (section 2.8)."""
        session = self.session
        if session is None:
            return self.view()
        if session.positions is None:
            self._say(Message("positions.none"), error=True)
            return self.view()
        self.positions_shown = not self.positions_shown
        if self.positions_shown:
            self._say(Message("positions.shown", {"context": session.positions.context_length, "dim": self.spec.dim}))
        else:
            self._say(Message("positions.tokens_shown"))
        return self.view(follow=True)

    # -- dialogs -----------------------------------------------------------------------------
    def about(self) -> View:
        """What the matrix is and where it came from."""
        if self.session is None:
            return self.view()
        return self.view(dialog=Report(self.t("about.title"), presenter.about_text(self)))

    def help(self) -> View:
        return self.view(dialog=presenter.help_dialog(self.t))

    def ask_row(self) -> View:
        """Ctrl+G: a row to go to, by its ID."""
        if self.session is None:
            return self.view()
        last = self.spec.vocab_size - 1
        return self.view(dialog=Prompt(Topic.GO_TO_ROW, self.t("goto.prompt", last=last), checked(self.row_of_id, self.lang)))

    def row_of_id(self, text: str) -> int:
        """The row of a typed token ID; a `MessageError` says what is valid."""
        last = self.spec.vocab_size - 1
        try:
            row = whole_number(text)  # the same rule as the IDs typed in the input: `-0` is 0, `３` no number
        except ValueError:
            row = -1
        if 0 <= row <= last:
            return row
        raise MessageError(Message("goto.invalid", {"text": text, "last": last}))

    def go_to(self, row: int) -> View:
        """The matrix's cursor goes to `row`: the status names its token, when there is a vocabulary."""
        token = self.vocab.label(row) if self.vocab is not None else None
        self._say(Message("status.row", {"row": row}) if token is None else Message("search.went_to", {"id": row, "token": token}))
        return self.view(go_to=row)

    def find(self) -> View:
        """Ctrl+F: the vocabulary searched as typed; its index is built in a job the first time."""
        if self.session is None:
            return self.view()
        vocab = self.vocab
        if vocab is None:
            self._say(Message("find.no_vocab"), error=True)
            return self.view()
        self.panel = SearchOpen()
        if vocab.search_ready:
            return self.view()
        return self.view(self._start(Task.SEARCH_INDEX, lambda job: vocab.search_index.built(), lambda index: self.view()))

    def ask_open(self) -> View:
        """F6: a file, a model folder, a cached model or a tokenizer to open; the cache scanned in a job."""
        if self.session is None:
            return self.view()
        panel = self.panel = OpenOpen()

        def scan(job: Job) -> tuple[str, ...]:
            from tui.core.files.models import cached_models, hub_cache

            return tuple(cached_models(hub_cache()))

        def scanned(cached: tuple[str, ...]) -> View:
            panel.cached = cached
            return self.view()

        return self.view(self._start(Task.CACHED_MODELS, scan, scanned))

    def options(self) -> View:
        """Ctrl+O: the loss, lr and the layer's options (not while a job has the layer)."""
        if (refused := self._refusal()) is not None:
            return refused
        training = self.lab.training
        return self.view(dialog=presenter.options_dialog(self, TrainingChoice(training.loss, training.lr, self.spec.options)))

    def answer(self, dialog: Dialog | Pane, answer: Answer) -> View:
        """The one road back from every dialog and panel: what `answer` to `dialog` does (None: closed)."""
        if isinstance(dialog, (NeighboursPane, StatisticsPane, WindowsPane, SearchPane, OpenPane)):
            return self._panel_answer(dialog, answer)
        if answer is None:
            return self.view()
        if isinstance(dialog, Question):
            if dialog.topic is Topic.DENSE_GRADIENT:
                return self._dense_answer(answer)
            if dialog.topic is Topic.BIG_ONE_HOT:
                return self.one_hot(confirmed=True) if answer is Choice.YES else self.view()
            if dialog.topic is Topic.OVERWRITE:
                return self._export(dialog.path, overwrite=True) if answer is Choice.YES else self.view()
        if isinstance(dialog, Prompt):
            if dialog.topic is Topic.GO_TO_ROW:
                return self.go_to(answer)
            if dialog.topic is Topic.NEIGHBOURS_K:
                self.meaning.k = answer
                return self._ask_neighbours()
            if dialog.topic is Topic.EXPORT:
                return self._export(answer)
            if dialog.topic is Topic.WINDOW_SETTINGS:
                return self._recut(answer)
        if isinstance(dialog, Pick):
            return self.open(dialog.path, answer)
        if isinstance(dialog, Code) and answer is Choice.SAVE:
            return self.save_code(dialog.script)
        if isinstance(dialog, Report) and answer is Choice.COPY and dialog.script is not None:
            return self.show_script(dialog.script)
        if isinstance(dialog, Options):
            return self.apply_training(answer)
        return self.view()

    def _panel_answer(self, pane: Pane, answer: Answer) -> View:
        panel = self.panel
        if answer is None or isinstance(answer, GoTo) or isinstance(pane, OpenPane):  # each closes the panel
            if isinstance(panel, (NeighboursOpen, StatisticsOpen)) and panel.reading.job is not None:
                panel.reading.job.cancel()
            self.panel = None
            if isinstance(answer, GoTo):
                return self.go_to(answer.row)
            return self.open(answer) if isinstance(answer, str) else self.view()
        if isinstance(panel, NeighboursOpen):
            return self._neighbours_answer(panel, answer)
        if isinstance(panel, StatisticsOpen):
            if answer is Act.MAP:
                return self.view(dialog=sample_map(self.source, presenter.looked_up(self), self.t))
            if answer is Act.EXPORT:
                return self.view(dialog=Prompt(Topic.EXPORT, self.t("stats.export_prompt"), checked(path_given, self.lang), paths=True))
        if isinstance(panel, WindowsOpen):
            return self._windows_answer(panel, answer)
        return self.view()

    # -- copy as code ----------------------------------------------------------------------
    def code_script(self) -> str | None:
        """The script that prints what the screen shows; None before the first lookup."""
        session, lookup = self.session, self.lookup
        if session is None or lookup is None:
            return None
        return session.script(lookup.parsed)

    def copy_code(self) -> View:
        """The script, to copy and to show (not while a job has the layer: it would describe a layer in flux)."""
        if (refused := self._refusal()) is not None:
            return refused
        script = self.code_script()
        if script is None:
            return self.view()
        try:
            self.session.check_file()  # a script would load what the file holds now
        except WeightFileChanged as error:
            self._say(error.message, error=True)
            return self.view()
        return self.show_script(script)

    def show_script(self, script: str) -> View:
        """A script to copy, show, and save on request."""
        explanation, shown = self.t("copy.done"), script
        if len(script) > SHOWN_CODE:  # 250,000 IDs: highlighting it all would hold the screen for seconds
            explanation += " " + self.t("copy.cut", count=len(script), shown=SHOWN_CODE)
            shown = script[:SHOWN_CODE] + "…"
        return self.view(dialog=Code(self.t("copy.title"), explanation, script, shown))

    def save_code(self, script: str, folder: Path | None = None) -> View:
        """The copied script in a file of its own in `folder` (the current one): the way to take it when the
        terminal's clipboard does not arrive."""
        from tui.core.chapter.code import save_script

        folder = Path.cwd() if folder is None else folder
        try:
            path = save_script(script, folder)
        except OSError as error:
            self._say(Message("copy.save_failed", {"folder": str(folder), "error": error.strerror or str(error)}), error=True)
        else:
            self._say(Message("copy.saved", {"path": str(path)}))
        return self.view()

    # -- the training lab ------------------------------------------------------------------
    def _refusal(self) -> View | None:
        """Why an action that reads or trains the layer cannot start now (none yet, or a job has it); None
        when it can."""
        if self.session is None:
            return self.view()
        if self.busy:
            self._say(Message("train.busy"), error=True)
            return self.view()
        return None

    def _untrainable(self) -> View | None:
        """A quantized matrix has no nn.Embedding to train (or compare as one-hot): the lab says why, in a panel."""
        session = self.session
        if session is None or session.trainable:
            return None
        message = session.untrainable().message
        self._say(message, error=True)
        return self.view(dialog=Notice(self.t("gguf.lab_off"), message.render(self.lang)))

    def _train(self, task: Task, work: Work | None = None) -> View:
        """A training action on the layer on screen, as a job: waiting its turn while another job holds the
        layer; refused while there is none, or it cannot be trained."""
        if self.session is not None and self.busy:
            self.jobs.queued.append(task)
            self._say(Message("train.queued", {"action": Message(task.value), "count": len(self.jobs.queued)}))
            return self.view()
        if (refused := self._refusal() or self._untrainable()) is not None:
            return refused
        if task is Task.BACKWARD:
            return self.backward()
        work = work or {Task.STEP: self.lab.step(), Task.ZERO_GRAD: self.lab.zero_grad, Task.UNDO: self.lab.undo, Task.RESET: self.lab.reset}[task]
        session = self.session
        return self.view(self._start(task, lambda job: work(session), self._trained, layer=session))

    def backward(self, dense: bool = False) -> View:
        """backward() on the loss of the result. Before a big dense gradient, a question first (`dense`:
        it was answered: allocate it)."""
        if self.session is not None and self.busy:
            return self._train(Task.BACKWARD)
        if (refused := self._refusal() or self._untrainable()) is not None:
            return refused
        if not dense and self.lab.asks_first(self.session):
            spec = self.spec
            size = {"size": human_size(spec.nbytes), "rows": spec.vocab_size, "cols": spec.dim, "dtype": spec.dtype}
            keys = {"enter": Choice.DENSE, "s": Choice.SPARSE}
            question = Question(Topic.DENSE_GRADIENT, self.t("train.dense_title"), self.t("train.dense_cost", **size), self.t("train.dense_choices"), keys)
            return self.view(dialog=question)
        lookup = self.lookup
        parsed = lookup.parsed if lookup is not None else _no_ids()
        session = self.session
        work = self.lab.backward(parsed)
        return self.view(self._start(Task.BACKWARD, lambda job: work(session), self._trained, layer=session))

    def _dense_answer(self, answer: Answer) -> View:
        if answer is Choice.DENSE:
            return self.backward(dense=True)
        if (refused := self._refusal()) is not None:
            return refused
        if answer is Choice.SPARSE:
            return self._rebuild(replace(self.spec.options, sparse=True), then_backward=True)
        return self.view()

    def step(self) -> View:
        return self._train(Task.STEP)

    def zero_grad(self) -> View:
        return self._train(Task.ZERO_GRAD)

    def undo(self) -> View:
        return self._train(Task.UNDO)

    def reset(self) -> View:
        return self._train(Task.RESET)

    def _trained(self, outcome: Trained) -> View:
        self.lab.trained(outcome)
        self._say(outcome.message)
        return self.view()

    def one_hot(self, confirmed: bool = False) -> View:
        """The bonus notebook: the lookup again as one-hot × weight, both worked out in torch and compared,
        gradients included. Over `BYTES_WITHOUT_ASKING`, a question first (`confirmed`: answered yes)."""
        from tui.core.chapter import one_hot
        from tui.core.chapter.code import made_lines

        if (refused := self._refusal() or self._untrainable()) is not None:
            return refused
        session, loss = self.session, self.lab.training.loss
        lookup = self.lookup
        parsed = lookup.parsed if lookup is not None else _no_ids()
        size = one_hot.cost(session, parsed)
        if not confirmed and size > one_hot.BYTES_WITHOUT_ASKING:
            text = self.t("one_hot.cost", size=human_size(size), ids=len(parsed.ids), rows=self.spec.vocab_size)
            question = Question(Topic.BIG_ONE_HOT, self.t("one_hot.title"), text, self.t("one_hot.choices"), {"enter": Choice.YES})
            return self.view(dialog=question)
        title = self.t("one_hot.title")
        code = session.weights.code if session.weights else None
        made, name = made_lines(session.spec, parsed.ids, session.frozen, code, session.history, rows=parsed.rows)

        def compare(job: Job) -> Report:
            steps = one_hot.compare(session, parsed, loss)
            return Report(title, one_hot.report(steps), one_hot.script(made, name, steps))

        return self.view(self._start(Task.ONE_HOT, compare, lambda report: self.view(dialog=report), layer=session))

    def apply_training(self, chosen: TrainingChoice) -> View:
        """New loss and lr apply at once; new layer options build the layer again, as at launch."""
        if (refused := self._refusal()) is not None:
            return refused
        self.lab.training = Training(chosen.loss, chosen.lr)
        if chosen.options != self.spec.options:
            return self._untrainable() or self._rebuild(chosen.options)
        from tui.core.chapter.history import LOSSES

        self._say(Message("train.options_applied", {"loss": LOSSES[chosen.loss], "lr": chosen.lr}))
        return self.view()

    def _rebuild(self, options: LayerOptions, then_backward: bool = False) -> View:
        """The layer built again with other options (a file's values restored first: training wrote them)."""

        def rebuilt(made: LayerMade) -> View:
            view = self._install(made)
            return self.backward() if then_backward else view

        return self.view(self._start(Task.OPTIONS, rebuild(self.source, options), rebuilt, layer=self.session, replaces_layer=True))

    # -- windows (section 2.6) ----------------------------------------------------------------
    def _cut_text(self) -> View:
        """Cut the text given at start into the book's windows, with the tokenizer on screen."""
        if self.tokenizer is None:
            self._say(Message("windows.tokenizer"), error=True)
            return self.view()
        return self._cut(self.setup.text_file, self.tokenizer, self.setup.windows, show=False)

    def _cut(self, path: str, tokenizer: TextTokenizer, settings: WindowSettings, show: bool) -> View:
        """A job cutting the text into windows; `show`: the windows view opens on the new batches."""

        def cut(job: Job) -> TextWindows:
            from tui.core.chapter.windows import TextWindows

            return TextWindows.cut(path, tokenizer, settings)

        def made(windows: TextWindows) -> View:
            self.windows = windows
            settings = windows.settings
            self._say(Message("windows.ready", {"path": windows.path, "windows": windows.windows, "batches": windows.batches, "batch_size": settings.batch_size}))
            if show:
                self.panel = WindowsOpen()
            return self.view()

        return self.view(self._start(Task.WINDOWS, cut, made))

    def _recut(self, settings: WindowSettings) -> View:
        """The same text cut again with other settings, by the tokenizer that cut it; the windows view shows
        the new batches. A text that gives no window with them keeps the windows there were."""
        return self._cut(self.windows.path, self.windows.tokenizer, settings, show=True)

    def show_windows(self) -> View:
        """The windows view: batch by batch, and a key that sends a batch to the lookup."""
        if self.windows is None:
            self._say(Message("windows.none"), error=True)
            return self.view()
        self.panel = WindowsOpen()
        return self.view()

    def _windows_answer(self, panel: WindowsOpen, answer: Answer) -> View:
        windows = self.windows
        if isinstance(answer, Move):
            panel.index = max(0, min(windows.batches - 1, panel.index + answer.step))
            return self.view()
        if answer is Act.SEND:
            self.panel = None
            return self.send_batch(panel.index)
        if answer is Act.SETTINGS:
            return self.view(dialog=Prompt(Topic.WINDOW_SETTINGS, self.t("windows.settings_prompt"), checked(windows.settings.changed, self.lang), windows.settings.text()))
        if answer is Act.COPY:
            script = windows.script(panel.index)
            if script is None:
                self._say(Message("windows.no_script", {"tokenizer": windows.tokenizer.name}), error=True)
                return self.view()
            return self.show_script(script)
        return self.view()

    def send_batch(self, index: int) -> View:
        """A batch's inputs into the ID input, as a batch: looked up as the book's `token_embedding_layer(inputs)`."""
        inputs, _ = self.windows.batch(index)
        if self.input.text_mode:
            self._switch_mode()
        text = str(inputs.tolist())
        return self.edit(text, len(text))

    # -- what the vectors mean ------------------------------------------------------------
    def neighbours(self, row: int | None = None) -> View:
        """The neighbours panel: of `row` (the matrix cursor's), else of the ID under the input's cursor, else
        of row 0. Not while a job has the layer (its values are changing)."""
        if (refused := self._refusal()) is not None:
            return refused
        if row is None or self.positions_shown:  # the positional matrix's rows are positions, not tokens
            parsed = self.reading.parsed
            position = parsed.index_at(self.input.cursor) if parsed is not None else None
            row = parsed.ids[position] if position is not None else 0
        self.panel = NeighboursOpen(str(row))
        return self._ask_neighbours()

    def _ask_neighbours(self, text: str | None = None) -> View:
        """Ask the open neighbours panel's question (or `text`) with the metric and k chosen; a newer question
        cancels the one still reading."""
        panel = self.panel
        if not isinstance(panel, NeighboursOpen):
            return self.view()
        if self.busy is not None and self.busy.task is not Task.NEIGHBOURS:
            panel.reading.say(Message("train.busy"), error=True)
            return self.view()
        self.jobs.cancel(Task.NEIGHBOURS)
        panel.asked = panel.asked if text is None else text
        meaning, source, asked = self.meaning, self.source, panel.asked
        metric, k = meaning.metric, min(meaning.k, most_k(self.spec.vocab_size))

        def ask(job: Job) -> Found:
            return meaning.ask(source.session, asked, source.vocab, source.tokenizer, metric, k, job.tell, job.cancelled)

        def found(answer: Found) -> View:
            panel.answer = answer
            panel.reading.ended()
            return self.view()

        job = self._start(Task.NEIGHBOURS, ask, found, layer=source.session)
        panel.reading.started(job)
        return self.view(job)

    def _neighbours_answer(self, panel: NeighboursOpen, answer: Answer) -> View:
        if isinstance(answer, Ask):
            return self._ask_neighbours(answer.text)
        if isinstance(answer, Append):
            panel.reading.say(Message("neighbours.panel.appended", {"id": answer.row}))
            return self.append_id(answer.row)
        if answer is Act.NEXT_METRIC:
            from tui.core.meaning.neighbours import METRICS

            meaning = self.meaning
            meaning.metric = METRICS[(METRICS.index(meaning.metric) + 1) % len(METRICS)]
            return self._ask_neighbours()
        if answer is Act.ASK_K:
            rows = self.spec.vocab_size
            k = min(self.meaning.k, most_k(rows))
            return self.view(dialog=Prompt(Topic.NEIGHBOURS_K, self.t("neighbours.panel.k_prompt"), checked(lambda text: parse_k(text, rows), self.lang), str(k)))
        if answer is Act.EXPORT and panel.answer is not None:
            return self.view(dialog=Prompt(Topic.EXPORT, self.t("neighbours.panel.export_prompt"), checked(path_given, self.lang), paths=True))
        if answer is Act.MAP and panel.answer is not None:
            found = panel.answer
            asked_ids = [token_id for _, token_id in found.terms]
            note = self.t("map.neighbours", k=len(found.ids), metric=self.t(f"neighbours.{found.neighbours.metric}"))
            return self.view(dialog=vector_map(self.source, presenter.looked_up(self), [*asked_ids, *found.ids], set(asked_ids), note, self.t))
        return self.view()

    def _export(self, path: str, overwrite: bool = False) -> View:
        """The open panel's rows written to `path`: the neighbours found, or the looked-up rows; a file there
        already is a question first."""
        panel = self.panel
        if not isinstance(panel, (NeighboursOpen, StatisticsOpen)):
            return self.view()
        try:
            if isinstance(panel, NeighboursOpen):
                said = export_answer(self.source, panel.answer, path, overwrite)
            else:
                said = write_rows(export_rows(self.source, presenter.looked_up(self)), path, overwrite)
        except ExportExists as error:
            text = error.message.render(self.lang)
            question = Question(Topic.OVERWRITE, self.t("neighbours.panel.overwrite"), text, self.t("neighbours.overwrite_choices"), {"y": Choice.YES, "n": Choice.NO}, path)
            return self.view(dialog=question)
        except MessageError as error:
            panel.reading.say(error.message, error=True)
            return self.view()
        panel.reading.say(said)
        return self.view()

    def statistics(self) -> View:
        """The statistics panel over the layer on screen (not while a job has it): one pass, kept while the
        layer's values stay."""
        if (refused := self._refusal()) is not None:
            return refused
        panel = self.panel = StatisticsOpen()
        meaning, session = self.meaning, self.session

        def compute(job: Job) -> MatrixStatistics:
            return meaning.statistics(session, job.tell, job.cancelled)

        def computed(statistics: MatrixStatistics) -> View:
            panel.statistics = statistics
            panel.reading.ended()
            return self.view()

        job = self._start(Task.STATISTICS, compute, computed, layer=session)
        panel.reading.started(job)
        return self.view(job)


def path_given(text: str) -> str:
    """A path typed to write to: anything but nothing (the file is judged when it is written)."""
    if not text:
        raise MessageError(Message("open.empty"))
    return text


def _no_ids() -> ParsedIds:
    from tui.core.tokens.parse import ParsedIds

    return ParsedIds((), ())
