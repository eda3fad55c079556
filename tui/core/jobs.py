"""Long work as jobs: making or opening a layer, a training action, a pass over the whole matrix.

A job runs off the event loop (a worker thread in the TUI, inline in the CLI). Its work touches only what
it was given, never the explorer, and returns an outcome that the explorer installs on the main thread. It
tells how far it got (`tell`, which the app turns into a message posted from the thread) and is asked
between chunks whether to go on (`cancelled`). Each job carries the layer generation it was started in: a
job that replaces the layer starts a new generation, so whatever an older job made is dropped, never shown.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from tui.core.texts.messages import Message, MessageError


class Cancelled(Exception):
    """Work given up between two chunks: a newer request wants the answer instead, or nobody does any more."""


@dataclass(frozen=True)
class Failed:
    """The job could not be done; the message says why. Nothing on screen changes."""

    message: Message


@dataclass(frozen=True)
class GivenUp:
    """The outcome of a job cancelled between chunks: dropped, never shown."""


GIVEN_UP = GivenUp()


@dataclass(eq=False)
class Job:
    """Work to run off the event loop: `task` says what it is (its value is the catalog key that names it),
    `layer` the layer it uses, which nothing else may touch while it runs."""

    task: Enum
    work: Callable[[Job], Any]
    layer: object | None
    generation: int
    stage: str = ""  # what it is doing now (a catalog key), set by `work` as it goes
    started: float = field(default_factory=time.perf_counter)
    listener: Callable[[float], None] | None = None  # told each fraction done (the app posts a message)
    _cancel: threading.Event = field(default_factory=threading.Event)

    def run(self) -> Any:
        """`work`'s outcome; a `Failed` for what it refuses (a `MessageError`), `GIVEN_UP` when cancelled.
        Anything else it raises is unexpected, and left to whoever runs it to say."""
        try:
            return self.work(self)
        except MessageError as error:
            return Failed(error.message)
        except Cancelled:
            return GIVEN_UP

    def tell(self, fraction: float) -> None:
        """How far the work got (0 to 1), for a progress bar."""
        if self.listener is not None:
            self.listener(fraction)

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started
