"""What the main screen shows, as immutable values: every action of the explorer returns a `View`.

A view is plain data (text, flags, row marks) in the reader's language, plus what the app is to do next:
jobs to run off the event loop, a dialog to open, the panel open now, files to hand to the reader. Widgets render their part; none of
them decides what it means.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

    from tui.core.explorer.changes import Delivered
    from tui.core.explorer.dialogs import Dialog, Pane
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
    notes: Callable[[int], str] | None = None  # a value per row in a column of its own (B − A: ‖b − a‖)
    notes_title: str = ""


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
Keys = tuple[tuple[str, str, str], ...]  # (action, key, short name) of the commands that matter now


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
    keys: Keys = ()  # most needed first
    jobs: tuple[Job, ...] = ()  # started by the action: the app runs each in a worker, then hands it back
    dialog: Dialog | None = None  # to open over the screen
    panel: Pane | None = None  # the panel open now, as it is to be shown
    go_to: int | None = None  # the matrix's cursor goes to this row
    delivered: tuple[Delivered, ...] = ()  # files the app hands to the reader (`App.deliver_text`)
