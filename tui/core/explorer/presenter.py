"""The explorer's state as people read it: panel titles, the result, the flags, the status line, the
sentences training actions end with, and the report `embedding-explorer lookup` prints.

Shared by the TUI (through `present`, which makes each `View`) and the CLI (`report_*`). Reads the
explorer's public state and never changes it. Text from users and files is made printable here.
"""

from __future__ import annotations

from collections import Counter
from types import MappingProxyType
from typing import TYPE_CHECKING

from tui.core.chapter.code import tensor_literal
from tui.core.chapter.history import LOSSES
from tui.core.explorer.view import Flags, InputPane, MatrixPane, ResultPane, Status, View
from tui.core.texts.messages import Message, translate
from tui.core.texts.shown import human_size, printable, visible

if TYPE_CHECKING:
    from tui.core.chapter.positions import PositionalLayer
    from tui.core.chapter.reports import GradReport, Lookup
    from tui.core.chapter.session import EmbeddingSession
    from tui.core.explorer.explorer import Explorer
    from tui.core.explorer.view import Dialog
    from tui.core.jobs import Job
    from tui.core.tokens.parse import ParsedIds

ROWS_SHOWN = 12  # row numbers named in a message; more are counted
NOTHING: MappingProxyType[int, tuple[int, ...]] = MappingProxyType({})  # one empty mapping: unchanged marks stay the same object


def rows_text(rows: tuple[int, ...]) -> str:
    """`1, 2, 3, 5`, or `1, 2, … (4000)` when there are too many to read."""
    shown = ", ".join(map(str, rows[:ROWS_SHOWN]))
    return shown if len(rows) <= ROWS_SHOWN else f"{shown}, … ({len(rows)})"


# -- the view --------------------------------------------------------------------------------
def present(explorer: Explorer, job: Job | None = None, dialog: Dialog | None = None, follow: bool = False) -> View:
    """The view of the explorer now; `follow`: the panels bring the ID under the input's cursor into view."""
    session = explorer.session
    position = _position(explorer) if follow else None
    return View(
        loading=_loading(explorer) if explorer.loading else None,
        matrix=_matrix(explorer, session, position) if session else None,
        input=_input(explorer),
        toggles=_toggles(explorer, session),
        toggles_enabled=session is not None and explorer.busy is None,
        result=_result(explorer, session, position),
        flags=_flags(explorer, explorer.lookup),
        status=_status(explorer),
        keys=_keys(explorer, session),
        job=job,
        dialog=dialog,
    )


def _keys(explorer: Explorer, session: EmbeddingSession | None) -> tuple[str, ...]:
    """The commands that matter now, most needed first: after backward() the step and what goes with it,
    after a step its undo, text mode where there is a tokenizer; then the lesson's usual ones."""
    keys = ["help", "quit"]
    if explorer.windows is not None:
        keys.append("show_windows")
    if explorer.tokenizer is not None:
        keys.append("toggle_text")
    grad, steps = session is not None and session.grad is not None, session is not None and session.steps > 0
    keys += [
        *(["step"] if grad else []),
        *(["undo_step"] if steps else []),
        *(["zero_grad", "toggle_view"] if grad else []),
        *(["reset_weights"] if steps else []),
    ]
    keys += ["backward", "toggle_freeze", "toggle_no_grad", "copy_code", "open_weights", "toggle_maximize"]
    if explorer.vocab is not None:
        keys += ["find_token", "neighbours"]
    if explorer.weights is not None:
        keys.append("show_about")
    if session is not None and session.positions is not None:
        keys.insert(2, "switch_matrix")
    return tuple(dict.fromkeys([*keys, "goto_row", "training_options", "one_hot", "neighbours", "statistics"]))


def _loading(explorer: Explorer) -> str:
    spec, weights = explorer.spec, explorer.weights
    if weights is None:
        return explorer.t("weight.loading", vocab_size=spec.vocab_size, dim=spec.dim, dtype=spec.dtype)
    return printable(explorer.t("weight.loading_file", name=weights.key, file=weights.path.name))


def _position(explorer: Explorer) -> int | None:
    """The position of the ID under the input's cursor, while the input can be looked up."""
    typed = explorer.typed
    return None if typed is None else typed.index_at(explorer.cursor)


