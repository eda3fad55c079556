"""The neighbours panel as it reads: what was asked as a heading, a line per row found (rank, ID, token, score,
first values), and the notes (how the metric scores, the rows left out); the rows found exported with their
rank and score. The search itself is `Meaning.ask`, run in a job."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.core.explorer.row_sets import export_rows, label_of, write_rows
from tui.core.texts.messages import Message, MessageError
from tui.core.texts.shown import columns, printable

if TYPE_CHECKING:
    from tui.core.explorer.source import Source
    from tui.core.files.export import ExportRows
    from tui.core.meaning.passes import Answer

VALUES_SHOWN = 4  # of each row found: its first values, as a reminder that a neighbour is a vector


def most_k(rows: int) -> int:
    """The most neighbours a matrix of `rows` rows has: all but the one asked about."""
    return max(1, rows - 1)


def parse_k(text: str, rows: int) -> int:
    """A typed k: a whole number from 1 to the rows but one."""
    most = most_k(rows)
    k = int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 0
    if not 1 <= k <= most:
        raise MessageError(Message("neighbours.k", {"k": text, "most": most, "rows": rows, "excluded": 1}))
    return k


def heading(answer: Answer, label: Callable[[int], str], t: Callable[..., str]) -> str:
    """What was asked and how: `label(id)` names a row, `t` renders in the reader's language."""
    neighbours = answer.neighbours
    metric = t(f"neighbours.{neighbours.metric}")
    if len(answer.terms) == 1 and answer.terms[0][0] > 0:
        token_id = answer.terms[0][1]
        if not label(token_id):
            return t("neighbours.title_id", k=neighbours.k, id=token_id, metric=metric)
        return t("neighbours.title_row", k=neighbours.k, label=label(token_id), id=token_id, metric=metric)
    terms = " ".join(f"{'−' if sign < 0 else '+'} {label(token_id)} ({token_id})" for sign, token_id in answer.terms)
    return t("neighbours.title_expr", k=neighbours.k, terms=terms.removeprefix("+ "), metric=metric)


def page(answer: Answer, source: Source, t: Callable[..., str]) -> tuple[str, str, tuple[str, ...], str]:
    """The answer as the panel shows it: its heading, the columns' header, a line per row found, the notes."""
    label, metric = label_of(source), answer.neighbours.metric
    header = (t("neighbours.rank"), "ID", t("neighbours.token"), t(f"neighbours.{metric}_short"), t("neighbours.values"))
    rows = [
        (str(rank), str(found.token_id), label(found.token_id), f"{found.score:.4f}", _values(source, found.token_id))
        for rank, found in enumerate(answer.neighbours.found, 1)
    ]
    lines = columns([header, *rows])
    notes = [t(f"neighbours.{metric}_note"), *(t(note.key, **note.params) for note in answer.neighbours.notes())]
    return printable(heading(answer, label, t).rstrip(":")), printable(lines[0]), tuple(printable(line) for line in lines[1:]), " ".join(notes)


def _values(source: Source, token_id: int) -> str:
    row = source.session.read_rows(token_id, token_id + 1)[0].float()
    shown = ", ".join(f"{value:.4f}" for value in row[:VALUES_SHOWN].tolist())
    return f"[{shown}, …]" if row.shape[0] > VALUES_SHOWN else f"[{shown}]"


def answer_rows(source: Source, answer: Answer) -> ExportRows:
    """The rows found, with their rank and score, to export."""
    found = answer.neighbours.found
    extra = {"rank": list(range(1, len(found) + 1)), answer.neighbours.metric: [neighbour.score for neighbour in found]}
    return export_rows(source, answer.ids, extra)


def export_answer(source: Source, answer: Answer, path: str, overwrite: bool = False) -> Message:
    """The rows found, with their rank and score, written to `path` (see `row_sets.write_rows`)."""
    return write_rows(answer_rows(source, answer), path, overwrite)
