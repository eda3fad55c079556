"""The diff panel as it reads: how many rows are equal, added, removed and moved, the change's distribution
drawn as the statistics panel draws its histogram (`bars`), the most and least changed rows named (the same
sentences `embedding-explorer diff` prints), then the ranked list; the two rows of one ID one above the other with their difference, as torch prints them; the
ranked rows as a table or the Projector's pair; the most changed rows on the map at A and at B."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.core.explorer.bars import bar_chart, squeeze
from tui.core.explorer.dialogs import MapPoint, Report, VectorMap
from tui.core.explorer.row_sets import label_of
from tui.core.texts.messages import Message
from tui.core.texts.shown import printable

if TYPE_CHECKING:
    from tui.core.explorer.source import Source
    from tui.core.files.export import ExportRows
    from tui.core.meaning.passes import Diff

WIDTH = 60  # columns of the chart: it fits the panel at 80 columns
HISTOGRAM_LINES = 3
NAMED = 3  # rows named as the most and the least changed
NAMED_TOKENS = 8  # tokens added or removed named, up to this many
LISTED = 100  # rows in the ranked list (the TSV export writes every aligned row)
MAPPED = 20  # the most changed rows drawn on the map, each at A and at B
RANKS = ("delta", "relative", "cosine", "neighbours")  # what `r` cycles through (matrices of one width)
WIDTH_FREE_RANKS = ("norm", "neighbours")


def ranks(diff: Diff) -> tuple[str, ...]:
    """What the list can be ranked by: every measure, or those that need no shared coordinates."""
    return RANKS if diff.comparison.same_width else WIDTH_FREE_RANKS


def measure_name(by: str, t: Callable[..., str]) -> str:
    from tui.core.meaning.passes import DIFF_K

    return t(f"diff.measure.{by}", k=DIFF_K)


def page(a: Source, b: Source, diff: Diff, t: Callable[..., str]) -> str:
    """The counts, the change's distribution and the extremes, printable."""
    said = [t(message.key, **message.params) for message in counts(a, b, diff)]
    named = [t(message.key, **message.params) for message in extremes(a, diff)]
    return "\n".join(printable(line) for line in [*said, *histogram(diff, t), *named])


def counts(a: Source, b: Source, diff: Diff) -> tuple[Message, ...]:
    """What is said before the distribution: how many rows are equal, changed, added, removed and moved;
    the tokens added and removed named when they are few; the widths when they differ; the rotation."""
    comparison = diff.comparison
    alignment = comparison.alignment
    aligned, equal = len(alignment), comparison.equal_rows
    said = [
        Message("diff.counts", {
            "aligned": aligned, "by": Message(f"diff.by_{alignment.by}"), "equal": equal, "changed": aligned - equal,
            "added": len(alignment.only_b), "removed": len(alignment.only_a), "moved": len(alignment.moved),
        })
    ]
    for key, source, ids in (("diff.added", b, alignment.only_b), ("diff.removed", a, alignment.only_a)):
        if 0 < len(ids) <= NAMED_TOKENS:
            said.append(Message(key, {"count": len(ids), "rows": ", ".join(named(label_of(source), token_id) for token_id in ids)}))
    if not comparison.same_width:
        said.append(Message("diff.widths", {"dim_a": a.session.spec.dim, "dim_b": b.session.spec.dim}))
    rotation = comparison.rotation
    if rotation is not None:
        said.append(Message("diff.procrustes", {"removed": 100 * rotation.removed, "before": rotation.before, "after": rotation.after}))
    return tuple(said)


def histogram(diff: Diff, t: Callable[..., str]) -> list[str]:
    """The change's distribution over the rows that changed, drawn as the statistics panel draws its
    histogram: a heading, the bars and their ends; nothing when no row changed."""
    comparison = diff.comparison
    if len(comparison.changed()) == 0:
        return []
    counts, edges = comparison.histogram(WIDTH)
    low, high = edges[0].item(), edges[-1].item()
    bars = squeeze(counts.tolist(), WIDTH, merge=sum)
    heading = t("diff.histogram" if comparison.same_width else "diff.histogram_norm", bins=len(counts), low=low, high=high)
    return [heading, *bar_chart(bars, HISTOGRAM_LINES), f"{low:.4g}".ljust(len(bars) - len(f"{high:.4g}")) + f"{high:.4g}"]