def _matrix(explorer: Explorer, session: EmbeddingSession, position: int | None) -> MatrixPane:
    if explorer.positions_shown and session.positions is not None:
        return _positions_matrix(explorer, session.positions, position)
    lookup, vocab, grad = explorer.lookup, explorer.vocab, session.grad
    grad_view = explorer.lab.grad_view and grad is not None
    return MatrixPane(
        title=_grad_title(explorer, grad) if grad_view else _weight_title(explorer, session),
        rows=session.grad_rows if grad_view else session.rows,
        version=session.version,
        tokens=vocab.label if vocab is not None else None,
        positions=lookup.positions if lookup is not None else NOTHING,
        prefixes=explorer.lab.marked,
        follow=None if position is None else explorer.typed.ids[position],
        row_length=lookup.parsed.shape[1] if lookup is not None and lookup.parsed.rows else None,
    )


def _positions_matrix(explorer: Explorer, positions: PositionalLayer, position: int | None) -> MatrixPane:
    """The positional layer: rows 0..T-1 marked with the places that add them, in every row of a batch."""
    lookup, grad = explorer.lookup, positions.grad
    steps = lookup.steps if lookup is not None else None
    length = lookup.parsed.shape[-1] if lookup is not None else 0
    grad_view = explorer.lab.grad_view and grad is not None
    if grad_view:
        shape = (positions.context_length, explorer.spec.dim)
        title = explorer.t("positions.grad_title", shape=shape, rows=len(grad.rows))
    else:
        flags = positions.flags()
        title = explorer.t("positions.title", kind=flags.kind, shape=flags.shape, dtype=flags.dtype, requires_grad=flags.requires_grad)
    return MatrixPane(
        title=title,
        rows=positions.grad_rows if grad_view else positions.rows,
        version=explorer.session.version,
        tokens=None,
        positions=steps.rows if steps is not None else NOTHING,
        prefixes=explorer.lab.marked_positions,
        follow=None if position is None or not length else position % length,
        row_length=length if lookup is not None and lookup.parsed.rows else None,
    )


def _weight_title(explorer: Explorer, session: EmbeddingSession) -> str:
    weight, weights = session.weight_flags(), session.weights
    flags = {"kind": weight.kind, "shape": weight.shape, "dtype": weight.dtype, "requires_grad": weight.requires_grad}
    if weights is None:
        return explorer.t("weight.title", **flags)
    size = human_size(weights.nbytes)
    return printable(explorer.t("weight.title_file", file=weights.path.name, name=weights.key, size=size, **flags))


def _grad_title(explorer: Explorer, grad: GradReport) -> str:
    spec = explorer.spec
    layout = "sparse" if grad.sparse else "dense"
    return explorer.t("grad.title", shape=(spec.vocab_size, spec.dim), layout=layout, rows=len(grad.rows))


def _input(explorer: Explorer) -> InputPane:
    mode = "text" if explorer.text_mode else "ids"
    placeholder = explorer.t(f"input.placeholder_{mode}") + (explorer.t("input.placeholder_f5") if explorer.tokenizer else "")
    return InputPane(explorer.text, explorer.cursor, explorer.t(f"input.label_{mode}"), placeholder)


def _toggles(explorer: Explorer, session: EmbeddingSession | None) -> frozenset[str]:
    if session is None:  # as the layer will be made
        setup = explorer.setup
        frozen = setup.weights is not None if setup.frozen is None else setup.frozen
        return frozenset(name for name, on in (("freeze", frozen), ("no_grad", setup.no_grad)) if on)
    on = (("freeze", session.frozen), ("no_grad", session.no_grad), ("grad", explorer.lab.grad_view))
    return frozenset(name for name, value in on if value)


