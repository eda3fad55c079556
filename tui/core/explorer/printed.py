"""What `embedding-explorer lookup` prints: the code the book would run and what torch printed for it, with
the app's sentences (in the reader's language) as comments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.core.chapter.code import tensor_literal
from tui.core.chapter.history import LOSSES
from tui.core.explorer.presenter import broadcast_sentence, flags, input_embeddings_text, token_shown
from tui.core.explorer.training import rows_text
from tui.core.texts.messages import Message
from tui.core.texts.shown import printable

if TYPE_CHECKING:
    from tui.core.explorer.explorer import Explorer


def lookup_lines(explorer: Explorer, weight_text: str) -> list[str]:
    """The weight as created, the IDs (and the tokens they stand for), the result and its flags."""
    t, lookup, source = explorer.t, explorer.lookup, explorer.source
    layer = source.session
    weights, reading = layer.weights, explorer.reading
    quantized = not layer.trainable  # rows dequantized from GGUF blocks: no layer.weight to print
    lines = []
    if weights is not None:
        made = weights.made if quantized else f"layer = nn.Embedding.from_pretrained({weights.key})"
        lines.append(printable("# " + t("report.made_from", made=made, path=str(weights.path))))
        if weights.note is not None:  # what was found on the way: a model's shard and head, a byte order
            lines.append(printable("# " + weights.note.render(explorer.lang)))
    lines += [weight_text, ""] if quantized else ["print(layer.weight)", weight_text, ""]
    tokens, ids = t("report.tokens"), t("report.ids")
    if explorer.input.text_mode and reading.tokens is not None:
        pieces = zip(reading.tokens.pieces, reading.tokens.ids, strict=True)
        lines.append(f"{tokens}: " + " | ".join(token_shown(source, piece, token_id) for piece, token_id in pieces))
        lines.append(f"{ids}: {list(lookup.ids)}")
    elif source.vocab is not None:
        lines.append(f"{tokens}: " + " ".join(source.vocab.label(token_id) or "·" for token_id in lookup.ids))
    literal = tensor_literal(lookup.ids, lookup.parsed.rows)
    if lookup.steps is not None:  # section 2.8: the positional layer, then the three steps
        lines += ["print(pos_embedding_layer.weight)", repr(layer.positions.layer.weight), ""]
        lines += [f"input_ids = {literal}", input_embeddings_text(lookup), "# " + broadcast_sentence(lookup).render(explorer.lang), ""]
    else:
        lines += [f"print(rows)  # input_ids = {literal}" if quantized else f"print(layer({literal}))", lookup.text, ""]
    if lookup.renormed:  # the weight printed above is as created: say what the lookup changed
        lines += ["# " + t("report.renormed", max_norm=layer.spec.options.max_norm, rows=rows_text(lookup.renormed)), ""]
    for title, shown in flags(explorer):
        lines.append(title + ": " + "  ".join(f"{name}={value}" for name, value in shown))
    return lines


def backward_lines(explorer: Explorer) -> list[str]:
    """`loss.backward()` and the gradient as torch printed it, and where it went."""
    session = explorer.session
    grad, positions = session.grad, session.positions
    lines = ["", f"{LOSSES[explorer.lab.training.loss]}.backward()  # loss = {grad.loss}", "print(layer.weight.grad)", grad.text]
    lines.append(explorer.t("report.grad_rows", rows=list(grad.rows), zero=grad.zero_rows))
    if positions is not None and positions.grad is not None:
        lines += ["print(pos_embedding_layer.weight.grad)", positions.grad.text]
        lines.append(explorer.t("report.grad_rows", rows=list(positions.grad.rows), zero=positions.grad.zero_rows))
    return lines


def step_lines(explorer: Explorer) -> list[str]:
    """One SGD step as code, the rows it changed, and the weight after it."""
    lr, rows, session = explorer.lab.training.lr, explorer.lab.changed, explorer.session
    if session.positions is None:
        changed = Message("report.step_rows", {"rows": list(rows)}).render(explorer.lang)
        return ["", f"torch.optim.SGD(layer.parameters(), lr={lr!r}).step()  # {changed}", "print(layer.weight)", session.weight_text()]
    changed = Message("report.step_rows_positions", {"rows": list(rows), "positions": list(explorer.lab.changed_positions)}).render(explorer.lang)
    code = f"torch.optim.SGD([layer.weight, pos_embedding_layer.weight], lr={lr!r}).step()  # {changed}"
    return ["", code, "print(layer.weight)", session.weight_text(), "print(pos_embedding_layer.weight)", repr(session.positions.layer.weight)]
