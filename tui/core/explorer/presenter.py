"""The explorer's state as people read it, in their language: panel titles, the result, the flags, the status
line, the key bar, the dialogs and the open panel. It reads the state (`State`, which the explorer is) and
never changes it; it is where sentences are rendered for the screen. Text from users and files is made
printable here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from tui.core.chapter.history import LOSSES
from tui.core.explorer import diff_page, neighbours_page, statistics_page, steps_page, windows_page
from tui.core.explorer.commands import COMMANDS, OTHER_KEYS
from tui.core.explorer.dialogs import (
    DiffPane,
    Help,
    NeighboursPane,
    OpenPane,
    Options,
    Said,
    SearchPane,
    StatisticsPane,
    StepsPane,
    TrainingChoice,
    WindowsPane,
    checked,
)
from tui.core.explorer.panels import DiffOpen, NeighboursOpen, OpenOpen, Pass, SearchOpen, StatisticsOpen, StepsOpen, WindowsOpen
from tui.core.explorer.training import rows_text
from tui.core.explorer.view import Flags, InputPane, Keys, MatrixPane, ResultPane, Status, View
from tui.core.texts.messages import Message, translate
from tui.core.texts.shown import human_size, printable, visible

if TYPE_CHECKING:
    from tui.core.chapter.positions import PositionalLayer
    from tui.core.chapter.reports import GradReport, Lookup
    from tui.core.chapter.windows import TextWindows
    from tui.core.explorer.dialogs import Dialog, Pane
    from tui.core.explorer.input_line import InputLine, Reading
    from tui.core.explorer.panels import Panel
    from tui.core.explorer.setup import Setup
    from tui.core.explorer.source import Compared, Layer, Source
    from tui.core.explorer.sources import Sources
    from tui.core.explorer.training import TrainingLab
    from tui.core.jobs import Job

NOTHING: Mapping[int, tuple[int, ...]] = MappingProxyType({})  # one empty mapping: unchanged marks stay the same object
KEY_BAR = {command.action: command for command in COMMANDS}


class State(Protocol):
    """What the presenter reads: the explorer's state (`Explorer` is one)."""

    lang: str
    setup: Setup
    source: Source | None
    sources: Sources
    input: InputLine
    lab: TrainingLab
    windows: TextWindows | None
    positions_shown: bool
    compared_shown: str
    panel: Panel | None
    said: tuple[Message, bool] | None

    @property
    def reading(self) -> Reading: ...
    @property
    def lookup(self) -> Lookup | None: ...
    @property
    def lookup_failed(self) -> Message | None: ...
    @property
    def busy(self) -> Job | None: ...
    @property
    def creating(self) -> Job | None: ...
    @property
    def loading(self) -> bool: ...
    def t(self, key: str, **params: object) -> str: ...


# -- the view --------------------------------------------------------------------------------
def present(state: State, jobs: tuple[Job, ...] = (), dialog: Dialog | None = None, follow: bool = False, go_to: int | None = None) -> View:
    """The view of the state now; `follow`: the panels bring the ID under the input's cursor into view."""
    source = state.source
    layer = source.session if source is not None else None
    position = _position(state) if follow else None
    return View(
        loading=_loading(state) if state.loading else None,
        matrix=_matrix(state, source, position) if source is not None else None,
        input=_input(state),
        toggles=_toggles(state, layer),
        toggles_enabled=layer is not None and state.busy is None,
        result=_result(state, layer, position),
        flags=flags(state),
        status=status(state),
        keys=_keys(state, layer),
        jobs=jobs,
        dialog=dialog,
        panel=pane(state),
        go_to=go_to,
    )


