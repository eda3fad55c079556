"""Two matrices compared, as the command line reports it: each side opened the way the app opens a file
(with the labels found beside it), compared as the app compares them (`passes.diff`), and the N most changed
rows ranked. The sentences around the table are the diff panel's (`diff_page`); the edge lays them out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.explorer.diff_page import named
from tui.core.explorer.row_sets import label_of
from tui.core.explorer.source import Source
from tui.core.explorer.sources import LayerMade, SeveralFound, open_weights
from tui.core.explorer.tasks import Task
from tui.core.jobs import Failed, Job
from tui.core.texts.messages import Message, MessageError

if TYPE_CHECKING:  # these import torch
    from tui.core.meaning.comparison import Overlap
    from tui.core.meaning.passes import Diff

HEAD_KEYS = ("lm_head.weight", "output.weight")  # a model's output head: in a model folder, in a GGUF file
SHOWN = 3  # rows ranked by neighbours whose neighbours that left and came are named after the table


class DiffError(MessageError):
    """A side that cannot be opened for comparing, with a catalog message saying why."""


@dataclass(frozen=True)
class Row:
    """One ranked row: its ID in A and in B, its token (made visible; "" unlabelled), its measures (the
    last three None for different widths) and, ranked by neighbours, its overlap."""

    rank: int
    a_id: int
    b_id: int
    token: str
    norm_a: float
    norm_b: float
    delta: float | None
    relative: float | None
    cosine: float | None
    overlap: Overlap | None = None


@dataclass(frozen=True)
class Report:
    """What `diff` prints: the rows ranked `by` a measure, and for those ranked by neighbours which
    neighbours left and came; around them the CLI says what the diff panel says (`diff_page`)."""

    by: str
    diff: Diff
    rows: tuple[Row, ...]
    neighbours: tuple[Message, ...]


def open_side(path: str, key: str | None, option: str) -> tuple[Source, Message | None]:
    """The matrix at `path` (`key`, else its embedding) and its labels, as F6 opens it; what went wrong
    with the labels beside it, if anything. `option` names the key option in a refusal (`--key-a`)."""
    outcome = Job(Task.OPEN, open_weights(path, key, None), None, 0).run()
    if isinstance(outcome, Failed):
        if key in HEAD_KEYS and outcome.message.key == "weights.no_key":
            raise DiffError(Message(f"diff.head_{'tied' if _tied(path) else 'absent'}", {"path": path, "name": key}))
        raise DiffError(outcome.message)
    if isinstance(outcome, SeveralFound):
        listing = "; ".join(described for _, described in outcome.candidates)
        raise DiffError(Message("diff.several", {"path": outcome.path, "option": option, "listing": listing}))
    assert isinstance(outcome, LayerMade)
    return outcome.source, outcome.problem


def _tied(path: str) -> bool:
    """Whether a model's head is its input embedding: config.json's `tie_word_embeddings` for a model
    folder; a GGUF file without `output.weight` uses `token_embd.weight` for both."""
    from tui.core.files.models import find_model, is_model

    return Path(path).suffix == ".gguf" or (is_model(path) and find_model(path).tied)


def diff(a: Source, b: Source, by: str | None, top: int, k: int, procrustes: bool = False, ids: tuple[int, ...] = ()) -> Report:
    """A's rows against B's (`passes.diff`, as the app compares them) and the `top` most changed ranked `by`
    a measure (None: ‖b − a‖, or neighbours for different widths). By neighbours, the `top` most changed
    by ‖b − a‖ (by norm for different widths) ranked by how few of their `k` nearest rows in A are still
    among them in B; otherwise one pass, with no neighbours compared. Rows `ids` of A asked for: the table
    is of them, ranked the same way, each with its neighbours compared."""
    from tui.core.meaning import passes
    from tui.core.meaning.comparison import WIDTH_FREE, ComparisonError

    same_width = a.session.spec.dim == b.session.spec.dim
    by = by or ("delta" if same_width else "neighbours")
    if not same_width and by not in WIDTH_FREE:  # before the pass, not after it
        raise ComparisonError(Message("diff.needs_width", {"by": by}))
    a.session.check_file()
    b.session.check_file()
    rows_a = a.session.spec.vocab_size
    for token_id in ids:
        if not 0 <= token_id < rows_a:
            raise ComparisonError(Message("neighbours.id_range", {"id": token_id, "last": rows_a - 1}))
    candidates = 0 if ids or by != "neighbours" else top
    compared = passes.diff(a.session, b.session, (_tokens(a), _tokens(b)), candidates, ids, k=k, procrustes=procrustes)
    asked = {compared.comparison.alignment.position_of(token_id): token_id for token_id in ids}
    if None in asked:
        raise ComparisonError(Message("diff.not_in_b", {"id": asked[None]}))
    positions = [p for p in compared.ranked(by).tolist() if p in asked] if ids else compared.ranked(by)[:top].tolist()
    rows = tuple(_row(rank, position, compared, a, b) for rank, position in enumerate(positions, 1))
    return Report(by, compared, rows, _left_came(rows, a, b, bool(ids)))


def _tokens(source: Source) -> Sequence[str | None] | None:
    return None if source.vocab is None else source.vocab.tokens


def _row(rank: int, position: int, diff: Diff, a: Source, b: Source) -> Row:
    comparison = diff.comparison
    a_id, b_id = int(comparison.alignment.a_ids[position]), int(comparison.alignment.b_ids[position])

    def value(measure: object) -> float | None:
        return None if measure is None else float(measure[position])  # type: ignore[index]

    token = label_of(a)(a_id) or label_of(b)(b_id)
    return Row(
        rank, a_id, b_id, token, value(comparison.norm_a), value(comparison.norm_b), value(comparison.delta), value(comparison.relative),
        value(comparison.cosine), diff.overlaps.get(position),
    )


def _left_came(rows: tuple[Row, ...], a: Source, b: Source, asked: bool) -> tuple[Message, ...]:
    """For the first rows ranked by neighbours (every row asked for), which of their nearest rows left and
    which came."""
    said = []
    label_a, label_b = label_of(a), label_of(b)
    for row in rows if asked else rows[:SHOWN]:
        if row.overlap is not None:
            left = ", ".join(named(label_a, i) for i in row.overlap.left) or "—"
            came = ", ".join(named(label_b, i) for i in row.overlap.came) or "—"
            said.append(Message("diff.left_came", {"row": named(label_a, row.a_id), "kept": row.overlap.kept, "k": row.overlap.k, "left": left, "came": came}))
    return tuple(said)