def _result(explorer: Explorer, session: EmbeddingSession | None, position: int | None) -> ResultPane:
    """The gradient in the grad view, a step's rows right after it, else the lookup's result."""
    t, lookup = explorer.t, explorer.lookup
    if session is None:
        return ResultPane(t("result.title"), t("result.waiting"), False, None)
    if explorer.lab.grad_view and session.grad is not None:
        if explorer.positions_shown and session.positions is not None and session.positions.grad is not None:
            return ResultPane(t("positions.result_grad"), session.positions.grad.text, False, None)
        return ResultPane(t("result.title_grad"), session.grad.text, False, None)
    step = explorer.lab.step_shown
    if step is not None:
        title = t("result.title_step", lr=step.lr, rows=rows_text(step.rows))
        return ResultPane(title, f"{step.before}\n↓\n{step.after}", False, None)
    title = t("result.title_no_grad" if session.no_grad else "result.title" if session.trainable else "result.title_quantized")
    if lookup is None:
        return ResultPane(title, "", explorer.problem is not None, None)
    follow = position if lookup.one_line_per_id else None
    if lookup.steps is not None:
        text = input_embeddings_text(lookup)
        follow = None if follow is None else follow + text.count("\n") - lookup.text.count("\n")
        return ResultPane(t("positions.result_title"), text, explorer.problem is not None, follow)
    return ResultPane(title, lookup.text, explorer.problem is not None, follow)


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


def broadcast_sentence(explorer: Explorer, lookup: Lookup) -> str:
    """`[2, 2, 3] + [2, 3] → [2, 2, 3]`, and what the sum does with each position's row."""
    steps, shape = lookup.steps, lookup.parsed.shape
    if lookup.parsed.rows is not None:
        added = explorer.t("positions.broadcast", length=shape[-1], batch=shape[0])
    else:
        added = explorer.t("positions.added")
    return f"{list(steps.token_shape)} + {list(steps.pos_shape)} → {list(lookup.shape)}: {added}"


def _flags(explorer: Explorer, lookup: Lookup | None) -> Flags:
    if lookup is None:
        return ()
    session = explorer.session
    if explorer.positions_shown and session is not None and session.positions is not None:
        weight = ("positions.flags", session.positions.flags().flags())
    else:
        weight = ("flags.weight", lookup.weight.flags())
    groups = (("flags.result", lookup.flags()), weight)
    return tuple((explorer.t(title), tuple((name, str(value)) for name, value in flags)) for title, flags in groups)


def _status(explorer: Explorer) -> Status:
    """The last thing said: what the last action did, or what is wrong with the input just typed."""
    message = explorer.message
    return Status("" if message is None else printable(message.render(explorer.lang)), explorer.error)


def input_message(explorer: Explorer) -> Message:
    """What the status line says about a good lookup: the tokens the text gave, or what a lookup is."""
    lookup = explorer.lookup
    if not lookup.ids:
        return Message("status.empty", {"dim": explorer.spec.dim})
    if explorer.text_mode and explorer.tokens is not None:
        pieces = " | ".join(_token_shown(explorer, piece, token_id) for piece, token_id in zip(explorer.tokens.pieces, explorer.tokens.ids, strict=True))
        return Message("status.tokens", {"count": len(lookup.ids), "pieces": pieces, "ids": list(lookup.ids)})
    if lookup.steps is not None:
        return Message("status.ok_positions", {"sum": broadcast_sentence(explorer, lookup)})
    if not explorer.session.trainable:
        return Message("status.ok_quantized", {"made": made(explorer), "shape": lookup.shape})
    if lookup.parsed.rows is not None:  # a batch: the input's shape, then the embedding's size
        return Message("status.ok_batch", {"made": made(explorer), "shape": lookup.parsed.shape, "dim": explorer.spec.dim, "result": lookup.shape})
    return Message("status.ok", {"made": made(explorer)})  # the same words on every key: no repaint


def made(explorer: Explorer) -> str:
    """How the layer on screen was made, as the book writes it."""
    spec = explorer.spec
    if explorer.weights is not None:
        return explorer.weights.made
    dtype = "" if spec.dtype == "float32" else f", dtype=torch.{spec.dtype}"
    return f"torch.manual_seed({spec.seed}); layer = torch.nn.Embedding({spec.vocab_size}, {spec.dim}{dtype}{spec.options.code()})"


def _token_shown(explorer: Explorer, piece: str, token_id: int) -> str:
    """The vocabulary's token for an ID, then the text it came from when that differs: what the tokenizer
    did (`hello (Hello)` for an uncased model, `<|unk|> (Gisburn)` for an unknown word)."""
    source = visible(piece)
    token = explorer.vocab.label(token_id) if explorer.vocab is not None else None
    if token is None or token == source:
        return source
    return f"{token} ({source})" if piece.strip() else token