def _keys(state: State, layer: Layer | None) -> Keys:
    """The commands that matter now, most needed first: after backward() the step and what goes with it,
    after a step its undo, text mode where there is a tokenizer; then the lesson's usual ones."""
    source = state.source
    keys = ["help", "quit"]
    if state.windows is not None:
        keys.append("show_windows")
    if source is not None and source.tokenizer is not None:
        keys.append("toggle_text")
    grad, steps = layer is not None and layer.grad is not None, layer is not None and layer.steps > 0
    keys += [
        *(["step"] if grad else []),
        *(["undo_step"] if steps else []),
        *(["zero_grad", "toggle_view"] if grad else []),
        *(["reset_weights"] if steps else []),
    ]
    keys += ["backward", "toggle_freeze", "toggle_no_grad", "copy_code", "open_weights", "toggle_maximize"]
    if source is not None and source.vocab is not None:
        keys += ["find_token", "neighbours"]
    if state.input.text_mode and source is not None and source.tokenizer is not None:
        keys.append("show_steps")  # the word under the cursor, step by step
    if layer is not None and layer.weights is not None:
        keys.append("show_about")
    if layer is not None and layer.positions is not None:
        keys.insert(2, "switch_matrix")
    if state.sources.other is not None:
        keys.insert(2, "show_compared")
    actions = dict.fromkeys([*keys, "goto_row", "training_options", "one_hot", "neighbours", "statistics", "compare"])
    labels = {"toggle_text": "key.ids" if state.input.text_mode else "key.text"}  # F5 names the mode it goes to
    return tuple((action, KEY_BAR[action].display.split()[0], state.t(labels.get(action, KEY_BAR[action].label))) for action in actions)


def _loading(state: State) -> str:
    spec, weights = state.setup.spec, state.setup.weights
    if weights is None:
        return state.t("weight.loading", vocab_size=spec.vocab_size, dim=spec.dim, dtype=spec.dtype)
    return printable(state.t("weight.loading_file", name=weights.key, file=weights.path.name))


def loading_line(state: State) -> str:
    """While the first layer is made: the step it is at, and the seconds so far."""
    job = state.creating
    if job is None or not job.stage:
        return ""
    step = state.t(job.stage, size=human_size(state.setup.spec.nbytes))
    return state.t("weight.loading_elapsed", step=step, seconds=job.seconds)


def _position(state: State) -> int | None:
    """The position of the ID under the input's cursor, while the input can be looked up."""
    parsed = state.reading.parsed
    return None if parsed is None else parsed.index_at(state.input.cursor)


def _matrix(state: State, source: Source, position: int | None) -> MatrixPane:
    layer = source.session
    marks, position_marks = state.lab.marks(layer)
    grad_view = state.lab.grad_view(layer)
    if state.positions_shown and layer.positions is not None:
        return _positions_matrix(state, layer.positions, position, position_marks, grad_view)
    if state.compared_shown != "a" and state.sources.other is not None:
        return _compared_matrix(state, source, position, marks)
    lookup, vocab = state.lookup, source.vocab
    parsed = state.reading.parsed
    return MatrixPane(
        title=_grad_title(state, layer.grad) if grad_view else _weight_title(state, layer),
        rows=layer.grad_rows if grad_view else layer.rows,
        version=layer.version,
        tokens=vocab.label if vocab is not None else None,
        positions=lookup.positions if lookup is not None else NOTHING,
        prefixes=marks,
        follow=None if position is None or parsed is None else parsed.ids[position],
        row_length=lookup.parsed.shape[1] if lookup is not None and lookup.parsed.rows else None,
    )


def _compared_matrix(state: State, source: Source, position: int | None, marks: Mapping[int, str]) -> MatrixPane:
    """B with its own rows and labels, or B − A by the rows of A with each row's ‖b − a‖ in a column."""
    other, compared = state.sources.other, state.sources.compared()
    lookup, parsed = state.lookup, state.reading.parsed
    follow = None if position is None or parsed is None else parsed.ids[position]
    if state.compared_shown == "b":
        rows, vocab = other.session.rows, other.vocab
        return MatrixPane(
            printable(state.t("diff.shown_b", letter=_letter(compared, other), name=_name(state, state.sources.other_name), shape=(rows.rows, rows.cols))), rows, state.source.session.version,
            vocab.label if vocab is not None else None, NOTHING, NOTHING, follow,
        )
    rows, vocab = state.sources.difference_rows(), source.vocab
    return MatrixPane(
        printable(state.t("diff.shown_difference", a=_name(state, compared.a_name), b=_name(state, compared.b_name), shape=(rows.rows, rows.cols))), rows, source.session.version,
        vocab.label if vocab is not None else None, lookup.positions if lookup is not None else NOTHING, marks, follow,
        lookup.parsed.shape[1] if lookup is not None and lookup.parsed.rows else None, rows.change, "‖b − a‖",
    )


