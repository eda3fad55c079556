"""Messages between the screens, the workers and the app (as toolong's `messages.py`): plain dataclasses,
posted from any thread."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tui.core.explorer.dialogs import Answer, Dialog, Pane
from tui.core.jobs import Job


@dataclass
class Answered(Message):
    """A dialog or a panel was answered (None: closed); the app hands it to `Explorer.answer`."""

    dialog: Dialog | Pane
    answer: Answer


@dataclass
class Progressed(Message):
    """A job told how far it got (0 to 1), from its worker thread."""

    job: Job
    fraction: float