# -- the about panel ------------------------------------------------------------------------
def about_text(explorer: Explorer) -> str:
    """What the matrix on screen is and where it came from: how it was made, its file (and shard) and what
    the file and the model's config say, the vocabulary and tokenizer, the positional layer, the windows."""
    t, session, weights = explorer.t, explorer.session, explorer.weights
    spec = explorer.spec
    lines = [(t("about.layer"), made(explorer)), (t("about.tensor"), f"{spec.vocab_size} × {spec.dim} {spec.dtype}")]
    if weights is not None:
        lines += [(t("about.file"), str(weights.path)), (t("about.name"), weights.key), (t("about.size"), human_size(weights.nbytes))]
        lines += [(t(label), value) for label, value in weights.about]
        if weights.note is not None:
            lines.append((t("about.note"), weights.note.render(explorer.lang)))
    if explorer.vocab is not None:
        lines.append((t("about.vocab"), f"{explorer.vocab.path} · {len(explorer.vocab)}"))
    if explorer.tokenizer is not None:
        lines.append((t("about.tokenizer"), explorer.tokenizer.name))
    if session is not None and session.positions is not None:
        lines.append((t("about.positions"), f"pos_embedding_layer = torch.nn.Embedding({session.positions.context_length}, {spec.dim})"))
    if explorer.windows is not None:
        lines.append((t("about.windows"), f"{explorer.windows.path} · {explorer.windows.settings.text()}"))
    width = max(len(label) for label, _ in lines)
    return "\n".join(printable(f"{label:<{width}}  {value}") for label, value in lines)


# -- what training actions say ---------------------------------------------------------------
def backward_message(report: GradReport, loss: str, notes: str, lang: str) -> Message:
    """Where the gradient went: the rows that received it, and those that stayed exactly 0."""
    values = {"loss": LOSSES[loss], "value": report.loss, "rows": rows_text(report.rows), "note": notes}
    if not report.rows:
        return Message("train.backward_none", {**values, "zero": report.zero_rows})
    if not report.zero_rows:
        values["zero"] = translate(lang, "train.zero_none")
    elif report.zero_rows <= ROWS_SHOWN:  # name them: the lesson is which rows got nothing
        reached = set(report.rows)
        zero = tuple(row for row in range(len(reached) + report.zero_rows) if row not in reached)
        values["zero"] = translate(lang, "train.zero_named", rows=rows_text(zero))
    else:
        values["zero"] = translate(lang, "train.zero_count", count=report.zero_rows)
    return Message("train.backward", values)


def backward_notes(explorer: Explorer, parsed: ParsedIds) -> str:
    """What the layer's options do to a backward over `parsed`: the padding row, repeated IDs scaled."""
    session, notes = explorer.session, ""
    if session.padding_idx in parsed.ids:
        notes += " " + explorer.t("train.padding_row", row=session.padding_idx)
    repeated = sorted((row, count) for row, count in Counter(parsed.ids).items() if count > 1)
    counted = ", ".join(f"{row} (×{count})" for row, count in repeated)
    if session.spec.options.scale_grad_by_freq and repeated:
        notes += " " + explorer.t("train.scaled", rows=counted)
    elif repeated:
        notes += " " + explorer.t("train.repeated", rows=counted)
    return notes


def accumulated_note(session: EmbeddingSession, report: GradReport, lang: str) -> str:
    """A backward() over a gradient not zeroed adds to it: say so, with a row as torch prints it now."""
    if report.sparse or not report.rows:
        return " " + translate(lang, "train.accumulated")
    row = report.rows[0]
    return " " + translate(lang, "train.accumulated_row", row=row, values=repr(session.layer.weight.grad[row]))


def positions_note(session: EmbeddingSession, parsed: ParsedIds, lang: str) -> str:
    """Where a backward's gradient went in the positional layer: positions 0..T-1, from every row of a
    batch, with the first values of position 0's row as torch prints them."""
    grad = session.positions.grad
    if grad is None or not grad.rows:
        return ""
    first = repr(session.positions.layer.weight.grad[grad.rows[0], :3])
    values = {"rows": rows_text(grad.rows), "row": grad.rows[0], "values": first}
    if parsed.rows is None:
        return " " + translate(lang, "train.positions_grad_flat", **values)
    return " " + translate(lang, "train.positions_grad", batch=parsed.shape[0], **values)