def _letter(compared: Compared, other: Source) -> str:
    """Which of the diff's matrices the one compared with the layer on screen is: A (the layer as it was
    created) or B."""
    return "A" if compared.a is other else "B"


def _name(state: State, name: str | Message) -> str:
    """A compared matrix's name in the reader's language (a path as it is)."""
    return name.render(state.lang) if isinstance(name, Message) else name


def _positions_matrix(state: State, positions: PositionalLayer, position: int | None, marks: Mapping[int, str], grad_view: bool) -> MatrixPane:
    """The positional layer: rows 0..T-1 marked with the places that add them, in every row of a batch."""
    lookup, grad, dim = state.lookup, positions.grad, state.source.session.spec.dim
    steps = lookup.steps if lookup is not None else None
    length = lookup.parsed.shape[-1] if lookup is not None else 0
    shows_grad = grad_view and grad is not None
    if shows_grad:
        title = state.t("positions.grad_title", shape=(positions.context_length, dim), rows=len(grad.rows))
    else:
        flags = positions.flags()
        title = state.t("positions.title", kind=flags.kind, shape=flags.shape, dtype=flags.dtype, requires_grad=flags.requires_grad)
    return MatrixPane(
        title=title,
        rows=positions.grad_rows if shows_grad else positions.rows,
        version=state.source.session.version,
        tokens=None,
        positions=steps.rows if steps is not None else NOTHING,
        prefixes=marks,
        follow=None if position is None or not length else position % length,
        row_length=length if lookup is not None and lookup.parsed.rows else None,
    )


def _weight_title(state: State, layer: Layer) -> str:
    weight, weights = layer.weight_flags(), layer.weights
    flags = {"kind": weight.kind, "shape": weight.shape, "dtype": weight.dtype, "requires_grad": weight.requires_grad}
    if weights is None:
        return state.t("weight.title", **flags)
    size = human_size(weights.nbytes)
    return printable(state.t("weight.title_file", file=weights.path.name, name=weights.key, size=size, **flags))


def _grad_title(state: State, grad: GradReport) -> str:
    spec = state.source.session.spec
    layout = "sparse" if grad.sparse else "dense"
    return state.t("grad.title", shape=(spec.vocab_size, spec.dim), layout=layout, rows=len(grad.rows))


def _input(state: State) -> InputPane:
    line, source = state.input, state.source
    mode = "text" if line.text_mode else "ids"
    tokenizer = source.tokenizer if source is not None else state.setup.tokenizer
    placeholder = state.t(f"input.placeholder_{mode}") + (state.t(f"input.placeholder_f5_{mode}") if tokenizer else "")
    return InputPane(line.text, line.cursor, state.t(f"input.label_{mode}"), placeholder)


def _toggles(state: State, layer: Layer | None) -> frozenset[str]:
    if layer is None:  # as the layer will be made
        setup = state.setup
        frozen = setup.weights is not None if setup.frozen is None else setup.frozen
        return frozenset(name for name, on in (("freeze", frozen), ("no_grad", setup.no_grad)) if on)
    on = (("freeze", layer.frozen), ("no_grad", layer.no_grad), ("grad", state.lab.grad_view(layer)))
    return frozenset(name for name, value in on if value)


def stale(state: State) -> bool:
    """The input cannot be looked up now: what is shown is the last good result."""
    return state.reading.problem is not None or state.lookup_failed is not None


def _result(state: State, layer: Layer | None, position: int | None) -> ResultPane:
    """The gradient in the grad view, a step's rows right after it, else the lookup's result."""
    t, lookup = state.t, state.lookup
    if layer is None:
        return ResultPane(t("result.title"), t("result.waiting"), False, None)
    if state.lab.grad_view(layer):
        if state.positions_shown and layer.positions is not None and layer.positions.grad is not None:
            return ResultPane(t("positions.result_grad"), layer.positions.grad.text, False, None)
        return ResultPane(t("result.title_grad"), layer.grad.text, False, None)
    step = state.lab.step_shown
    if step is not None:
        title = t("result.title_step", lr=step.lr, rows=rows_text(step.rows))
        return ResultPane(title, f"{step.before}\n↓\n{step.after}", False, None)
    title = t("result.title_no_grad" if layer.no_grad else "result.title" if layer.trainable else "result.title_quantized")
    if lookup is None:
        return ResultPane(title, "", stale(state), None)
    follow = position if lookup.one_line_per_id else None
    if lookup.steps is not None:
        text = input_embeddings_text(lookup)
        follow = None if follow is None else follow + text.count("\n") - lookup.text.count("\n")
        return ResultPane(t("positions.result_title"), text, stale(state), follow)
    return ResultPane(title, lookup.text, stale(state), follow)


