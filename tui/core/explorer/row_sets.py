"""Sets of rows picked out of the layer (a neighbours answer, the looked-up rows, a sample): their labels,
their vectors written to files (TSV, CSV, the Embedding Projector's pair), and their map on the first two
principal axes, the input's rows marked."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from tui.core.explorer.view import MapPoint, VectorMap
from tui.core.files.export import ExportRows, write_projector, write_table
from tui.core.meaning.passes import ReadableLayer
from tui.core.meaning.projection import project

if TYPE_CHECKING:
    from tui.core.explorer.explorer import Explorer

LOOKED_UP_ON_MAP = 64  # the input's rows drawn beside the rows asked for, at most
LABELLED = 24  # points with their token written beside them


def label_of(explorer: Explorer) -> Callable[[int], str]:
    """A row's token as shown (`␣the`), or "" without one."""
    vocab = explorer.vocab
    return lambda token_id: (vocab.label(token_id) if vocab is not None else None) or ""


def rows_of(layer: ReadableLayer, ids: Sequence[int]) -> torch.Tensor:
    """Rows `ids` of the layer, in float32 (len(ids) × dim)."""
    rows = [layer.read_rows(token_id, token_id + 1).float() for token_id in ids]
    return torch.cat(rows) if rows else torch.empty(0, layer.spec.dim)


def export_rows(explorer: Explorer, layer: ReadableLayer, ids: Sequence[int], extra: dict[str, Sequence[float | int | str]] | None = None) -> ExportRows:
    """Rows `ids` of the layer, with their tokens as the vocabulary holds them."""
    vocab = explorer.vocab
    tokens = [vocab.tokens[token_id] if vocab is not None and token_id < len(vocab) else None for token_id in ids]
    return ExportRows(list(ids), tokens, rows_of(layer, ids), extra or {})


def write_rows(explorer: Explorer, rows: ExportRows, path: str, overwrite: bool = False) -> str:
    """`rows` to `path` (see `export_answer`); what was written, in the explorer's language."""
    target = Path(path).expanduser()
    if path.endswith(("/", "\\")) or target.is_dir():
        tensor, metadata = write_projector(rows, target, overwrite)
        return explorer.t("export.projector_done", count=len(rows.ids), tensor=tensor, metadata=metadata)
    return explorer.t("export.done", count=len(rows.ids), path=write_table(rows, target, overwrite))


def vector_map(explorer: Explorer, layer: ReadableLayer, ids: Sequence[int], asked: set[int], note: str) -> VectorMap:
    """Rows `ids` and the input's (up to LOOKED_UP_ON_MAP), once each, on their first two principal axes;
    the input's rows and `asked` are marked ▶. Every marked row is labelled, and of the others those
    farthest from the centre (rare tokens often are), up to LABELLED in all: more would cover each other."""
    t, label = explorer.t, label_of(explorer)
    looked_up = list(dict.fromkeys(explorer.lookup.parsed.ids))[:LOOKED_UP_ON_MAP] if explorer.lookup is not None else []
    shown = list(dict.fromkeys([*looked_up, *ids]))
    marked = asked | set(looked_up)
    projection = project(rows_of(layer, shown))
    coordinates = projection.coordinates
    others = [position for position, token_id in enumerate(shown) if token_id not in marked]
    farthest = sorted(others, key=lambda position: -float(coordinates[position].norm()))
    labelled = {token_id for token_id in shown if token_id in marked} | {shown[position] for position in farthest[: max(0, LABELLED - len(marked))]}
    points = tuple(
        MapPoint(x, y, _map_label(label, token_id) if token_id in labelled else "", token_id in marked)
        for token_id, (x, y) in zip(shown, coordinates.tolist(), strict=True)
    )
    first, second = (100 * share for share in projection.explained)
    notes = [note, t("map.marks")]
    if projection.spread < 2:
        notes.append(t("map.flat" if projection.spread == 0 else "map.one_axis"))
    return VectorMap(
        t("map.title", count=len(shown)), t("map.axis", axis=1, percent=first), t("map.axis", axis=2, percent=second), points, " ".join(notes)
    )


def _map_label(label: Callable[[int], str], token_id: int) -> str:
    """The token, or its ID when it has none or holds a wide character (the plot counts characters, not
    cells: a wide one would push the rest of its line out of place)."""
    token = label(token_id)
    if not token or any(unicodedata.east_asian_width(char) in "WF" for char in token):
        return str(token_id)
    return token
