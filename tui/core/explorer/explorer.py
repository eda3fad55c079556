"""The explorer: everything the app shows and does, without a screen.

It composes the parts, each the one owner of its state: the matrix on screen and where it came from (`Sources`), the input
line and what it reads as (derived), the lookup (derived), the jobs in flight, the training lab, the text's
windows (`Batches`), the panels that read the whole matrix (`ReadingPanels`), the one open panel, and what
was said last. A part's action returns a `Change`; the explorer applies it and makes the `View`
(`presenter.present`). Answers to dialogs and panels come back through one method, `answer`. The TUI routes
keys here and renders the views; `embedding-explorer lookup` runs the same actions and prints.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tui.core.explorer import presenter
from tui.core.explorer.batches import Batches
from tui.core.explorer.changes import NOTHING, Change, Start
from tui.core.explorer.copied_code import code_dialog, save
from tui.core.explorer.dialogs import (
    Act,
    Answer,
    Append,
    Choice,
    Code,
    DiffPane,
    GoTo,
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
    StepsPane,
    Topic,
    TrainingChoice,
    WindowsPane,
    checked,
)
from tui.core.explorer.input_line import MAX_INPUT, InputLine
from tui.core.explorer.lookups import Lookups
from tui.core.explorer.panels import DiffOpen, NeighboursOpen, OpenOpen, Panel, SearchOpen, StatisticsOpen, WindowsOpen
from tui.core.explorer.reading_panels import PASSES, ReadingPanels
from tui.core.explorer.setup import Setup
from tui.core.explorer.sources import LabelsLoaded, LayerMade, SeveralFound, Sources, create, labels_beside, open_labels, open_weights, rebuild
from tui.core.explorer.steps_page import steps_at
from tui.core.explorer.tasks import TRAINING, Jobs, Task
from tui.core.explorer.tokenizer_training import TokenizerTraining
from tui.core.explorer.training import LESSONS, Trained, Training, TrainingLab, dense_question, one_hot
from tui.core.files.file_watch import WeightFileChanged
from tui.core.jobs import Failed, GivenUp, Job
from tui.core.texts.messages import Message, MessageError, translate
from tui.core.tokens.parse import ParsedIds, whole_number
from tui.core.tokens.tokenizer import is_labels

if TYPE_CHECKING:  # these import torch, which the first frame must not wait for
    from tui.core.chapter.reports import Lookup
    from tui.core.chapter.spec import LayerOptions, LayerSpec
    from tui.core.chapter.windows import TextWindows
    from tui.core.explorer.dialogs import Dialog, Pane
    from tui.core.explorer.input_line import Reading
    from tui.core.explorer.source import Layer, Source
    from tui.core.explorer.view import View
    from tui.core.files.models import Cached
    from tui.core.meaning.passes import Meaning
    from tui.core.tokens.tokenizer import TextTokenizer
    from tui.core.tokens.vocab import Vocab

NO_IDS = ParsedIds((), ())
HEAD = "lm_head.weight"  # a model's output head, when it is not its input embedding
__all__ = ["MAX_INPUT", "Explorer", "Setup"]


class Explorer:
    """The app's state and its actions. Public attributes are read by the presenter and by tests; they
    change only through the methods below."""

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self.lang = setup.lang
        self.sources = Sources(setup)
        self.input = InputLine(setup.ids, text_mode=setup.tokenizer is not None and not setup.ids)  # given a tokenizer, one types text
        self.lookups = Lookups()
        self.jobs = Jobs()
        self.lab = TrainingLab()
        self.access = setup.access
        self.batches = Batches(self.access.served)
        self.reading_panels = ReadingPanels(self.access.served)
        self.tokenizer_training = TokenizerTraining()
        self.positions_shown = False  # the matrix shows the positional layer (section 2.8), not the token layer
        self.compared_shown = "a"  # the matrix shows A, B or B − A ("difference"), while there is a B
        self.panel: Panel | None = None  # the panel open now
        self.said: tuple[Message, bool] | None = None  # what the last action said (and whether it is an error)

    def t(self, key: str, **params: object) -> str:
        """The catalog text for `key` in the explorer's language."""
        return translate(self.lang, key, **params)

    # -- derived state -----------------------------------------------------------------------
    @property
    def source(self) -> Source | None:
        return self.sources.source

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
    def windows(self) -> TextWindows | None:
        return self.batches.windows

    @property
    def meaning(self) -> Meaning:
        return self.reading_panels.meaning

    @property
    def reading(self) -> Reading:
        """What the input reads as, with the tokenizer and the layer on screen (derived, kept while those stay)."""
        return self.input.reading(self.tokenizer if self.input.text_mode else None, self.session)

    @property
    def lookup(self) -> Lookup | None:
        """The lookup on screen: brought up to date with the input and the layer, unless a job holds the layer
        (then it waits). A lookup that renormalised rows (max_norm) marks them."""
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

    def view(self, *jobs: Job, dialog: Dialog | None = None, follow: bool = False, go_to: int | None = None) -> View:
        """What the screen shows now, with the jobs just started and a dialog to open; `follow`: bring the ID
        under the input's cursor into view."""
        self.lookup  # noqa: B018 - brought up to date before anything reads it
        return presenter.present(self, jobs, dialog, follow, go_to)

    def apply(self, change: Change) -> View:
        """What a part's action changed, said and started; the view after it."""
        if change.said is not None or change.quiet:
            self.said = None if change.said is None else (change.said, change.error)
        if change.panel is not None:
            self.panel = change.panel
        jobs = tuple(self._start(start) for start in change.start)
        view = self.view(*jobs, dialog=change.dialog, follow=change.follow, go_to=change.go_to)
        return replace(view, delivered=change.delivered) if change.delivered else view

    def _say(self, message: Message, error: bool = False) -> View:
        return self.apply(Change(message, error))

    # -- jobs ------------------------------------------------------------------------------
    def _start(self, start: Start) -> Job:
        return self.jobs.start(start.task, start.work, start.then, layer=start.layer, replaces_layer=start.replaces_layer)

    def finish(self, job: Job, outcome: object) -> View:
        """Install what a job made, unless it is stale (a newer layer was asked for since, its layer is gone,
        it was cancelled); then the next training action waiting its turn, if any, starts."""
        then = self.jobs.finish(job, self.session)
        if then is None or isinstance(outcome, GivenUp):
            view = self.view()
        elif isinstance(outcome, Failed):
            view = self._failed(job, outcome.message)
        else:
            view = self.apply(then(outcome))
        if self.jobs.queued and self.busy is None and not view.jobs and view.dialog is None:
            return self._train(self.jobs.queued.pop(0))
        return view

    def crashed(self, job: Job | None, error: BaseException) -> View:
        """A job (or other work) raised what nothing expected: said, and the app lives on with its last good
        state."""
        if job is not None:
            self.jobs.finish(job, self.session)
        return self._failed(job, Message("error.unexpected", {"error": f"{type(error).__name__}: {error}"}))

    def settle(self, view: View) -> View:
        """Run the view's jobs here, one after another, and return the view they leave (no worker: the CLI)."""
        while view.jobs:
            job = view.jobs[0]
            try:
                outcome = job.run()
            except Exception as error:  # noqa: BLE001 - as the app's worker road does: said, not raised
                later = self.crashed(job, error)
            else:
                later = self.finish(job, outcome)
            view = replace(later, jobs=(*view.jobs[1:], *later.jobs), dialog=later.dialog or view.dialog)
        return view

    def tick(self) -> View:
        """While a job holds the layer: what it is doing, for how long, and what waits its turn."""
        job = self.busy
        if job is None or job.task in PASSES:  # a pass says how far it got in its own panel
            return self.view()
        working = {"action": Message(job.task.value), "seconds": job.seconds}
        if self.jobs.queued:
            queued = ", ".join(self.t(task.value) for task in self.jobs.queued)
            return self._say(Message("train.working_queued", {**working, "queued": queued}))
        return self._say(Message("train.working", working))

    def progress(self, job: Job, fraction: float) -> View:
        """A pass told how far it got: its panel's bar moves, if the panel is still open for it; a tokenizer
        being trained says its last merges."""
        if job.task is Task.BPE_TRAIN and not job.cancelled() and job in self.jobs.running:
            self.said = (self.tokenizer_training.progress(fraction), False)
        panel = self._reading_panel(job)
        if panel is not None and not job.cancelled():
            panel.reading.progress = fraction
        return self.view()

    def _reading_panel(self, job: Job) -> NeighboursOpen | StatisticsOpen | DiffOpen | None:
        """The open panel whose pass `job` is."""
        panel = self.panel
        wanted = {Task.NEIGHBOURS: NeighboursOpen, Task.STATISTICS: StatisticsOpen, Task.DIFF: DiffOpen}.get(job.task)
        return panel if wanted is not None and isinstance(panel, wanted) else None

    def loading_line(self) -> str:
        return presenter.loading_line(self)

    def _failed(self, job: Job | None, message: Message) -> View:
        if job is not None and job.task in TRAINING:
            self.jobs.queued.clear()  # what waited for it would build on what did not happen
        panel = None if job is None else self._reading_panel(job)
        if panel is not None:  # said in the panel, which the user looks at, and under it
            panel.reading.ended(message, error=True)
        self.said = (message, True)
        if job is not None and job.task in (Task.OPEN, Task.OPEN_OTHER):
            return self.view(dialog=Notice(self.t("open.failed"), message.render(self.lang)))
        if message.key in LESSONS:
            return self.view(dialog=Notice(self.t("train.refused"), message.render(self.lang)))
        return self.view()

    # -- the layer -------------------------------------------------------------------------
    def start(self) -> View:
        """Make the first layer (importing torch first); typing is parsed meanwhile."""
        return self.apply(Change(start=(Start(Task.CREATE, create(self.setup), self._first_layer, replaces_layer=True),)))

    def _first_layer(self, made: LayerMade) -> Change:
        """The first layer is on screen: then its labels (a GGUF's token list), then the text given at start
        cut into windows, each in its own job."""
        change = self._install(made)
        if self.setup.labels_later is not None:
            return replace(change, start=(Start(Task.LABELS, labels_beside(self.setup.labels_later), self._first_labels),))
        return self._cut_text(change)

    def _first_labels(self, loaded: LabelsLoaded) -> Change:
        return self._cut_text(self._labels(loaded))

    def _cut_text(self, change: Change) -> Change:
        """After `change`: the text given at start cut into the book's windows, with the tokenizer on screen."""
        if self.setup.text_file is None:
            return change
        if self.tokenizer is None:
            return Change(Message("windows.tokenizer"), error=True)
        cut = self.batches.cut(self.setup.text_file, self.tokenizer, self.setup.windows, self.t)
        said, error, dialog = cut.said or change.said, cut.error or change.error, cut.dialog or change.dialog  # a big batch: asked, or refused
        return replace(change, said=said, error=error, dialog=dialog, start=(*change.start, *cut.start))

    def open(self, path: str, key: str | None = None) -> View:
        """Open a weight file or model, and the vocabulary and tokenizer beside it. The layer on screen stays
        until the file's is ready, and for good when the file cannot give one. A tokenizer or vocabulary
        (`gpt2`, a .json, a .txt) labels the layer on screen instead. A path the session may not read (served)
        is refused, and nothing is opened."""
        if not self.access.allows(path):
            return self._say(self.access.refusal(path), error=True)
        if is_labels(path):
            start = Start(Task.OPEN, open_labels(path), self._labels)
        else:
            start = Start(Task.OPEN, open_weights(path, key, self.setup.context_length), self._opened, replaces_layer=True)
        return self.apply(Change(Message("open.opening", {"path": path}), start=(start,)))

    def _opened(self, outcome: LayerMade | SeveralFound) -> Change:
        if isinstance(outcome, SeveralFound):
            count = len(outcome.candidates)
            return Change(Message("open.pick", {"count": count}), dialog=Pick(self.t("open.pick", count=count), outcome.candidates, outcome.path))
        return self._install(outcome)

    def _install(self, made: LayerMade) -> Change:
        """Show a new layer: the IDs typed so far are looked up in it."""
        if self.input.text_mode and made.source.tokenizer is None:
            self._switch_mode()  # back to IDs while the old tokenizer is still there
        self.lab.new_layer()
        self.positions_shown = self.positions_shown and made.source.session.positions is not None
        self.jobs.queued.clear()  # they were for the layer before
        return replace(self.sources.installed(made), follow=True)

    def _labels(self, loaded: LabelsLoaded) -> Change:
        """New row labels, and a tokenizer to type text with (in text mode at once, if the input is empty)."""
        change = self.sources.labelled(loaded)
        if change is None:
            return NOTHING
        if loaded.tokenizer is not None and not self.input.text_mode and not self.input.text:
            self._switch_mode()
        return replace(change, follow=True)

    def check_file(self) -> View | None:
        """What became of the weight's file on disk, when there is something new to say (see `Sources`)."""
        news = self.sources.check_file()
        if news is None:
            return None
        message, unreadable = news
        dialog = Notice(self.t("weights.changed_title"), message.render(self.lang)) if unreadable else None
        return self.apply(Change(message, error=unreadable, dialog=dialog))

    # -- typing ----------------------------------------------------------------------------
    def edit(self, value: str, cursor: int) -> View:
        """The input now holds `value` with the cursor at `cursor`: what it reads as, looked up, shown."""
        if self.input.edit(value, cursor):
            self.lab.input_changed()
            self.said = None  # the input speaks now
        return self.view(follow=True)

    def input_too_long(self) -> View:
        """A key or a paste the input refused: it would pass MAX_INPUT characters."""
        return self._say(Message("input.too_long", {"limit": MAX_INPUT}), error=True)

    def toggle_text(self) -> View:
        """Switch the input between IDs and text; back in IDs, it holds the IDs the text gave."""
        if self.tokenizer is None:
            return self._say(Message("tokenizer.needed"), error=True)
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
            if on and session.grad is None:
                return self._say(Message("train.grad_none"), error=True)
            self.lab.wants_grad = on
            return self._say(Message("train.view_grad" if on else "train.view_weight"))
        if name == "freeze":
            if not on and (refused := self._untrainable()) is not None:
                return refused
            session.set_frozen(on)
            return self._say(Message(("toggle.freeze_on" if on else "toggle.freeze_off") + ("_positions" if session.positions else "")))
        session.no_grad = on
        return self._say(Message("toggle.no_grad_on" if on else "toggle.no_grad_off"))

    def toggle(self, name: str) -> View:
        """Flip a switch (F2, F3, Ctrl+T)."""
        session = self.session
        if session is None:
            return self.view()
        on = {"freeze": session.frozen, "no_grad": session.no_grad, "grad": self.lab.grad_view(session)}[name]
        return self.set_toggle(name, not on)

    def switch_matrix(self) -> View:
        """Show the positional layer's matrix instead of the token layer's, or back (section 2.8)."""
        session = self.session
        if session is None:
            return self.view()
        if session.positions is None:
            return self._say(Message("positions.none"), error=True)
        self.positions_shown = not self.positions_shown
        if self.positions_shown:
            said = Message("positions.shown", {"context": session.positions.context_length, "dim": self.spec.dim})
        else:
            said = Message("positions.tokens_shown")
        return self.apply(Change(said, follow=True))

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
        prompt = self.t("goto.prompt", last=self.spec.vocab_size - 1)
        return self.view(dialog=Prompt(Topic.GO_TO_ROW, prompt, checked(self.row_of_id, self.lang)))

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
        said = Message("status.row", {"row": row}) if token is None else Message("search.went_to", {"id": row, "token": token})
        return self.apply(Change(said, go_to=row))

    def find(self) -> View:
        """Ctrl+F: the vocabulary searched as typed; its index is built in a job the first time."""
        vocab = self.vocab
        if self.session is None:
            return self.view()
        if vocab is None:
            return self._say(Message("find.no_vocab"), error=True)
        build = () if vocab.search_ready else (Start(Task.SEARCH_INDEX, lambda job: vocab.search_index.built(), lambda index: NOTHING),)
        return self.apply(Change(panel=SearchOpen(), start=build))

    def ask_open(self, compare: bool = False) -> View:
        """F6: a file, a model folder, a cached model or a tokenizer to open (`compare`: a matrix to compare
        with the one on screen); the cache scanned in a job. A served session is offered what it may open, and
        nothing else (no cache, no folder tree)."""
        if self.session is None:
            return self.view()
        if self.access.served:
            return self.apply(Change(panel=OpenOpen(compare=compare, offered=self.access.offered())))
        panel = OpenOpen(compare=compare)

        def scan(job: Job) -> Cached:
            from tui.core.files.models import cached_models, hub_cache

            return cached_models(hub_cache())

        def scanned(cached: Cached) -> Change:
            panel.cached = cached.ids
            if not cached.skipped:
                return NOTHING
            return Change(said=Message("cache.skipped_notes", {"count": len(cached.skipped), "notes": cached.skipped}), error=True)

        return self.apply(Change(panel=panel, start=(Start(Task.CACHED_MODELS, scan, scanned),)))

    def options(self) -> View:
        """Ctrl+O: the loss, lr and the layer's options (not while a job has the layer)."""
        if (refused := self._refusal()) is not None:
            return refused
        training = self.lab.training
        return self.view(dialog=presenter.options_dialog(self, TrainingChoice(training.loss, training.lr, self.spec.options)))

    def answer(self, dialog: Dialog | Pane, answer: Answer) -> View:
        """The one road back from every dialog and panel: what `answer` to `dialog` does (None: closed)."""
        if isinstance(dialog, (NeighboursPane, StatisticsPane, WindowsPane, SearchPane, OpenPane, DiffPane, StepsPane)):
            return self._panel_answer(dialog, answer)
        if isinstance(dialog, Question) and dialog.topic is Topic.BIG_BATCH:  # closed is no
            return self.apply(self.batches.confirmed(answer is Choice.YES))
        if answer is None:
            return self._say(Message("options.cancelled")) if isinstance(dialog, Options) else self.view()
        if isinstance(dialog, Question):
            if dialog.topic is Topic.DENSE_GRADIENT:
                return self._dense_answer(answer)
            if dialog.topic is Topic.BIG_ONE_HOT:
                return self.one_hot(confirmed=True) if answer is Choice.YES else self.view()
            if dialog.topic is Topic.OVERWRITE and answer is Choice.YES:
                return self._export(dialog.path, overwrite=True)
            if dialog.topic is Topic.COMPARE:
                return self._compare_answer(answer)
        if isinstance(dialog, Prompt):
            return self._prompt_answer(dialog, answer)
        if isinstance(dialog, Pick):
            return self.compare_with(dialog.path, answer) if dialog.compare else self.open(dialog.path, answer)
        if isinstance(dialog, Code) and answer is Choice.SAVE:
            return self.apply(save(dialog.script, served=self.access.served))
        if isinstance(dialog, Report) and answer is Choice.COPY and dialog.script is not None:
            return self.view(dialog=code_dialog(dialog.script, self.t, self.access.served))
        if isinstance(dialog, Options):
            return self.apply_training(answer)
        return self.view()

    def _prompt_answer(self, prompt: Prompt, answer: Any) -> View:
        panel = self.panel
        if prompt.topic is Topic.GO_TO_ROW:
            return self.go_to(answer)
        if prompt.topic is Topic.NEIGHBOURS_K and isinstance(panel, NeighboursOpen):
            return self.apply(self.reading_panels.new_k(panel, self.source, answer))
        if prompt.topic is Topic.EXPORT:
            return self._export(answer)
        if prompt.topic is Topic.WINDOW_SETTINGS:
            return self.apply(self.batches.recut(answer, self.t))
        if prompt.topic is Topic.BPE_TEXT:
            if not self.access.allows(answer):
                return self._say(self.access.refusal(answer), error=True)
            return self.view(dialog=self.tokenizer_training.ask_size(answer, self.t, self.lang))
        if prompt.topic is Topic.BPE_SIZE and self.session is not None:
            positions = self.session.positions
            context_length = None if positions is None else positions.context_length
            return self.apply(self.tokenizer_training.start(*answer, self.spec, context_length, self._tokenizer_trained))
        return self.view()

    def _panel_answer(self, pane: Pane, answer: Answer) -> View:
        panel = self.panel
        if answer is None or isinstance(answer, GoTo) or isinstance(pane, OpenPane):  # each closes the panel
            for task in PASSES:
                self.jobs.cancel(task)
            self.panel = None
            if isinstance(answer, GoTo) and isinstance(panel, DiffOpen):
                return self._diff_row(panel, answer.row)
            if isinstance(answer, GoTo):
                return self.go_to(answer.row)
            if isinstance(answer, str):
                return self.compare_with(answer) if isinstance(panel, OpenOpen) and panel.compare else self.open(answer)
            return self.view()
        if isinstance(panel, WindowsOpen):
            if answer is Act.SEND:
                self.panel = None
                return self.send_batch(panel.index)
            return self.apply(self.batches.answer(panel, answer, self.t, self.lang))
        if isinstance(panel, (NeighboursOpen, StatisticsOpen, DiffOpen)):
            if isinstance(answer, Append):
                panel.reading.say(Message("neighbours.panel.appended", {"id": answer.row}))
                return self.append_id(answer.row)
            busy = self.busy
            if busy is not None and busy.task not in PASSES:  # a newer question may cancel a pass, nothing else
                return self._say(Message("train.busy"), error=True)
            return self.apply(self.reading_panels.answer(panel, answer, self.source, presenter.looked_up(self), self.t, self.lang))
        return self.view()

    # -- copy as code ----------------------------------------------------------------------
    def code_script(self) -> str | None:
        """The script that prints what the screen shows; None before the first lookup."""
        session, lookup = self.session, self.lookup
        if session is None or lookup is None:
            return None
        code = self.tokenizer.code if self.tokenizer is not None and self.input.text_mode else None
        if code is None or not code.typed or self.reading.parsed != lookup.parsed:  # the IDs, when the text typed did not give them
            return session.script(lookup.parsed)  # (a tokenizer trained here always comes with a layer made here)
        return session.script(lookup.parsed, (code, self.input.text))

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
            return self._say(error.message, error=True)
        return self.view(dialog=code_dialog(script, self.t, self.access.served))

    # -- the training lab ------------------------------------------------------------------
    def _refusal(self) -> View | None:
        """Why an action that reads or trains the layer cannot start now (none yet, or a job has it); None
        when it can."""
        if self.session is None:
            return self.view()
        if self.busy:
            return self._say(Message("train.busy"), error=True)
        return None

    def _untrainable(self) -> View | None:
        """A quantized matrix has no nn.Embedding to train (or compare as one-hot): the lab says why, in a panel."""
        session = self.session
        if session is None or session.trainable:
            return None
        message = session.untrainable().message
        return self.apply(Change(message, error=True, dialog=Notice(self.t("gguf.lab_off"), message.render(self.lang))))

    def _train(self, task: Task, dense: bool = False) -> View:
        """A training action on the layer on screen, as a job: waiting its turn while another job holds the
        layer; refused while there is none, or it cannot be trained. Before a big dense gradient, a question
        first (`dense`: it was answered: allocate it)."""
        if self.session is not None and self.busy:
            self.jobs.queued.append(task)
            return self._say(Message("train.queued", {"action": Message(task.value), "count": len(self.jobs.queued)}))
        if (refused := self._refusal() or self._untrainable()) is not None:
            return refused
        session = self.session
        if task is Task.BACKWARD and not dense and self.lab.asks_first(session):
            return self.view(dialog=dense_question(session.spec, self.t))
        work = self.lab.work(task, self.lookup.parsed if self.lookup is not None else NO_IDS)
        return self.apply(Change(start=(Start(task, lambda job: work(session), self._trained, layer=session),)))

    def backward(self, dense: bool = False) -> View:
        """backward() on the loss of the result (a question first before a big dense gradient)."""
        return self._train(Task.BACKWARD, dense)

    def step(self) -> View:
        return self._train(Task.STEP)

    def zero_grad(self) -> View:
        return self._train(Task.ZERO_GRAD)

    def undo(self) -> View:
        return self._train(Task.UNDO)

    def reset(self) -> View:
        return self._train(Task.RESET)

    def _trained(self, outcome: Trained) -> Change:
        self.lab.trained(outcome)
        return Change(outcome.message)

    def _dense_answer(self, answer: Answer) -> View:
        if answer is Choice.DENSE:
            return self.backward(dense=True)
        if (refused := self._refusal()) is not None:
            return refused
        if answer is Choice.SPARSE:
            return self._rebuild(replace(self.spec.options, sparse=True), then_backward=True)
        return self.view()

    def one_hot(self, confirmed: bool = False) -> View:
        """The bonus notebook: the lookup again as one-hot × weight, compared (a question first when big)."""
        if (refused := self._refusal() or self._untrainable()) is not None:
            return refused
        lookup = self.lookup
        return self.apply(one_hot(self.session, lookup.parsed if lookup is not None else NO_IDS, self.lab.training.loss, confirmed, self.t))

    def apply_training(self, chosen: TrainingChoice) -> View:
        """New loss and lr apply at once; new layer options build the layer again, as at launch."""
        if (refused := self._refusal()) is not None:
            return refused
        self.lab.training = Training(chosen.loss, chosen.lr)
        if chosen.options != self.spec.options:
            return self._untrainable() or self._rebuild(chosen.options)
        from tui.core.chapter.history import LOSSES

        return self._say(Message("train.options_applied", {"loss": LOSSES[chosen.loss], "lr": chosen.lr}))

    def _rebuild(self, options: LayerOptions, then_backward: bool = False) -> View:
        """The layer built again with other options (a file's values restored first: training wrote them);
        `then_backward`: backward() next, on the new layer."""

        def rebuilt(made: LayerMade) -> Change:
            change = self._install(made)
            if not then_backward:
                return change
            session, parsed = self.session, self.lookup.parsed if self.lookup is not None else NO_IDS
            work = self.lab.work(Task.BACKWARD, parsed)
            return replace(change, start=(Start(Task.BACKWARD, lambda job: work(session), self._trained, layer=session),))

        start = Start(Task.OPTIONS, rebuild(self.source, options), rebuilt, layer=self.session, replaces_layer=True)
        return self.apply(Change(start=(start,)))

    # -- a word's BPE steps --------------------------------------------------------------------
    def show_steps(self) -> View:
        """Text mode: the panel of the steps of the word under the input's cursor, by the tokenizer of the
        matrix on screen (only that word's steps are made)."""
        tokenizer = self.tokenizer
        if not self.input.text_mode or tokenizer is None:
            return self._say(Message("steps.text_mode"), error=True)
        return self.apply(Change(panel=steps_at(tokenizer, self.input.text, self.input.cursor)))

    # -- a tokenizer trained from a text (the bonus notebook) ----------------------------------
    def train_tokenizer(self) -> View:
        """A text and a vocabulary size asked for, then a BPE tokenizer trained from it in a job; the same key
        while it trains gives it up (the layer on screen stays)."""
        if self.session is None:
            return self.view()
        if self.jobs.doing(Task.BPE_TRAIN) is not None:
            self.jobs.cancel(Task.BPE_TRAIN)
            return self._say(Message("bpe_app.cancelled"))
        return self.view(dialog=self.tokenizer_training.ask(self.t, self.lang, self.access.offered() if self.access.served else None))

    def _tokenizer_trained(self, made: LayerMade) -> Change:
        """The trained tokenizer's layer on screen: text mode types with it, and a text cut into windows is cut
        again by it."""
        change = self._install(made)
        if not self.input.text_mode:
            self._switch_mode()
        windows = self.windows
        if windows is None:
            return change
        cut = self.batches.cut(windows.path, self.tokenizer, windows.settings, self.t)
        return replace(change, start=(*change.start, *cut.start), dialog=cut.dialog or change.dialog)

    # -- windows (section 2.6) ----------------------------------------------------------------
    def show_windows(self) -> View:
        """The windows view: batch by batch, and a key that sends a batch to the lookup."""
        return self.apply(self.batches.show())

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
        panel, change = self.reading_panels.neighbours(self.source, str(row))
        return self.apply(replace(change, panel=panel))

    def statistics(self) -> View:
        """The statistics panel over the layer on screen (not while a job has it)."""
        if (refused := self._refusal()) is not None:
            return refused
        panel, change = self.reading_panels.statistics(self.source)
        return self.apply(replace(change, panel=panel))

    def _export(self, path: str, overwrite: bool = False) -> View:
        panel = self.panel
        if not isinstance(panel, (NeighboursOpen, StatisticsOpen, DiffOpen)):
            return self.view()
        return self.apply(self.reading_panels.export(panel, self.source, presenter.looked_up(self), path, self.t, overwrite))

    # -- two matrices compared -------------------------------------------------------------
    def compare(self) -> View:
        """Compare the matrix on screen (A) with a matrix B: the layer as it was created or opened, a file or
        model chosen in the open panel, or B again (not while a job has the layer)."""
        if (refused := self._refusal()) is not None:
            return refused
        keys = {"a": Choice.FIRST, "o": Choice.OTHER}
        choices = self.t("diff.choices")
        if self.sources.head() is not None:
            keys["h"] = Choice.HEAD
            choices = f"h: {self.t('diff.head')} · {choices}"
        other = self.sources.other
        if other is not None:
            keys["b"] = Choice.AGAIN
            name = self.sources.other_name
            choices = f"b: {name.render(self.lang) if isinstance(name, Message) else name} · {choices}"
        return self.view(dialog=Question(Topic.COMPARE, self.t("diff.choose_title"), self.t("diff.choose_text"), choices, keys))

    def _compare_answer(self, answer: Answer) -> View:
        if answer is Choice.OTHER:
            return self.ask_open(compare=True)
        if answer is Choice.HEAD and (model := self.sources.head()) is not None:
            return self.compare_with(model, HEAD)
        if (refused := self._refusal()) is not None:
            return refused
        if answer is Choice.FIRST:
            self.sources.compared_with(self.sources.as_created(), Message("diff.first"))
        elif answer is not Choice.AGAIN or self.sources.other is None:
            return self.view()
        return self.apply(self._diff())

    def compare_with(self, path: str, key: str | None = None) -> View:
        """Open a weight file or model as B, in a job (the matrix on screen stays), then compare; a path the
        session may not read (served) is refused."""
        if not self.access.allows(path):
            return self._say(self.access.refusal(path), error=True)
        return self.apply(Change(Message("diff.opening", {"path": path}), start=(Start(Task.OPEN_OTHER, open_weights(path, key, None), self._other_opened),)))

    def _other_opened(self, outcome: LayerMade | SeveralFound) -> Change:
        if isinstance(outcome, SeveralFound):
            count = len(outcome.candidates)
            return Change(Message("open.pick", {"count": count}), dialog=Pick(self.t("open.pick", count=count), outcome.candidates, outcome.path, compare=True))
        weights = outcome.source.session.weights
        self.sources.compared_with(outcome.source, str(weights.path) if weights is not None else "")
        if self.busy is not None:  # a job took the layer meanwhile: B waits for the compare key
            return Change(Message("train.busy"), error=True)
        return self._diff()

    def _diff(self) -> Change:
        """The diff panel over A and B, its pass started."""
        panel, change = self.reading_panels.diff(self.sources.compared(), presenter.looked_up(self))
        return replace(change, panel=panel)

    def show_compared(self) -> View:
        """The matrix view shows A, then B, then B − A (with each row's ‖b − a‖), in turn."""
        other = self.sources.other
        if self.session is None:
            return self.view()
        if other is None:
            return self._say(Message("diff.none_compared"), error=True)
        shown = {"a": "b", "b": "difference", "difference": "a"}[self.compared_shown]
        if shown == "difference":
            dim_a, dim_b = self.spec.dim, other.session.spec.dim
            if dim_a != dim_b:
                self.compared_shown = "a"
                return self._say(Message("diff.difference_width", {"dim_a": dim_a, "dim_b": dim_b}), error=True)
            try:
                self.sources.difference_rows()
            except MessageError as error:
                self.compared_shown = "a"
                return self._say(error.message, error=True)
        self.compared_shown = shown
        letter = "A" if self.sources.compared().a is other else "B"
        return self.apply(Change(Message(f"diff.showing_{shown}", {"name": self.sources.other_name, "letter": letter}), follow=True))

    def _diff_row(self, panel: DiffOpen, row: int) -> View:
        """The matrix's cursor on row `row` of A, and the two rows one above the other with their difference."""
        from tui.core.explorer.diff_page import rows_report

        try:
            report = rows_report(panel.compared.a, panel.compared.b, panel.diff, row, self.t)
        except WeightFileChanged as error:
            return self._say(error.message, error=True)
        if report is None:
            return self.apply(Change(Message("diff.not_in_b", {"id": row}), error=True, go_to=row))
        view = self.go_to(row)
        return replace(view, dialog=report)