def input_embeddings_text(lookup: Lookup) -> str:
    """Section 2.8's three steps, each as code with its shape and as torch printed it: the input
    embeddings last."""
    steps, length = lookup.steps, lookup.parsed.shape[-1]
    steps_made = (
        ("token_embeddings = layer(input_ids)", steps.token_shape, steps.token_text),
        (f"pos_embeddings = pos_embedding_layer(torch.arange({length}))", steps.pos_shape, steps.pos_text),
        ("input_embeddings = token_embeddings + pos_embeddings", lookup.shape, lookup.text),
    )
    width = max(len(code) for code, _, _ in steps_made) + 2
    blocks = [f"{code:<{width}}# {list(shape)}\n{text}" for code, shape, text in steps_made]
    return "\n\n".join(blocks)


def broadcast_sentence(lookup: Lookup) -> Message:
    """`[2, 2, 3] + [2, 3] → [2, 2, 3]`, and what the sum does with each position's row."""
    steps, shape = lookup.steps, lookup.parsed.shape
    added = Message("positions.broadcast", {"length": shape[-1], "batch": shape[0]}) if lookup.parsed.rows is not None else Message("positions.added")
    return Message("positions.sum", {"shapes": f"{list(steps.token_shape)} + {list(steps.pos_shape)} → {list(lookup.shape)}", "added": added})


def flags(state: State) -> Flags:
    lookup, source = state.lookup, state.source
    if lookup is None or source is None:
        return ()
    layer = source.session
    if state.positions_shown and layer.positions is not None:
        weight = ("positions.flags", layer.positions.flags().flags())
    else:
        weight = ("flags.weight", lookup.weight.flags())
    groups = (("flags.result", lookup.flags()), weight)
    return tuple((state.t(title), tuple((name, str(value)) for name, value in flags)) for title, flags in groups)


def status(state: State) -> Status:
    """The last thing said: what the last action did, else what the input is (what is wrong with it, or what
    its lookup means)."""
    message, error = state.said if state.said is not None else input_status(state)
    return Status("" if message is None else printable(message.render(state.lang)), error)


def input_status(state: State) -> tuple[Message | None, bool]:
    """What the status line says about the input: what is wrong with it, or what a lookup is."""
    reading, lookup, source = state.reading, state.lookup, state.source
    if reading.problem is not None:
        return reading.problem, True
    if state.lookup_failed is not None:
        return state.lookup_failed, True
    if source is None or lookup is None or reading.parsed is None or lookup.ids != reading.parsed.ids:
        return None, False  # the IDs are looked up once the layer is there (or free)
    layer = source.session
    if lookup.renormed:
        return Message("train.renormed", {"max_norm": layer.spec.options.max_norm, "rows": rows_text(lookup.renormed)}), False
    if not lookup.ids:
        return Message("status.empty", {"dim": layer.spec.dim}), False
    if state.input.text_mode and reading.tokens is not None:
        pieces = " | ".join(token_shown(source, piece, token_id) for piece, token_id in zip(reading.tokens.pieces, reading.tokens.ids, strict=True))
        return Message("status.tokens", {"count": len(lookup.ids), "pieces": pieces, "ids": list(lookup.ids)}), False
    if lookup.steps is not None:
        return Message("status.ok_positions", {"sum": broadcast_sentence(lookup)}), False
    if not layer.trainable:
        return Message("status.ok_quantized", {"made": made(layer), "shape": lookup.shape}), False
    if lookup.parsed.rows is not None:  # a batch: the input's shape, then the embedding's size
        return Message("status.ok_batch", {"made": made(layer), "shape": lookup.parsed.shape, "dim": layer.spec.dim, "result": lookup.shape}), False
    return Message("status.ok", {"made": made(layer)}), False  # the same words on every key: no repaint


