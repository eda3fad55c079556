"""Two matrices compared, as the command line reports it: each side opened the way the app opens a file
(with the labels found beside it), their rows aligned and compared in one pass, the N most changed rows
ranked, and the sentences around the table as `Message`s. The edge renders them and lays the table out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.explorer.sources import LayerMade, SeveralFound, Source, open_weights
from tui.core.explorer.tasks import Task
from tui.core.jobs import Failed, Job
from tui.core.texts.messages import Message, MessageError

if TYPE_CHECKING:  # these import torch
    from tui.core.meaning.comparison import Comparison, Overlap, Side

HEAD_KEYS = ("lm_head.weight", "output.weight")  # a model's output head: in a model folder, in a GGUF file
NAMED = 8  # tokens added or removed named in the counts' line up to this many
SHOWN = 3  # rows named after the table (most and least changed, neighbours that left and came)


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
    """What `diff` prints: the lines before the table, its rows, and the lines after it (for people)."""

    by: str
    comparison: Comparison
    before: tuple[Message, ...]
    rows: tuple[Row, ...]
    after: tuple[Message, ...]


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


def diff(a: Source, b: Source, by: str | None, top: int, k: int, procrustes: bool = False) -> Report:
    """A's rows against B's: aligned (by ID, or by token for different vocabularies), measured, and the `top`
    most changed ranked `by` a measure (None: ‖b − a‖, or neighbours for different widths). By neighbours,
    the `top` most changed by ‖b − a‖ (by norm for different widths) ranked by how few of their `k` nearest
    rows in A are still among them in B."""
    from tui.core.meaning.comparison import WIDTH_FREE, ComparisonError, compare, neighbour_overlap
    from tui.core.tokens.alignment import align

    side_a, side_b = _side(a), _side(b)
    same_width = side_a.dim == side_b.dim
    by = by or ("delta" if same_width else "neighbours")
    if not same_width and by not in WIDTH_FREE:  # before the pass, not after it
        raise ComparisonError(Message("diff.needs_width", {"by": by}))
    alignment = align(side_a.rows, side_b.rows, _tokens(a), _tokens(b))
    a.session.check_file()
    b.session.check_file()
    comparison = compare(side_a, side_b, alignment, procrustes)
    change = "delta" if same_width else "norm"
    if by == "neighbours":
        candidates = comparison.ranked(change)[:top].tolist()
        overlaps = neighbour_overlap(side_a, side_b, alignment, candidates, k)
        order = sorted(range(len(candidates)), key=lambda at: overlaps[at].kept)  # stable: ties by the change
        ranked = [(candidates[at], overlaps[at]) for at in order]
    else:
        ranked = [(position, None) for position in comparison.ranked(by)[:top].tolist()]
    rows = tuple(_row(rank, position, comparison, overlap, a, b) for rank, (position, overlap) in enumerate(ranked, 1))
    return Report(by, comparison, _before(comparison, a, b, side_a, side_b), rows, _after(comparison, rows, a, b))


def _side(source: Source) -> Side:
    from tui.core.meaning.comparison import Side

    spec = source.session.spec
    return Side(source.session.read_rows, spec.vocab_size, spec.dim)


def _tokens(source: Source) -> Sequence[str | None] | None:
    return None if source.vocab is None else source.vocab.tokens


def _label(source: Source, token_id: int) -> str | None:
    """Row `token_id`'s token as shown, or None when the side has no vocabulary or skips the ID."""
    return None if source.vocab is None else source.vocab.label(token_id)


def _row(rank: int, position: int, comparison: Comparison, overlap: Overlap | None, a: Source, b: Source) -> Row:
    a_id, b_id = int(comparison.alignment.a_ids[position]), int(comparison.alignment.b_ids[position])

    def value(measure: object) -> float | None:
        return None if measure is None else float(measure[position])  # type: ignore[index]

    token = _label(a, a_id) or _label(b, b_id) or ""
    return Row(rank, a_id, b_id, token, value(comparison.norm_a), value(comparison.norm_b), value(comparison.delta), value(comparison.relative), value(comparison.cosine), overlap)


def _named(source: Source, ids: tuple[int, ...] | list[int]) -> str:
    """Rows named by token and ID: `<|im_start|> (30522)`."""
    return ", ".join(f"{_label(source, token_id) or '?'} ({token_id})" for token_id in ids)


def _before(comparison: Comparison, a: Source, b: Source, side_a: Side, side_b: Side) -> tuple[Message, ...]:
    """The counts (the added and removed tokens named when they are few), the widths, the rotation."""
    alignment = comparison.alignment
    counts = {
        "aligned": len(alignment),
        "by": Message(f"diff.by_{alignment.by}"),
        "equal": comparison.equal_rows,
        "added": len(alignment.only_b),
        "removed": len(alignment.only_a),
        "moved": len(alignment.moved),
    }
    said = [Message("diff.counts", counts)]
    for key, source, ids in (("diff.added", b, alignment.only_b), ("diff.removed", a, alignment.only_a)):
        if 0 < len(ids) <= NAMED:
            said.append(Message(key, {"count": len(ids), "rows": _named(source, ids)}))
    if side_a.dim != side_b.dim:
        said.append(Message("diff.widths", {"dim_a": side_a.dim, "dim_b": side_b.dim}))
    rotation = comparison.rotation
    if rotation is not None:
        said.append(Message("diff.procrustes", {"removed": 100 * rotation.removed, "before": rotation.before, "after": rotation.after}))
    return tuple(said)


def _after(comparison: Comparison, rows: tuple[Row, ...], a: Source, b: Source) -> tuple[Message, ...]:
    """The most and least changed rows named; for the rows ranked by neighbours, which left and came."""
    changed = comparison.changed()
    if len(changed) == 0:
        return (Message("diff.all_equal"),)
    ids = comparison.alignment.a_ids
    most = comparison.ranked("delta" if comparison.same_width else "norm")[:SHOWN].tolist()
    least = changed[:SHOWN].tolist()
    said = [Message("diff.extremes", {"most": _named(a, [int(ids[p]) for p in most]), "least": _named(a, [int(ids[p]) for p in least]), "changed": len(changed)})]
    for row in rows[:SHOWN]:
        if row.overlap is not None:
            left, came = _named(a, row.overlap.left) or "—", _named(b, row.overlap.came) or "—"
            said.append(Message("diff.left_came", {"row": _named(a, [row.a_id]), "kept": row.overlap.kept, "k": row.overlap.k, "left": left, "came": came}))
    return tuple(said)
