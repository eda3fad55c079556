"""The neighbours panel (`Explorer.neighbours`): each answer as a page of lines, its rows exported (TSV, CSV,
the Embedding Projector's pair), and the map of its rows beside the looked-up ones. Reads the explorer's
public state; the search itself is `Meaning.ask`, run in the panel's worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.core.explorer.row_sets import export_rows, label_of, vector_map, write_rows
from tui.core.explorer.view import NeighboursPage, NeighboursPanel, VectorMap
from tui.core.meaning.neighbours import METRICS
from tui.core.meaning.passes import Answer, ReadableLayer
from tui.core.texts.messages import Message, MessageError
from tui.core.texts.shown import columns, printable

if TYPE_CHECKING:
    from tui.core.explorer.explorer import Explorer

VALUES_SHOWN = 4  # of each row found: its first values, as a reminder that a neighbour is a vector


def panel(explorer: Explorer, asked: str) -> NeighboursPanel:
    """The panel over the layer on screen, asking `asked` first."""
    session, meaning, t = explorer.session, explorer.meaning, explorer.t
    vocab, tokenizer = explorer.vocab, explorer.tokenizer

    def ask(text: str, metric: str, k: int, progress: Callable[[float], None] | None = None, cancelled: Callable[[], bool] | None = None) -> NeighboursPage:
        meaning.metric, meaning.k = metric, k
        return page(explorer, session, meaning.ask(session, text, vocab, tokenizer, progress, cancelled))

    def export(shown: NeighboursPage, path: str, overwrite: bool = False) -> str:
        return export_answer(explorer, session, shown.answer, path, overwrite)

    def drawn(shown: NeighboursPage) -> VectorMap:
        answer: Answer = shown.answer
        asked_ids = [token_id for _, token_id in answer.terms]
        note = t("map.neighbours", k=len(answer.ids), metric=t(f"neighbours.{answer.neighbours.metric}"))
        return vector_map(explorer, session, [*asked_ids, *answer.ids], set(asked_ids), note)

    k = max(1, min(meaning.k, explorer.spec.vocab_size - 1))  # the book's 6 rows have 5 neighbours, not 10
    return NeighboursPanel(asked, meaning.metric, METRICS, k, explorer.lang, ask, lambda text: parse_k(explorer, text), export, drawn)


def parse_k(explorer: Explorer, text: str) -> int:
    """A typed k: a whole number from 1 to the rows but one."""
    most = explorer.spec.vocab_size - 1
    k = int(text) if text.isascii() and text.isdigit() else 0
    if not 1 <= k <= most:
        raise MessageError(Message("neighbours.k", {"k": text, "most": most, "rows": explorer.spec.vocab_size, "excluded": 1}))
    return k


def page(explorer: Explorer, layer: ReadableLayer, answer: Answer) -> NeighboursPage:
    """The answer as the panel shows it: a line per row found, with its first values."""
    t, label = explorer.t, label_of(explorer)
    metric = answer.neighbours.metric
    header = (t("neighbours.rank"), "ID", t("neighbours.token"), t(f"neighbours.{metric}_short"), t("neighbours.values"))
    rows = [
        (str(rank), str(found.token_id), label(found.token_id), f"{found.score:.4f}", _values(layer, found.token_id))
        for rank, found in enumerate(answer.neighbours.found, 1)
    ]
    lines = columns([header, *rows])
    notes = [t(f"neighbours.{metric}_note"), *(note.render(explorer.lang) for note in answer.neighbours.notes())]
    title = printable(answer.title(label, t).rstrip(":"))
    return NeighboursPage(title, lines[0], tuple(lines[1:]), answer.ids, " ".join(notes), answer)


def _values(layer: ReadableLayer, token_id: int) -> str:
    row = layer.read_rows(token_id, token_id + 1)[0].float()
    shown = ", ".join(f"{value:.4f}" for value in row[:VALUES_SHOWN].tolist())
    return f"[{shown}, …]" if row.shape[0] > VALUES_SHOWN else f"[{shown}]"


def export_answer(explorer: Explorer, layer: ReadableLayer, answer: Answer, path: str, overwrite: bool = False) -> str:
    """The rows found, with their rank and score, written to `path`: a folder gets the Embedding Projector's
    tensor.tsv + metadata.tsv, a file a table (CSV when it ends in .csv, else TSV). Says what it wrote; an
    `ExportError` says why it could not (`ExportExists`: ask, then again with `overwrite`)."""
    found = answer.neighbours.found
    extra = {"rank": list(range(1, len(found) + 1)), answer.neighbours.metric: [neighbour.score for neighbour in found]}
    return write_rows(explorer, export_rows(explorer, layer, answer.ids, extra), path, overwrite)