def made(layer: Layer) -> str:
    """How the layer on screen was made, as the book writes it."""
    spec = layer.spec
    if layer.weights is not None:
        return layer.weights.made
    dtype = "" if spec.dtype == "float32" else f", dtype=torch.{spec.dtype}"
    return f"torch.manual_seed({spec.seed}); layer = torch.nn.Embedding({spec.vocab_size}, {spec.dim}{dtype}{spec.options.code()})"


def token_shown(source: Source, piece: str, token_id: int) -> str:
    """The vocabulary's token for an ID, then the text it came from when that differs: what the tokenizer
    did (`hello (Hello)` for an uncased model, `<|unk|> (Gisburn)` for an unknown word)."""
    shown = visible(piece)
    token = source.vocab.label(token_id) if source.vocab is not None else None
    if token is None or token == shown:
        return shown
    return f"{token} ({shown})" if piece.strip() else token


# -- dialogs ----------------------------------------------------------------------------------
def about_text(state: State) -> str:
    """What the matrix on screen is and where it came from: how it was made, its file (and shard) and what
    the file and the model's config say, the vocabulary and tokenizer, the positional layer, the windows."""
    t, source = state.t, state.source
    layer = source.session
    spec, weights = layer.spec, layer.weights
    lines = [(t("about.layer"), made(layer)), (t("about.tensor"), f"{spec.vocab_size} × {spec.dim} {spec.dtype}")]
    if weights is not None:
        lines += [(t("about.file"), str(weights.path)), (t("about.name"), weights.key), (t("about.size"), human_size(weights.nbytes))]
        lines += [(t(label), value) for label, value in weights.about]
        if weights.note is not None:
            lines.append((t("about.note"), weights.note.render(state.lang)))
    if source.vocab is not None:
        lines.append((t("about.vocab"), f"{source.vocab.path} · {len(source.vocab)}"))
    if source.tokenizer is not None:
        lines.append((t("about.tokenizer"), source.tokenizer.name))
    if layer.positions is not None:
        lines.append((t("about.positions"), f"pos_embedding_layer = torch.nn.Embedding({layer.positions.context_length}, {spec.dim})"))
    if state.windows is not None:
        lines.append((t("about.windows"), f"{state.windows.path} · {state.windows.settings.text()}"))
    width = max(len(label) for label, _ in lines)
    return "\n".join(printable(f"{label:<{width}}  {value}") for label, value in lines)


def help_dialog(t: Callable[..., str]) -> Help:
    """Every key, from the same list that makes the bindings, then the widgets' own keys."""
    keys = [(command.display, t(command.help)) for command in COMMANDS] + [(keys, t(help_key)) for keys, help_key in OTHER_KEYS]
    return Help(t("help.title"), t("help.close"), tuple(keys), t("help.letters"))


def options_dialog(state: State, current: TrainingChoice) -> Options:
    """The training options as they are, each field checked against the layer on screen as it is typed."""
    from tui.core.chapter.spec import option_field

    words = ("title", "keys", "loss", "lr", "padding_idx", "max_norm", "note", "apply", "cancel")
    spec = state.source.session.spec
    check = checked(lambda name, text: option_field(name, text, spec), state.lang)
    return Options(current, check, tuple(LOSSES.items()), {word: state.t(f"options.{word}") for word in words})