def extremes(a: Source, diff: Diff) -> tuple[Message, ...]:
    """The most and the least changed rows named with their change, or that every row is equal."""
    comparison, label = diff.comparison, label_of(a)
    changed = comparison.changed()
    if len(changed) == 0:
        return (Message("diff.all_equal"),)
    ids, values = comparison.alignment.a_ids, comparison.measure(diff.by)

    def rows(positions: list[int]) -> str:
        return " · ".join(f"{named(label, int(ids[p]))}: {values[p].item():.4g}" for p in positions)

    most = [p for p in comparison.ranked(diff.by)[:NAMED].tolist() if not bool(comparison.equal[p])]
    return Message("diff.most", {"rows": rows(most)}), Message("diff.least", {"rows": rows(changed[:NAMED].tolist())})


def ranked(diff: Diff, by: str) -> list[int]:
    """The positions listed: the first LISTED of `Diff.ranked`."""
    return diff.ranked(by)[:LISTED].tolist()


def header(t: Callable[..., str]) -> str:
    return _columns(t("diff.col.rank"), "ID", t("diff.col.token"), "‖a‖", "‖b‖", "‖b − a‖", t("diff.col.relative"), "cos", t("diff.col.kept"))


def lines(a: Source, diff: Diff, positions: list[int]) -> tuple[str, ...]:
    """A line per listed row (printable): rank, A's ID, token, ‖a‖, ‖b‖, ‖b − a‖, relative, cosine, and how
    many of its nearest neighbours stayed (when computed)."""
    comparison, label = diff.comparison, label_of(a)
    alignment = comparison.alignment

    def number(values: object, position: int) -> str:
        return "—" if values is None else f"{values[position].item():.4g}"

    shown = []
    for rank, position in enumerate(positions, 1):
        a_id = int(alignment.a_ids[position])
        overlap = diff.overlaps.get(position)
        kept = "" if overlap is None else f"{overlap.kept}/{overlap.k}"
        cells = (
            str(rank), str(a_id), label(a_id), number(comparison.norm_a, position), number(comparison.norm_b, position),
            number(comparison.delta, position), number(comparison.relative, position), number(comparison.cosine, position), kept,
        )
        shown.append(printable(_columns(*cells)))
    return tuple(shown)


def rows_report(a: Source, b: Source, diff: Diff, a_id: int, t: Callable[..., str]) -> Report | None:
    """Row `a_id` of A and its counterpart in B, one above the other, and b − a (when they have one width),
    as torch prints them; None when B has no such row."""
    import torch

    alignment = diff.comparison.alignment
    position = alignment.position_of(a_id)
    if position is None:
        return None
    b_id = int(alignment.b_ids[position])
    row_a = a.session.read_rows(a_id, a_id + 1)[0].float()
    row_b = b.session.read_rows(b_id, b_id + 1)[0].float()
    parts = [f"a = A[{a_id}]", repr(row_a), "", f"b = B[{b_id}]", repr(row_b)]
    if row_a.shape == row_b.shape:
        parts += ["", "b - a", repr(row_b - row_a), "", "torch.linalg.vector_norm(b - a)", repr(torch.linalg.vector_norm(row_b - row_a))]
    token = label_of(a)(a_id)
    title = t("diff.rows_title", id=a_id, token=f" {token}" if token else "")
    return Report(printable(title), "\n".join(printable(line) for line in "\n".join(parts).split("\n")))