def padding_note(session: EmbeddingSession, lang: str) -> str:
    """What padding_idx means for this layer, to follow what the status line says."""
    row = session.padding_idx
    return "" if row is None else " " + translate(lang, "train.padding_init", row=row)


# -- `embedding-explorer lookup` -------------------------------------------------------------
def report_lookup(explorer: Explorer, weight_text: str) -> list[str]:
    """The weight as created, the IDs (and the tokens they stand for), the result and its flags."""
    lookup, weights = explorer.lookup, explorer.weights
    quantized = not explorer.session.trainable  # rows dequantized from GGUF blocks: no layer.weight to print
    lines = []
    if weights is not None:
        made_of = f"# {weights.made}" if quantized else f"# layer = nn.Embedding.from_pretrained({weights.key})"
        lines.append(printable(f"{made_of} from {weights.path}"))
        if weights.note is not None:  # what was found on the way: a model's shard and head, a byte order
            lines.append(printable("# " + weights.note.render(explorer.lang)))
    lines += [weight_text, ""] if quantized else ["print(layer.weight)", weight_text, ""]
    tokens, ids = explorer.t("report.tokens"), explorer.t("report.ids")
    if explorer.text_mode and explorer.tokens is not None:
        pieces = zip(explorer.tokens.pieces, explorer.tokens.ids, strict=True)
        lines.append(f"{tokens}: " + " | ".join(_token_shown(explorer, piece, token_id) for piece, token_id in pieces))
        lines.append(f"{ids}: {list(lookup.ids)}")
    elif explorer.vocab is not None:
        lines.append(f"{tokens}: " + " ".join(explorer.vocab.label(token_id) or "·" for token_id in lookup.ids))
    literal = tensor_literal(lookup.ids, lookup.parsed.rows)
    if lookup.steps is not None:  # section 2.8: the positional layer, then the three steps
        positions = explorer.session.positions
        lines += ["print(pos_embedding_layer.weight)", repr(positions.layer.weight), ""]
        lines += [f"input_ids = {literal}", input_embeddings_text(lookup), "# " + broadcast_sentence(explorer, lookup), ""]
    else:
        lines += [f"print(rows)  # input_ids = {literal}" if quantized else f"print(layer({literal}))", lookup.text, ""]
    if lookup.renormed:  # the weight printed above is as created: say what the lookup changed
        renormed = Message("report.renormed", {"max_norm": explorer.spec.options.max_norm, "rows": rows_text(lookup.renormed)})
        lines += ["# " + renormed.render(explorer.lang), ""]
    for title, flags in _flags(explorer, lookup):
        lines.append(title + ": " + "  ".join(f"{name}={value}" for name, value in flags))
    return lines


def report_backward(explorer: Explorer) -> list[str]:
    session = explorer.session
    grad, positions = session.grad, session.positions
    lines = ["", f"{LOSSES[explorer.lab.training.loss]}.backward()  # loss = {grad.loss}", "print(layer.weight.grad)", grad.text]
    lines.append(f"rows with gradient: {list(grad.rows)}; rows exactly 0: {grad.zero_rows}")
    if positions is not None and positions.grad is not None:
        lines += ["print(pos_embedding_layer.weight.grad)", positions.grad.text]
        lines.append(f"rows with gradient: {list(positions.grad.rows)}; rows exactly 0: {positions.grad.zero_rows}")
    return lines


def report_step(explorer: Explorer) -> list[str]:
    lr, rows, session = explorer.lab.training.lr, explorer.lab.changed, explorer.session
    if session.positions is None:
        code = f"torch.optim.SGD(layer.parameters(), lr={lr!r}).step()  # rows changed: {list(rows)}"
        return ["", code, "print(layer.weight)", session.weight_text()]
    changed = list(explorer.lab.changed_positions)
    code = f"torch.optim.SGD([layer.weight, pos_embedding_layer.weight], lr={lr!r}).step()  # rows changed: {list(rows)}; positions: {changed}"
    return ["", code, "print(layer.weight)", session.weight_text(), "print(pos_embedding_layer.weight)", repr(session.positions.layer.weight)]