# -- the open panel ---------------------------------------------------------------------------
def pane(state: State) -> Pane | None:
    """The open panel, as it is to be shown now."""
    panel, t = state.panel, state.t
    if isinstance(panel, NeighboursOpen):
        return _neighbours_pane(state, panel)
    if isinstance(panel, StatisticsOpen):
        text = "" if panel.statistics is None else statistics_page.page(state.source, looked_up(state), panel.statistics, t)
        spec = state.source.session.spec
        return StatisticsPane(printable(t("stats.title", rows=spec.vocab_size, dim=spec.dim)), text, _said(state, panel.reading, "stats.working"), t("stats.keys"))
    if isinstance(panel, WindowsOpen):
        windows = state.windows
        label = state.source.vocab.label if state.source.vocab is not None else (lambda token_id: None)
        page = windows_page.page(windows, panel.index, label, t)
        return WindowsPane(t("windows.title"), panel.index, windows.batches, page)
    if isinstance(panel, SearchOpen):
        vocab = state.source.vocab
        index = vocab.search_index if vocab.search_ready else None
        render = partial(Message.render, lang=state.lang)
        return SearchPane(t("search.prompt"), t("search.case"), t("search.reading"), index, vocab.label, render)
    if isinstance(panel, DiffOpen):
        return _diff_pane(state, panel)
    if isinstance(panel, OpenOpen) and panel.offered is not None:
        prompt = t("access.compare_prompt" if panel.compare else "access.prompt")
        return OpenPane(prompt, "", None, "", checked(path_to_open, state.lang), panel.offered, t("access.none_offered"))
    if isinstance(panel, OpenOpen):
        return OpenPane(t("diff.open_prompt" if panel.compare else "open.prompt"), str(state.setup.folder or Path.cwd()), panel.cached, t("open.none_cached"), checked(path_to_open, state.lang))
    if isinstance(panel, StepsOpen):
        lines = [panel.said.render(state.lang)] if panel.word is None else steps_page.word_lines(panel.number, panel.word, panel.start, t)
        return StepsPane(printable(t("steps.title", tokenizer=panel.tokenizer)), "\n".join(printable(line) for line in lines))
    return None


def _neighbours_pane(state: State, panel: NeighboursOpen) -> NeighboursPane:
    t, answer = state.t, panel.answer
    heading, header, lines, notes = ("", "", (), "") if answer is None else neighbours_page.page(answer, state.source, t)
    said = _said(state, panel.reading, "neighbours.panel.reading")
    if said.text == "" and answer is not None:
        said = Said(notes)
    return NeighboursPane(
        t("neighbours.panel.title"), t("neighbours.panel.placeholder"), panel.asked, heading, header, lines,
        answer.ids if answer is not None else (), said, t("neighbours.panel.line_keys"), t("neighbours.panel.list_keys"),
    )


def _diff_pane(state: State, panel: DiffOpen) -> DiffPane:
    """The diff: its page and ranked list once computed; the keys name the measure `r` ranks by next."""
    t, diff = state.t, panel.diff
    title = printable(t("diff.title", a=_name(state, panel.compared.a_name), b=_name(state, panel.compared.b_name)))
    said = _said(state, panel.reading, "diff.working")
    if diff is None:
        return DiffPane(title, "", "", "", (), (), said, "")
    ranks = diff_page.ranks(diff)
    next_by = ranks[(ranks.index(panel.by) + 1) % len(ranks)] if panel.by in ranks else ranks[0]
    positions = diff_page.ranked(diff, panel.by)
    heading = t("diff.ranked", measure=diff_page.measure_name(panel.by, t), count=len(positions), rows=len(diff.comparison.alignment))
    ids = tuple(int(diff.comparison.alignment.a_ids[p]) for p in positions)
    keys = t("diff.keys", next=diff_page.measure_name(next_by, t), rotate=t("diff.unrotate" if panel.procrustes else "diff.rotate"))
    a, b = panel.compared.a, panel.compared.b
    return DiffPane(title, diff_page.page(a, b, diff, t), printable(heading), diff_page.header(t), diff_page.lines(a, diff, positions), ids, said, keys)


def _said(state: State, reading: Pass, progress_key: str) -> Said:
    """What a panel's line says: how far its pass got while it reads, else what was said last."""
    if reading.progress is not None:
        return Said(state.t(progress_key, percent=100 * reading.progress), False, reading.progress)
    return Said("" if reading.said is None else printable(reading.said.render(state.lang)), reading.error)


def looked_up(state: State) -> list[int]:
    """The input's rows, once each, in order."""
    lookup = state.lookup
    return list(dict.fromkeys(lookup.parsed.ids)) if lookup is not None else []


def path_to_open(text: str) -> str:
    """A path typed to open (F6): anything but nothing; the file itself is judged when it is opened."""
    from tui.core.texts.messages import MessageError

    if not text:
        raise MessageError(Message("open.empty"))
    return text


def renderer(lang: str) -> Callable[..., str]:
    """The catalog's text for a key and its parameters, in `lang`."""
    return partial(translate, lang)
