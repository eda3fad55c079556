"""Rows of the matrix as files other tools read: a TSV or CSV table, and the Embedding Projector's pair
(`tensor.tsv` + `metadata.tsv`, https://projector.tensorflow.org), so a user can go on there.

A table's header is `id, token`, the extra columns (a neighbour's rank, its score under the metric's name),
then `d0 … d{dim-1}`. CSV keeps each token's exact text, quoted by the `csv` module where needed. TSV has no
quoting, so its tokens are shown as the app shows them (`vocab.visible`: `␣the`, `\\n`, `\\t`) and its other
text cells with control characters escaped (`text.printable`): a row is always one line. Values are written
with 9 significant digits, enough for every float32 to read back equal.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from tui.core.files.paths import Kind, kind_of, problem
from tui.core.texts.messages import Message, MessageError
from tui.core.texts.shown import printable, visible

if TYPE_CHECKING:  # the app's screens import this module: its first frame must not wait for torch
    import torch

PROJECTOR_FILES = ("tensor.tsv", "metadata.tsv")
CSV: dict[str, object] = {}  # the csv module's own (RFC 4180): commas, quotes where a cell needs them, \r\n
TSV: dict[str, object] = {"delimiter": "\t", "quoting": csv.QUOTE_NONE, "quotechar": None, "lineterminator": "\n"}  # no cell holds a tab or newline


class ExportError(MessageError):
    """A file that could not be written, with a catalog message saying why."""


class ExportExists(ExportError):
    """The file is there already: the caller may ask, then export again with `overwrite=True`."""


@dataclass(frozen=True, eq=False)
class ExportRows:
    """The rows to export: their IDs, their tokens as the vocabulary holds them (`vocab.tokens`; None for
    an ID it skips), their vectors read from the layer (rows × dim; no columns for a table of measures only),
    extra columns by header (a float is written with float32's precision, anything else as `str` writes it),
    and columns `before` the ID (a rank) written the same way in a table."""

    ids: Sequence[int]
    tokens: Sequence[str | None]
    vectors: torch.Tensor
    extra: dict[str, Sequence[float | int | str]] = field(default_factory=dict)
    before: dict[str, Sequence[float | int | str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        lengths = {len(self.ids), len(self.tokens), *map(len, self.extra.values()), *map(len, self.before.values())}
        if self.vectors.dim() != 2 or lengths != {self.vectors.shape[0]}:
            raise ValueError(f"rows disagree: {len(self.ids)} IDs, {len(self.tokens)} tokens, vectors {tuple(self.vectors.shape)}")

    def header(self) -> list[str]:
        return [*self.before, "id", "token", *self.extra, *(f"d{column}" for column in range(self.vectors.shape[1]))]

    def cells(self) -> Iterator[tuple[list[str], int, str | None, list[str], list[str]]]:
        """Each row's cells before the ID, its ID, token, extra cells and values, as text."""
        before = [[_number(value) for value in column] for column in self.before.values()]
        extra = [[_number(value) for value in column] for column in self.extra.values()]
        values = self.vectors.detach().cpu().float().tolist()
        for row, (token_id, token) in enumerate(zip(self.ids, self.tokens, strict=True)):
            yield [column[row] for column in before], token_id, token, [column[row] for column in extra], [format(value, ".9g") for value in values[row]]


def as_csv(rows: ExportRows) -> str:
    """The rows as CSV, each token's exact text quoted where it needs it; a skipped ID's token is empty."""
    lines = ([*before, token_id, token or "", *extra, *values] for before, token_id, token, extra, values in rows.cells())
    return _text(rows.header(), lines, CSV)


def as_tsv(rows: ExportRows) -> str:
    """The rows as TSV, one line each: tokens as the app shows them, other text with controls escaped."""
    lines = ([*before, token_id, _shown(token), *map(printable, extra), *values] for before, token_id, token, extra, values in rows.cells())
    return _text(list(map(printable, rows.header())), lines, TSV)


def projector_tensor(rows: ExportRows) -> str:
    """The Projector's `tensor.tsv`: the values only, tab-separated, a line per row, no header."""
    return _text(None, (values for *_, values in rows.cells()), TSV)


def projector_metadata(rows: ExportRows) -> str:
    """The Projector's `metadata.tsv`: token, ID and the extra columns, a line per row. The Projector reads a
    header line when there are several columns, and there always are: a header line first."""
    header = [printable(name) for name in ("token", "id", *rows.extra)]
    lines = ([_shown(token), token_id, *map(printable, extra)] for _, token_id, token, extra, _ in rows.cells())
    return _text(header, lines, TSV)


def table_text(rows: ExportRows, name: str) -> str:
    """The rows as a file named `name` holds them: CSV when it ends in `.csv` (any case), TSV otherwise."""
    return as_csv(rows) if PurePath(name).suffix.lower() == ".csv" else as_tsv(rows)


def write_table(rows: ExportRows, path: Path, overwrite: bool = False) -> Path:
    """The rows in one file (`table_text`); its folder made if missing."""
    _check_folder(path.parent)
    _write(path, table_text(rows, path.name), overwrite)
    return path


def write_projector(rows: ExportRows, folder: Path, overwrite: bool = False) -> tuple[Path, Path]:
    """The Projector's `tensor.tsv` and `metadata.tsv` in `folder` (made if missing): neither is written when
    either exists (unless `overwrite`)."""
    _check_folder(folder)
    paths = tuple(folder / name for name in PROJECTOR_FILES)
    if not overwrite:
        for path in paths:
            if kind_of(path)[0] is not Kind.MISSING:
                raise ExportExists(Message("export.exists", {"path": path}))
    for path, text in zip(paths, (projector_tensor(rows), projector_metadata(rows)), strict=True):
        _write(path, text, overwrite)
    return paths[0], paths[1]


def _shown(token: str | None) -> str:
    return "" if token is None else visible(token)


def _number(value: object) -> str:
    return format(value, ".9g") if isinstance(value, float) else str(value)


def _text(header: list[str] | None, rows: Iterable[Sequence[object]], dialect: dict[str, object]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, **dialect)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _check_folder(folder: Path) -> None:
    """The folder to write in, made (parents too) when it is not there, as export tools do."""
    kind, error = kind_of(folder)
    if kind is Kind.MISSING:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as made:  # a parent that is a file, no permission, a full disk
            raise ExportError(Message("export.failed", {"path": folder, "error": made.strerror or type(made).__name__})) from made
        kind, error = kind_of(folder)
    if kind is Kind.UNREADABLE:
        raise ExportError(Message("export.failed", {"path": folder, "error": error}))
    if kind in (Kind.LOOP, Kind.DANGLING):
        raise ExportError(problem(folder, kind).message)
    if kind is not Kind.FOLDER:
        raise ExportError(Message("export.not_folder", {"folder": folder}))


def _write(path: Path, text: str, overwrite: bool) -> None:
    """Write `text` to `path`, a new file unless `overwrite`; a token's lone surrogate is written as `\\udcxx`."""
    if kind_of(path)[0] is Kind.FOLDER:
        raise ExportError(Message("export.is_folder", {"path": path}))
    try:
        with path.open("w" if overwrite else "x", encoding="utf-8", errors="backslashreplace", newline="") as file:
            file.write(text)
    except FileExistsError as error:
        raise ExportExists(Message("export.exists", {"path": path})) from error
    except OSError as error:
        raise ExportError(Message("export.failed", {"path": path, "error": error.strerror or type(error).__name__})) from error
