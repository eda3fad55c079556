"""What a part's action changed, for the explorer to show: what to say, a dialog to open, jobs to start, the
row to go to, files to hand to the reader. Parts return a `Change`; the explorer applies it and makes the view, so no part needs the
explorer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.core.explorer.dialogs import Dialog
    from tui.core.explorer.panels import Panel
    from tui.core.explorer.tasks import Task
    from tui.core.jobs import Job
    from tui.core.texts.messages import Message


@dataclass(frozen=True)
class Start:
    """A job to start: its task and work, what its outcome changes (`then`), the layer it holds while it
    runs, whether it replaces the layer (a new generation)."""

    task: Task
    work: Callable[[Job], Any]
    then: Callable[[Any], Change]
    layer: object | None = None
    replaces_layer: bool = False


@dataclass(frozen=True)
class Delivered:
    """A file handed to the reader instead of written on the machine that runs the session (a served session's
    download): its name and its text."""

    name: str
    text: str


@dataclass(frozen=True)
class Change:
    said: Message | None = None  # None: what was said stays, unless `quiet`
    error: bool = False
    quiet: bool = False  # what was said goes: the input speaks
    dialog: Dialog | None = None
    panel: Panel | None = None  # a panel to open
    start: tuple[Start, ...] = ()
    follow: bool = False  # bring the ID under the input's cursor into view
    go_to: int | None = None
    delivered: tuple[Delivered, ...] = ()  # files to hand to the reader (a served session writes none)


NOTHING = Change()
