"""What the panels show, as immutable values: the explorer's every action returns a `View`.

A view is plain data (text, flags, row marks) plus what the app is to do next: long work to run off the
event loop (`job`) or a dialog to open (`dialog`). Widgets render their part; none of them decides what
it means.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, Union

if TYPE_CHECKING:
    import numpy as np

    from tui.core.jobs import Job


class RowSource(Protocol):
    """A matrix the view reads row slices of (`tui.core.chapter.rows`): the weight, or its gradient."""

    rows: int
    cols: int

    def row(self, row: int, start: int, stop: int) -> np.ndarray: ...


@dataclass(frozen=True)
class MatrixPane:
    title: str
    rows: RowSource
    version: int  # changes whenever values change in place: every formatted line is stale then
    tokens: Callable[[int], str | None] | None  # a row's token, made visible; None without a vocabulary
    positions: Mapping[int, tuple[int, ...]]  # looked-up row → its positions in the input
    prefixes: Mapping[int, str]  # rows marked for another reason: Δ changed, ∇ has gradient
    follow: int | None  # the row of the ID under the input's cursor, kept in view
    row_length: int | None = None  # a batch's row length: positions are shown as (batch row, position)


@dataclass(frozen=True)
class ResultPane:
    title: str
    text: str
    stale: bool  # the input is invalid now: this is the last good result, dimmed
    follow: int | None  # the line of the ID under the input's cursor, when torch prints a line per ID


@dataclass(frozen=True)
class InputPane:
    value: str
    cursor: int
    title: str
    placeholder: str


@dataclass(frozen=True)
class Status:
    text: str
    error: bool


Flags = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # (title, ((name, value), …)) per group


@dataclass(frozen=True)
class Notice:
    """Something to read in a panel (torch's refusal with its lesson, a file that could not be opened)."""

    title: str
    text: str


@dataclass(frozen=True)
class Question:
    """A choice among a few keys; `answer` takes the chosen answer (None: cancelled)."""

    title: str
    text: str
    choices: str  # the keys and what each does, as one line
    keys: Mapping[str, str]  # Textual key name → answer
    answer: Callable[[str | None], View]


@dataclass(frozen=True)
class Pick:
    """Choose one of a list; `answer` takes the chosen key (None: cancelled)."""

    prompt: str
    choices: tuple[tuple[str, str], ...]  # (key, how it is described)
    answer: Callable[[str | None], View]


@dataclass(frozen=True)
class Code:
    """Copy as code: the script goes to the clipboard, and is shown (its start only, when it is huge)."""

    title: str
    explanation: str
    script: str
    shown: str  # the script, or its first SHOWN_CODE characters
    save: Callable[[], View]  # writes the script to a file (where no clipboard arrives), says where


@dataclass(frozen=True)
class Report:
    """A computation in torch, as code and what torch printed: lines kept as they are; the script that
    prints it, to copy."""

    title: str
    text: str
    script: str | None = None


@dataclass(frozen=True)
class Windows:
    """The windows view: `count` batches, `page(i)` what batch i shows, `send(i)` its inputs to the lookup,
    `copy(i)` the book's code that prints it; the settings as typed to change them, and how."""

    title: str
    count: int
    page: Callable[[int], str]
    send: Callable[[int], View]
    copy: Callable[[int], View]
    settings_prompt: str
    settings: str


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    label: str  # the row's token (made visible) or its ID
    looked_up: bool  # a row of the input: marked with its own symbol, not only a colour


@dataclass(frozen=True)
class VectorMap:
    """Rows projected on their first two principal axes: the axes say how much variance each explains."""

    title: str
    x_title: str
    y_title: str
    points: tuple[MapPoint, ...]
    note: str  # what the set is, and how the looked-up rows are marked


@dataclass(frozen=True)
class NeighboursPage:
    """One answer of the neighbours panel, as it reads: a line per row found (rank, ID, token, score, first
    values), best first."""

    title: str
    header: str
    lines: tuple[str, ...]
    ids: tuple[int, ...]
    notes: str  # rows skipped (NaN, all zeros), or ""
    answer: object  # the search's own answer (`tui.core.meaning.passes.Answer`): the map and the export use it


@dataclass(frozen=True)
class NeighboursPanel:
    """The neighbours panel: `asked` is asked first. `ask(text, metric, k, progress, cancelled)` runs in a
    worker and returns a page (a `MessageError` says what cannot be asked; `Cancelled` when `cancelled()`);
    `parse_k` checks a typed k; `export(page, path, overwrite)` writes the page's rows and says what it did
    (an `ExportError` says why not; `ExportExists`: ask, then again with `overwrite`); `map(page)` is the map
    of the page's rows and the looked-up ones."""

    asked: str
    metric: str
    metrics: tuple[str, ...]
    k: int
    lang: str  # the panel's words are the catalog's `neighbours.panel.*`, in this language
    ask: Callable[..., NeighboursPage]
    parse_k: Callable[[str], int]
    export: Callable[..., str]
    map: Callable[[NeighboursPage], VectorMap]


@dataclass(frozen=True)
class StatisticsPanel:
    """The statistics panel: `compute(progress, cancelled)` runs in a worker and returns the page's text;
    `map()` is a sample of rows with the looked-up ones; `export(path, overwrite)` writes the looked-up rows
    (as `NeighboursPanel.export`)."""

    title: str
    lang: str
    compute: Callable[..., str]
    map: Callable[[], VectorMap]
    export: Callable[..., str]


Dialog = Union[Notice, Question, Pick, Code, Report, Windows, VectorMap, NeighboursPanel, StatisticsPanel]


@dataclass(frozen=True)
class View:
    loading: str | None  # while the first layer is created: what is being made; then None
    matrix: MatrixPane | None  # None until a layer exists
    input: InputPane
    toggles: frozenset[str]  # the switches that are on: freeze, no_grad, grad
    toggles_enabled: bool
    result: ResultPane
    flags: Flags
    status: Status
    keys: tuple[str, ...] = ()  # the commands that matter now (their actions), most needed first
    job: Job | None = None  # work the app runs in a worker, then hands back to `Explorer.finish`
    dialog: Dialog | None = None