def export_rows(a: Source, diff: Diff, by: str) -> ExportRows:
    """Every aligned row ranked by `by` (by neighbours: those whose overlap was computed), as a table of the
    measures: rank, id, token, norm_a, norm_b, delta, relative, cosine, overlap (the share of the k nearest
    neighbours kept, where computed)."""
    import torch

    from tui.core.files.export import ExportRows

    comparison = diff.comparison
    alignment = comparison.alignment
    positions = diff.ranked(by).tolist()
    ids = [int(alignment.a_ids[p]) for p in positions]
    vocab = a.vocab
    tokens = [vocab.tokens[i] if vocab is not None and i < len(vocab) else None for i in ids]

    def column(values: torch.Tensor | None) -> list[float | str]:
        return [""] * len(positions) if values is None else [float(values[p]) for p in positions]

    overlap = [diff.overlaps[p].share if p in diff.overlaps else "" for p in positions]
    extra = {
        "norm_a": column(comparison.norm_a), "norm_b": column(comparison.norm_b), "delta": column(comparison.delta),
        "relative": column(comparison.relative), "cosine": column(comparison.cosine), "overlap": overlap,
    }
    return ExportRows(ids, tokens, torch.empty(len(ids), 0), extra, before={"rank": list(range(1, len(ids) + 1))})


def projector_rows(a: Source, b: Source, diff: Diff, by: str) -> ExportRows:
    """The listed rows twice, at A and at B (a `side` column says which), for the Embedding Projector."""
    import torch

    from tui.core.explorer.row_sets import rows_of
    from tui.core.files.export import ExportRows

    alignment = diff.comparison.alignment
    positions = ranked(diff, by)
    a_ids = [int(alignment.a_ids[p]) for p in positions]
    b_ids = [int(alignment.b_ids[p]) for p in positions]
    vocab = a.vocab
    tokens = [vocab.tokens[i] if vocab is not None and i < len(vocab) else None for i in a_ids]
    vectors = torch.cat((rows_of(a.session, a_ids), rows_of(b.session, b_ids)))
    side = ["A"] * len(a_ids) + ["B"] * len(b_ids)
    return ExportRows(a_ids + b_ids, tokens + tokens, vectors, {"side": side})


def diff_map(a: Source, b: Source, diff: Diff, by: str, t: Callable[..., str]) -> VectorMap:
    """The MAPPED first rows of the list, each at A and at B on one projection of both, the two joined by a
    line: B's point carries the same label and the mark ▶."""
    import torch

    from tui.core.explorer.row_sets import rows_of
    from tui.core.meaning.projection import project

    alignment = diff.comparison.alignment
    positions = ranked(diff, by)[:MAPPED]
    a_ids = [int(alignment.a_ids[p]) for p in positions]
    b_ids = [int(alignment.b_ids[p]) for p in positions]
    projection = project(torch.cat((rows_of(a.session, a_ids), rows_of(b.session, b_ids))))
    label = label_of(a)
    labels = [label(i) or str(i) for i in a_ids] * 2
    marked = [False] * len(a_ids) + [True] * len(b_ids)
    points = tuple(MapPoint(x, y, name, mark) for (x, y), name, mark in zip(projection.coordinates.tolist(), labels, marked, strict=True))
    first, second = (100 * share for share in projection.explained)
    note = t("diff.map", count=len(positions), measure=measure_name(by, t))
    return VectorMap(
        t("map.title", count=len(points)), t("map.axis", axis=1, percent=first), t("map.axis", axis=2, percent=second), points, note,
        lambda count: t("map.left_out", count=count), tuple((at, at + len(a_ids)) for at in range(len(a_ids))),
    )


def named(label: Callable[[int], str], token_id: int) -> str:
    """`token (ID)`, or `ID n` for a row without a token."""
    token = label(token_id)
    return f"{token} ({token_id})" if token else f"ID {token_id}"


def _columns(rank: str, token_id: str, token: str, norm_a: str, norm_b: str, delta: str, relative: str, cosine: str, kept: str) -> str:
    token = token if len(token) <= 10 else token[:9] + "…"
    return f"{rank:>4} {token_id:>6} {token:<10} {norm_a:>7} {norm_b:>7} {delta:>7} {relative:>7} {cosine:>7} {kept:>5}"
