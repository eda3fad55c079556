"""Sets of rows picked out of a matrix on screen (a neighbours answer, the looked-up rows, a sample): their
labels, their vectors written to files (TSV, CSV, the Embedding Projector's pair) or handed to the reader as
such files (a served session), and their map on the first
two principal axes, the input's rows marked."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from tui.core.explorer.changes import Delivered
from tui.core.explorer.dialogs import MapPoint, VectorMap
from tui.core.texts.messages import Message

if TYPE_CHECKING:
    import torch

    from tui.core.explorer.source import Source
    from tui.core.files.export import ExportRows
    from tui.core.meaning.passes import ReadableLayer

LOOKED_UP_ON_MAP = 64  # the input's rows drawn beside the rows asked for, at most
LABELLED = 24  # points with their token written beside them


def label_of(source: Source) -> Callable[[int], str]:
    """A row's token as shown (`␣the`), or "" without one."""
    vocab = source.vocab
    return lambda token_id: (vocab.label(token_id) if vocab is not None else None) or ""


def rows_of(layer: ReadableLayer, ids: Sequence[int]) -> torch.Tensor:
    """Rows `ids` of the layer, in float32 (len(ids) × dim)."""
    import torch

    rows = [layer.read_rows(token_id, token_id + 1).float() for token_id in ids]
    return torch.cat(rows) if rows else torch.empty(0, layer.spec.dim)


def export_rows(source: Source, ids: Sequence[int], extra: dict[str, Sequence[float | int | str]] | None = None) -> ExportRows:
    """Rows `ids` of the matrix, with their tokens as the vocabulary holds them."""
    from tui.core.files.export import ExportRows

    vocab = source.vocab
    tokens = [vocab.tokens[token_id] if vocab is not None and token_id < len(vocab) else None for token_id in ids]
    return ExportRows(list(ids), tokens, rows_of(source.session, ids), extra or {})


def write_rows(rows: ExportRows, path: str, overwrite: bool = False) -> Message:
    """`rows` to `path`: a folder gets the Embedding Projector's tensor.tsv + metadata.tsv, a file a table
    (CSV when it ends in .csv, else TSV). Says what it wrote; an `ExportError` says why it could not
    (`ExportExists`: ask, then again with `overwrite`)."""
    from tui.core.files.export import write_projector, write_table

    target = Path(path).expanduser()
    if path.endswith(("/", "\\")) or target.is_dir():
        tensor, metadata = write_projector(rows, target, overwrite)
        return Message("export.projector_done", {"count": len(rows.ids), "tensor": str(tensor), "metadata": str(metadata)})
    return Message("export.done", {"count": len(rows.ids), "path": str(write_table(rows, target, overwrite))})


def delivered_rows(rows: ExportRows, name: str) -> tuple[Message, tuple[Delivered, ...]]:
    """`rows` to hand to the reader (a served session writes nothing on the server): a name ending in `/` gets the
    Embedding Projector's tensor.tsv + metadata.tsv, any other a table by its last part's name (`table_text`).
    Says what it handed over."""
    from tui.core.files.export import PROJECTOR_FILES, projector_metadata, projector_tensor, table_text

    if name.endswith(("/", "\\")):
        tensor, metadata = PROJECTOR_FILES
        said = Message("access.projector_delivered", {"count": len(rows.ids), "tensor": tensor, "metadata": metadata})
        return said, (Delivered(tensor, projector_tensor(rows)), Delivered(metadata, projector_metadata(rows)))
    file = PurePath(name).name or "rows.tsv"  # the browser saves it where its reader says: only the name counts
    return Message("access.export_delivered", {"count": len(rows.ids), "name": file}), (Delivered(file, table_text(rows, file)),)


def vector_map(source: Source, looked_up: Sequence[int], ids: Sequence[int], asked: set[int], note: str, t: Callable[..., str]) -> VectorMap:
    """Rows `ids` and the input's (`looked_up`, up to LOOKED_UP_ON_MAP), once each, on their first two
    principal axes; the input's rows and `asked` are marked ▶. Every marked row is labelled, and of the
    others those farthest from the centre (rare tokens often are), up to LABELLED in all (the drawing
    leaves out any that would cover another, and says how many). `t` renders the map's words in the reader's language."""
    from tui.core.meaning.projection import project

    label = label_of(source)
    looked_up = list(dict.fromkeys(looked_up))[:LOOKED_UP_ON_MAP]
    shown = list(dict.fromkeys([*looked_up, *ids]))
    marked = asked | set(looked_up)
    projection = project(rows_of(source.session, shown))
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
        t("map.title", count=len(shown)), t("map.axis", axis=1, percent=first), t("map.axis", axis=2, percent=second), points, " ".join(notes),
        lambda count: t("map.left_out", count=count),
    )


def _map_label(label: Callable[[int], str], token_id: int) -> str:
    """The token, or its ID when it has none or holds a wide character (the plot counts characters, not
    cells: a wide one would push the rest of its line out of place)."""
    token = label(token_id)
    if not token or any(unicodedata.east_asian_width(char) in "WF" for char in token):
        return str(token_id)
    return token
