"""The explorer: everything the app shows and does, without a screen.

One object holds the state: the layer session, the input as typed and as parsed, the last good lookup,
the mode (IDs or text), the vocabulary and tokenizer, the training lab (`tui.core.explorer.training`, a collaborator
that owns its own settings and what it shows), the status line, and the jobs in flight. Each action is a method that returns the `View` to show
(`tui.core.explorer.presenter` makes it). The TUI routes keys here and renders the views; `embedding-explorer
lookup` runs the same actions and prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.chapter.code import made_lines, save_script
from tui.core.chapter.history import LOSSES
from tui.core.chapter.spec import LayerOptions, LayerSpec
from tui.core.chapter.windows import TextWindows, WindowSettings
from tui.core.explorer import presenter
from tui.core.explorer.training import LESSONS, Training, TrainingLab, Work
from tui.core.explorer.view import Code, Dialog, Notice, Pick, Question, Report, View, Windows
from tui.core.files.file_watch import Change, WeightFileChanged
from tui.core.jobs import (
    Failed,
    Job,
    LabelsLoaded,
    LayerMade,
    Outcome,
    SeveralFound,
    Trained,
    WindowsCut,
)
from tui.core.texts.messages import LANGUAGES, Message, MessageError, resolve_lang, translate
from tui.core.texts.shown import human_size, single_line
from tui.core.tokens.parse import IdError, ParsedIds, append_id, parse_ids, whole_number

if TYPE_CHECKING:  # these import torch, which the first frame must not wait for
    from tui.core.chapter.reports import Lookup
    from tui.core.chapter.session import EmbeddingSession
    from tui.core.files.weights import WeightFile
    from tui.core.meaning.passes import Meaning
    from tui.core.tokens.tokenizer import TextTokenizer, Tokens
    from tui.core.tokens.vocab import Vocab

NO_IDS = ParsedIds((), ())
SHOWN_CODE = 20_000  # characters of a copied script shown in its panel; the clipboard gets all of it
MAX_INPUT = 1_000_000  # characters the input takes: 250,000 IDs and more, far past any lesson's needs


@dataclass(frozen=True)
class Setup:
    """What the explorer starts from: the layer (a seeded spec, or a weight file's tensor), its toggles,
    the first input, the language, the row labels and the tokenizer; a text to cut into windows, and a
    context length for a positional layer (section 2.8)."""

    spec: LayerSpec
    weights: WeightFile | None = None
    frozen: bool | None = None  # None: torch's default, trainable when seeded and frozen from a file
    no_grad: bool = False
    ids: str = ""
    lang: str = "en"
    vocab: Vocab | None = None
    tokenizer: TextTokenizer | None = None
    text_file: str | None = None  # a text to cut into the book's windows (section 2.6)
    windows: WindowSettings = WindowSettings()
    context_length: int | None = None  # a positional layer of this many rows, added to every lookup
    labels_later: Path | None = None  # a GGUF file whose token list labels the rows once the matrix is on screen

    @classmethod
    def of(
        cls,
        vocab_size: int = 6,
        dim: int = 3,
        seed: int = 123,
        dtype: str = "float32",
        ids: str = "",
        lang: str | None = None,
        freeze: bool | None = None,
        no_grad: bool = False,
        weights: WeightFile | None = None,
        vocab: Vocab | None = None,
        tokenizer: TextTokenizer | None = None,
        options: LayerOptions | None = None,
        text_file: str | None = None,
        windows: WindowSettings | None = None,
        context_length: int | None = None,
        labels_later: Path | None = None,
    ) -> Setup:
        """From keywords (the app's and the CLI's); raises `SpecError` for a layer torch would refuse.
        With `weights`, the size and dtype are the file's. `vocab` defaults to the tokenizer's."""
        lang = resolve_lang(lang)
        if lang not in LANGUAGES:
            raise ValueError(translate("en", "spec.lang", value=lang, choices=", ".join(LANGUAGES)))
        options = options or LayerOptions()
        spec = LayerSpec.of_file(weights, options) if weights is not None else LayerSpec(vocab_size, dim, seed, dtype, options)
        spec.check()
        if vocab is None and tokenizer is not None:
            vocab = tokenizer.vocab
        windows = windows or WindowSettings()
        windows.check()
        if context_length is not None and context_length < 1:
            raise MessageError(Message("positions.context_length", {"value": context_length}))
        return cls(spec, weights, freeze, no_grad, single_line(ids), lang, vocab, tokenizer, text_file, windows, context_length, labels_later)


class Explorer:
    """The app's state and its actions. Public attributes are read by the presenter and by tests; they
    change only through the methods below."""

    def __init__(self, setup: Setup) -> None:
        self.setup = setup  # what the first layer is made from
        self.lang = setup.lang
        self.session: EmbeddingSession | None = None  # set once torch has built the layer
        self.vocab, self.tokenizer = setup.vocab, setup.tokenizer
        # the input
        self.text = setup.ids
        self.cursor = len(setup.ids)
        self.text_mode = setup.tokenizer is not None and not setup.ids  # given a tokenizer, one types text
        self.tokens: Tokens | None = None  # the text cut into tokens (text mode)
        self.typed: ParsedIds | None = None  # the input's IDs, None while they cannot be looked up
        self.problem: Message | None = None  # what is wrong with the input
        self.lookup: Lookup | None = None  # the last good lookup, kept while the input is invalid
        self._kept = {True: "", False: ""}  # what the input held in the other mode
        self.lab = TrainingLab(setup.spec.options)
        self.windows: TextWindows | None = None  # the text cut into windows, once a job has cut it
        self.positions_shown = False  # the matrix shows the positional layer (section 2.8), not the token layer
        self._meaning: Meaning | None = None  # the neighbour searches' metric, k and index
        # the status line and the jobs
        self.message: Message | None = None  # the last thing said
        self.error = False
        self.jobs: list[Job] = []  # running
        self.queued: list[str] = []  # training actions pressed while a job had the layer: each runs in turn
        self._file_change = Change.NONE  # what became of the weight's file, as last said
        self._generation = 0
        self._read()

    def t(self, key: str, **params: object) -> str:
        """The catalog text for `key` in the explorer's language."""
        return translate(self.lang, key, **params)

    def view(self, job: Job | None = None, dialog: Dialog | None = None, follow: bool = False) -> View:
        """What the panels show now; `follow`: bring the ID under the input's cursor into view."""
        return presenter.present(self, job, dialog, follow)

    @property
    def spec(self) -> LayerSpec:
        """The layer shown, or the one being made."""
        return self.session.spec if self.session else self.setup.spec

    @property
    def weights(self) -> WeightFile | None:
        return self.session.weights if self.session else self.setup.weights

    @property
    def busy(self) -> Job | None:
        """The job using the layer on screen: lookups, toggles and training wait for it."""
        return next((job for job in self.jobs if job.session is not None and job.session is self.session), None)

    @property
    def creating(self) -> Job | None:
        """The job making the first layer, while there is none."""
        return next((job for job in self.jobs if job.action == "create"), None) if self.session is None else None

    @property
    def loading(self) -> bool:
        """No layer yet, and it is being made (or about to be): not once making it failed."""
        return self.session is None and (self._generation == 0 or self.creating is not None)

    # -- jobs ------------------------------------------------------------------------------
    def _start(self, action: str, work: Callable[[Job], Outcome], *, session: EmbeddingSession | None, replaces_layer: bool) -> View:
        if replaces_layer:
            self._generation += 1
        job = Job(action, self._generation, work, session, replaces_layer)
        self.jobs.append(job)
        return self.view(job=job)

    def finish(self, job: Job, outcome: Outcome) -> View:
        """Install what a job made, unless a newer layer was asked for since: then it is dropped. Then the
        next training action waiting its turn, if any, starts."""
        self.jobs.remove(job)
        current = job.generation == self._generation and (job.session is None or job.session is self.session)
        if not current:
            view = self.view()
        elif isinstance(outcome, Failed):
            view = self._failed(job, outcome.message)
        elif isinstance(outcome, SeveralFound):
            view = self._several(outcome)
        elif isinstance(outcome, LayerMade):
            view = self._install(outcome)
            if job.action == "create" and view.job is None and self.setup.labels_later is not None:
                view = self._first_labels()
            elif job.action == "create" and view.job is None and self.setup.text_file is not None:
                view = self._cut_text()  # the text given at start, once its tokenizer is there
        elif isinstance(outcome, LabelsLoaded):
            view = self._labels(outcome)
            if job.action == "labels" and view.job is None and self.setup.text_file is not None:
                view = self._cut_text()
        elif isinstance(outcome, Report):  # a comparison worked out on the layer (one-hot)
            view = self.view(dialog=outcome)
        elif isinstance(outcome, WindowsCut):
            view = self._cut(outcome.windows)
            if job.action == "recut":  # new settings asked for in the windows view: back to it
                view = self.show_windows()
        else:
            view = self._trained(outcome)
        if self.queued and not self.busy and view.job is None and view.dialog is None:
            return getattr(self, self.queued.pop(0))()
        return view

    def settle(self, view: View) -> View:
        """Run the view's jobs here, one after another, and return the view they leave (no worker: the CLI)."""
        while view.job is not None:
            view = self.finish(view.job, view.job.run())
        return view

    def progress(self) -> View:
        """While a job has the layer: what it is doing, for how long, and what waits its turn."""
        job = self.busy
        if job is not None:
            working = {"action": self.t(f"key.{job.action}"), "seconds": job.seconds}
            if self.queued:
                queued = ", ".join(self.t(f"key.{action}") for action in self.queued)
                self._say(Message("train.working_queued", {**working, "queued": queued}))
            else:
                self._say(Message("train.working", working))
        return self.view()

    def loading_line(self) -> str:
        """While the first layer is made: the step it is at, and the seconds so far."""
        job = self.creating
        if job is None or not job.stage:
            return ""
        step = self.t(job.stage, size=human_size(self.spec.nbytes))
        return self.t("weight.loading_elapsed", step=step, seconds=job.seconds)

    def _failed(self, job: Job, message: Message) -> View:
        if job.session is not None:  # a refused training action may still have renormalised rows (max_norm)
            self._relook()
            self.queued.clear()  # what waited for it would build on what did not happen
        self._say(message, error=True)
        if job.action == "open":
            return self.view(dialog=Notice(self.t("open.failed"), message.render(self.lang)))
        if message.key in LESSONS:
            return self.view(dialog=Notice(self.t("train.refused"), message.render(self.lang)))
        return self.view()

    # -- the layer -------------------------------------------------------------------------
    def start(self) -> View:
        """Make the first layer (importing torch first); typing is parsed meanwhile."""
        setup = self.setup

        def create(job: Job) -> Outcome:
            job.stage = "weight.loading_step.import"
            from tui.core.chapter.session import make_session

            job.stage = "weight.loading_step.create"
            session = make_session(
                setup.spec, setup.weights, frozen=setup.frozen, no_grad=setup.no_grad, context_length=setup.context_length
            )
            return LayerMade(session, setup.vocab, setup.tokenizer)

        return self._start("create", create, session=None, replaces_layer=True)

    def open(self, path: str, key: str | None = None) -> View:
        """Open a weight file, and the vocabulary and tokenizer beside it. The layer on screen stays until
        the file's is ready, and for good when the file cannot give one. A tokenizer or vocabulary (`gpt2`,
        a .json, a .txt) labels the layer on screen instead."""
        from tui.core.tokens.tokenizer import is_labels

        if is_labels(path):
            return self._open_labels(path)
        context_length = self.setup.context_length

        def open_file(job: Job) -> Outcome:
            from tui.core.chapter.session import make_session
            from tui.core.files.models import find_model, is_model, open_model
            from tui.core.files.weights import SeveralTensors, open_weights
            from tui.core.tokens.tokenizer import beside
            from tui.core.tokens.vocab import VocabError

            try:
                weights = open_model(find_model(path, key)) if is_model(path) else open_weights(path, key)
            except SeveralTensors as several:
                return SeveralFound(path, tuple((info.key, info.describe()) for info in several.candidates))
            try:
                vocab, tokenizer, problem = *beside(weights.path), None
            except VocabError as error:
                vocab, tokenizer, problem = None, None, error.message
            session = make_session(LayerSpec.of_file(weights), weights, context_length=context_length)
            return LayerMade(session, vocab, tokenizer, problem=problem)

        self._say(Message("open.opening", {"path": path}))
        return self._start("open", open_file, session=None, replaces_layer=True)

    def _open_labels(self, path: str) -> View:
        def load(job: Job) -> Outcome:
            from tui.core.tokens.tokenizer import labels_of

            return LabelsLoaded(*labels_of(path))

        self._say(Message("open.opening", {"path": path}))
        return self._start("open", load, session=None, replaces_layer=False)

    def _first_labels(self) -> View:
        """The first layer's labels, read once its matrix is on screen: a GGUF file's token list (128k tokens
        take a few tenths of a second to decode)."""
        path = self.setup.labels_later

        def load(job: Job) -> Outcome:
            from tui.core.tokens.tokenizer import beside

            return LabelsLoaded(*beside(path))

        return self._start("labels", load, session=None, replaces_layer=False)

    def _labels(self, loaded: LabelsLoaded) -> View:
        """New row labels, and a tokenizer to type text with (in text mode at once, if the input is empty).
        None: the file had none; the rows keep their IDs."""
        if loaded.vocab is None:
            return self.view()
        self.vocab = loaded.vocab
        if loaded.tokenizer is not None:
            self.tokenizer = loaded.tokenizer
            if not self.text_mode and not self.text:
                self.toggle_text()
        self._greet()
        return self.view(follow=True)

    def cached_models(self) -> list[str]:
        """The ids of the models in the local Hugging Face cache, for completing what F6 opens."""
        from tui.core.files.models import cached_models, hub_cache

        return cached_models(hub_cache())

    def path_to_open(self, text: str) -> str:
        """A path typed to open (F6): anything but nothing; the file itself is judged when it is opened."""
        if not text:
            raise MessageError(Message("open.empty"))
        return text

    def _several(self, found: SeveralFound) -> View:
        self._say(Message("open.pick", {"count": len(found.candidates)}))
        prompt = self.t("open.pick", count=len(found.candidates))
        return self.view(dialog=Pick(prompt, found.candidates, lambda key: self.open(found.path, key) if key else self.view()))

    def _install(self, made: LayerMade) -> View:
        """Show a new layer: the IDs typed so far are looked up in it."""
        if self.text_mode and made.tokenizer is None:
            self.toggle_text()  # back to IDs while the old tokenizer is still there
        self.session, self.vocab, self.tokenizer = made.session, made.vocab, made.tokenizer
        self.lab.new_layer(made.session.spec.options)
        self.positions_shown = self.positions_shown and made.session.positions is not None
        self.queued.clear()  # they were for the layer before
        self._file_change = Change.NONE
        self.lookup = None
        self._read()
        self._look_up()
        if made.message is not None:
            self._say(made.message)
        elif made.problem is not None:
            self._say(made.problem, error=True)
        elif made.session.weights is not None and made.session.weights.note is not None:
            self._say(made.session.weights.note)
        else:
            self._greet()
        if made.then == "backward":
            return self.backward()
        return self.view(follow=True)

    def _greet(self) -> None:
        """What a new layer says first: its vocabulary, or its padding row."""
        padding, vocab = self.session.padding_idx, self.vocab
        if vocab is not None and len(vocab) < self.spec.vocab_size:  # padded to a round size: not an error
            params = {"path": vocab.path.name, "tokens": len(vocab), "rows": self.spec.vocab_size, "last": self.spec.vocab_size - 1}
            self._say(Message("vocab.padded", params))
        elif vocab is not None and len(vocab) > self.spec.vocab_size:
            self._say(Message("vocab.size_mismatch", {"tokens": len(vocab), "rows": self.spec.vocab_size}), error=True)
        elif vocab is not None:
            self._say(Message("vocab.loaded", {"path": vocab.path.name, "tokens": len(vocab)}))
        elif padding is not None:
            self._say(Message("train.padding_init", {"row": padding}))

    def check_file(self) -> View | None:
        """What became of the weight's file on disk since it was opened, the first time it is seen: a file
        replaced is only said; one changed in place is not read any more (a panel says why). None when
        there is nothing new to say."""
        session = self.session
        watch = session.weights.watch if session is not None and session.weights is not None else None
        if watch is None or session.mapped.detached:
            return None
        change = watch.check()
        if change in (Change.NONE, self._file_change):
            return None
        self._file_change = change
        try:
            session.check_file()
        except WeightFileChanged as error:
            self._say(error.message, error=True)
            return self.view(dialog=Notice(self.t("weights.changed_title"), error.message.render(self.lang)))
        self._say(Message("weights.replaced", {"file": session.weights.path.name}))
        return self.view()

    # -- typing ----------------------------------------------------------------------------
    def edit(self, value: str, cursor: int) -> View:
        """The input now holds `value` with the cursor at `cursor`: parse, look up, show."""
        clean = single_line(value)  # pasted line breaks and control characters
        self.cursor = min(cursor, len(clean))
        if clean != self.text:
            self.text = clean
            self.lab.input_changed()
            self._read()
            self._look_up()
        return self.view(follow=True)

    def input_too_long(self) -> View:
        """A key or a paste the input refused: it would pass MAX_INPUT characters."""
        self._say(Message("input.too_long", {"limit": MAX_INPUT}), error=True)
        return self.view()

    def _read(self) -> None:
        """The input's IDs (typed, or the tokenizer's for the text), or what is wrong with them."""
        try:
            if self.text_mode:
                self.tokens = self.tokenizer.encode(self.text)
                parsed = self.tokens.parsed
            else:
                parsed = parse_ids(self.text)
            if self.session is not None:
                self.session.check_range(parsed)
        except IdError as error:
            self.typed, self.problem = None, error.message
            return
        self.typed, self.problem = parsed, None

    def _look_up(self) -> None:
        """Look the typed IDs up, unless they are what is shown (a comma or a space changes nothing); or say
        what is wrong with them."""
        session, typed = self.session, self.typed
        if self.problem is not None:
            self._say(self.problem, error=True)
            return
        if session is None or typed is None or self.busy:
            return  # the IDs are looked up once the layer is there
        if self.lookup is None or typed.ids != self.lookup.ids:
            try:
                self.lookup = session.lookup(typed)
            except WeightFileChanged as error:  # nothing is read from the file any more: say why
                self.problem = error.message
                self._say(error.message, error=True)
                return
            if self.lookup.renormed:
                self.lab.renormed(self.lookup.renormed, session)
                max_norm = session.spec.options.max_norm
                self._say(Message("train.renormed", {"max_norm": max_norm, "rows": presenter.rows_text(self.lookup.renormed)}))
                return
        self._say(presenter.input_message(self))

    def _relook(self) -> None:
        """The weight or its flags changed: look the same IDs up again. While the input is invalid, those of
        the last good lookup: its result stays on screen, as torch gives it now."""
        kept, session = self.lookup, self.session
        self.lookup = None
        self._read()
        if self.typed is None and kept is not None and session is not None and not self.busy and session.readable():
            self.lookup = session.lookup(kept.parsed)  # the same layer: these IDs are in range
        self._look_up()

    def toggle_text(self) -> View:
        """Switch the input between IDs and text; back in IDs, it holds the IDs the text gave."""
        if self.tokenizer is None:
            self._say(Message("tokenizer.needed"), error=True)
            return self.view()
        self._kept[self.text_mode] = self.text
        if self.text_mode and self.tokens is not None:
            self._kept[False] = ", ".join(map(str, self.tokens.ids))
        self.text_mode = not self.text_mode
        self.text = self._kept[self.text_mode]
        self.cursor = len(self.text)
        self._relook()
        return self.view(follow=True)

    def append_id(self, row: int) -> View:
        """Add a row's ID to the end of the input (Enter on a matrix row)."""
        if self.text_mode:
            self.toggle_text()
        text = append_id(self.text, row)
        return self.edit(text, len(text))

    # -- toggles ---------------------------------------------------------------------------
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
        self._relook()
        self._say(Message(key))
        return self.view()

    def toggle(self, name: str) -> View:
        """Flip a switch (F2, F3, Ctrl+T)."""
        if self.session is None:
            return self.view()
        on = {"freeze": self.session.frozen, "no_grad": self.session.no_grad, "grad": self.lab.grad_view}[name]
        return self.set_toggle(name, not on)

    def _show_grad(self, on: bool) -> View:
        if on and self.session.grad is None:
            self._say(Message("train.grad_none"), error=True)
            return self.view()
        self.lab.show_grad(on, self.session)
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

    def about(self) -> View:
        """The about panel: what the matrix is and where it came from."""
        if self.session is None:
            return self.view()
        return self.view(dialog=Report(self.t("about.title"), presenter.about_text(self)))

    # -- finding rows ----------------------------------------------------------------------
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
        """The matrix's cursor went to `row`: the status names its token, when there is a vocabulary."""
        token = self.vocab.label(row) if self.vocab is not None else None
        self._say(Message("status.row", {"row": row}) if token is None else Message("search.went_to", {"id": row, "token": token}))
        return self.view()

    def find_refused(self) -> View | None:
        """Why finding a token cannot start (no vocabulary); None when it can."""
        if self.vocab is not None:
            return None
        self._say(Message("find.no_vocab"), error=True)
        return self.view()

    # -- what the vectors mean ------------------------------------------------------------
    @property
    def meaning(self) -> Meaning:
        """The neighbour searches' state, made at the first (torch is loaded by then)."""
        if self._meaning is None:
            from tui.core.meaning.passes import Meaning

            self._meaning = Meaning()
        return self._meaning

    def neighbours(self, row: int | None = None) -> View:
        """The neighbours panel: of `row` (the matrix cursor's), else of the ID under the input's cursor, else
        of row 0. Not while a job has the layer (its values are changing)."""
        if (refused := self._refusal()) is not None:
            return refused
        if row is None or self.positions_shown:  # the positional matrix's rows are positions, not tokens
            position = self.typed.index_at(self.cursor) if self.typed is not None else None
            row = self.typed.ids[position] if position is not None else 0
        from tui.core.explorer.neighbours_page import panel

        return self.view(dialog=panel(self, str(row)))

    def statistics(self) -> View:
        """The statistics panel over the layer on screen (not while a job has it)."""
        if (refused := self._refusal()) is not None:
            return refused
        from tui.core.explorer.statistics_page import panel

        return self.view(dialog=panel(self))

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
        return self.view(dialog=Code(self.t("copy.title"), explanation, script, shown, lambda: self.save_code(script)))

    def save_code(self, script: str, folder: Path | None = None) -> View:
        """The copied script in a file of its own in `folder` (the current one): the way to take it when the
        terminal's clipboard does not arrive."""
        folder = Path.cwd() if folder is None else folder
        try:
            path = save_script(script, folder)
        except OSError as error:
            self._say(Message("copy.save_failed", {"folder": str(folder), "error": error.strerror or error}), error=True)
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

    def _wait_turn(self, action: str) -> View | None:
        """While a job has the layer, a training action waits its turn: said, and shown while the job runs."""
        if self.session is None or not self.busy:
            return None
        self.queued.append(action)
        self._say(Message("train.queued", {"action": self.t(f"key.{action}"), "count": len(self.queued)}))
        return self.view()

    def _train(self, action: str, work: Work) -> View:
        """A training action on the layer on screen, as a job; refused while there is none or a job has it."""
        if (refused := self._refusal() or self._untrainable()) is not None:
            return refused
        session = self.session
        return self._start(action, lambda job: work(session), session=session, replaces_layer=False)

    def backward(self, dense: bool = False) -> View:
        """backward() on the loss of the result. Before a big dense gradient, a question first (`dense`:
        it was answered: allocate it)."""
        if (waiting := self._wait_turn("backward")) is not None:
            return waiting
        if (refused := self._refusal() or self._untrainable()) is not None:
            return refused
        if not dense and self.lab.asks_first(self.session):
            spec = self.spec
            size = {"size": human_size(spec.nbytes), "rows": spec.vocab_size, "cols": spec.dim, "dtype": spec.dtype}
            question = Question(
                self.t("train.dense_title"),
                self.t("train.dense_cost", **size),
                self.t("train.dense_choices"),
                {"enter": "dense", "s": "sparse"},
                self._dense_answer,
            )
            return self.view(dialog=question)
        parsed = self.lookup.parsed if self.lookup else NO_IDS
        return self._train("backward", self.lab.backward(parsed, presenter.backward_notes(self, parsed), self.lang))

    def _dense_answer(self, answer: str | None) -> View:
        if answer == "dense":
            return self.backward(dense=True)
        if (refused := self._refusal()) is not None:
            return refused
        if answer == "sparse":
            return self._rebuild(replace(self.spec.options, sparse=True), then="backward")
        return self.view()

    def step(self) -> View:
        return self._wait_turn("step") or self._train("step", self.lab.step(self.lang))

    def zero_grad(self) -> View:
        return self._wait_turn("zero_grad") or self._train("zero_grad", self.lab.zero_grad)

    def undo(self) -> View:
        return self._wait_turn("undo") or self._train("undo", self.lab.undo)

    def reset(self) -> View:
        return self._wait_turn("reset") or self._train("reset", self.lab.reset)

    def one_hot(self, confirmed: bool = False) -> View:
        """The bonus notebook: the lookup again as one-hot × weight, both worked out in torch and compared,
        gradients included. Over `BYTES_WITHOUT_ASKING`, a question first (`confirmed`: answered yes)."""
        from tui.core.chapter import one_hot

        if (refused := self._refusal() or self._untrainable()) is not None:
            return refused
        session, loss = self.session, self.lab.training.loss
        parsed = self.lookup.parsed if self.lookup else NO_IDS
        size = one_hot.cost(session, parsed)
        if not confirmed and size > one_hot.BYTES_WITHOUT_ASKING:
            question = Question(
                self.t("one_hot.title"),
                self.t("one_hot.cost", size=human_size(size), ids=len(parsed.ids), rows=self.spec.vocab_size),
                self.t("one_hot.choices"),
                {"enter": "yes"},
                lambda answer: self.one_hot(confirmed=True) if answer == "yes" else self.view(),
            )
            return self.view(dialog=question)
        title = self.t("one_hot.title")
        code = session.weights.code if session.weights else None
        made, name = made_lines(session.spec, parsed.ids, session.frozen, code, session.history, rows=parsed.rows)

        def compare(job: Job) -> Report:
            steps = one_hot.compare(session, parsed, loss)
            return Report(title, one_hot.report(steps), one_hot.script(made, name, steps))

        return self._start("one_hot", compare, session=session, replaces_layer=False)

    # -- windows (section 2.6) ----------------------------------------------------------------
    def _cut_text(self) -> View:
        """Cut the text given at start into the book's windows, with the tokenizer on screen."""
        if self.tokenizer is None:
            self._say(Message("windows.tokenizer"), error=True)
            return self.view()
        return self._cut_job("windows", self.setup.text_file, self.tokenizer, self.setup.windows)

    def _cut_job(self, action: str, path: str, tokenizer: TextTokenizer, settings: WindowSettings) -> View:
        return self._start(action, lambda job: WindowsCut(TextWindows.cut(path, tokenizer, settings)), session=None, replaces_layer=False)

    def window_settings(self, text: str) -> WindowSettings:
        """Settings typed in the windows view (`stride=1 shuffle=True`): the current ones with those changed."""
        return self.windows.settings.changed(text)

    def recut(self, settings: WindowSettings) -> View:
        """The same text cut again with other settings, by the tokenizer that cut it; the windows view
        opens on the new batches. A text that gives no window with them keeps the windows there were."""
        windows = self.windows
        return self._cut_job("recut", windows.path, windows.tokenizer, settings)

    def copy_windows(self, index: int) -> View:
        """The book's code that prints batch `index`, to copy and to show."""
        script = self.windows.script(index)
        if script is None:
            self._say(Message("windows.no_script", {"tokenizer": self.windows.tokenizer.name}), error=True)
            return self.view()
        return self.show_script(script)

    def _cut(self, windows: TextWindows) -> View:
        self.windows = windows
        settings = windows.settings
        self._say(Message("windows.ready", {"path": windows.path, "windows": windows.windows, "batches": windows.batches, "batch_size": settings.batch_size}))
        return self.view()

    def show_windows(self) -> View:
        """The windows view: batch by batch, and a key that sends a batch to the lookup."""
        windows = self.windows
        if windows is None:
            self._say(Message("windows.none"), error=True)
            return self.view()
        label = self.vocab.label if self.vocab is not None else (lambda token_id: None)
        page = partial(windows.page, label=label, lang=self.lang)  # read by the screen, batch by batch
        windows_view = Windows(
            self.t("windows.title"),
            windows.batches,
            page,
            self.send_batch,
            self.copy_windows,
            self.t("windows.settings_prompt"),
            windows.settings.text(),
        )
        return self.view(dialog=windows_view)

    def send_batch(self, index: int) -> View:
        """A batch's inputs into the ID input, as a batch: looked up as the book's `token_embedding_layer(inputs)`."""
        inputs, _ = self.windows.batch(index)
        if self.text_mode:
            self.toggle_text()
        text = str(inputs.tolist())
        return self.edit(text, len(text))

    def _trained(self, outcome: Trained) -> View:
        self.lab.trained(outcome, self.session)
        self._relook()  # the weight or its gradient changed: look up again
        self._say(outcome.message)
        return self.view()

    def training_settings(self) -> Training | None:
        """The current loss, lr and layer options, for the options panel; None while they cannot change."""
        return None if self._refusal() is not None else self.lab.training

    def apply_training(self, chosen: Training) -> View:
        """New loss and lr apply at once; new layer options build the layer again, as at launch."""
        if (refused := self._refusal()) is not None:
            return refused
        self.lab.set_training(chosen.loss, chosen.lr)
        if chosen.options != self.spec.options:
            return self._untrainable() or self._rebuild(chosen.options)
        self._say(Message("train.options_applied", {"loss": LOSSES[chosen.loss], "lr": chosen.lr}))
        return self.view()

    def _rebuild(self, options: LayerOptions, then: str | None = None) -> View:
        """The layer built again with other options (a file's values restored first: training wrote them)."""
        old, spec = self.session, replace(self.spec, options=options)
        described = options.code().removeprefix(", ") or self.t("train.defaults")
        vocab, tokenizer, lang = self.vocab, self.tokenizer, self.lang

        def rebuild(job: Job) -> Outcome:
            from tui.core.chapter.session import make_session

            old.reset()  # from_pretrained shares the file's tensor, which steps changed in place
            context_length = None if old.positions is None else old.positions.context_length
            new = make_session(spec, old.weights, frozen=old.frozen, no_grad=old.no_grad, context_length=context_length)
            message = Message("train.rebuilt", {"options": described, "note": presenter.padding_note(new, lang)})
            return LayerMade(new, vocab, tokenizer, message=message, then=then)

        return self._start("options", rebuild, session=old, replaces_layer=True)

    # -- the status line -------------------------------------------------------------------
    def _say(self, message: Message, error: bool = False) -> None:
        self.message, self.error = message, error
