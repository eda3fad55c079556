"""Long work as jobs: creating a layer, opening a file, rebuilding the layer, a training action.

A job runs off the event loop (a worker thread in the TUI, inline in `lookup`). It touches only what it
was given, never the explorer, and returns an `Outcome` that `Explorer.finish` installs on the main
thread. Each job carries the layer generation it was started in: a job that replaces the layer starts a
new generation, so whatever an older job made is dropped when it finishes, never installed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from tui.core.explorer.view import Report
from tui.core.texts.messages import Message, MessageError

if TYPE_CHECKING:  # the session imports torch; this module must not
    from tui.core.chapter.reports import StepReport
    from tui.core.chapter.session import EmbeddingSession
    from tui.core.chapter.windows import TextWindows
    from tui.core.tokens.tokenizer import TextTokenizer
    from tui.core.tokens.vocab import Vocab


@dataclass(frozen=True)
class LayerMade:
    """A new layer: the first one, a weight file's (with the vocabulary and tokenizer beside it), or the
    current one built again with other options."""

    session: EmbeddingSession
    vocab: Vocab | None
    tokenizer: TextTokenizer | None
    message: Message | None = None  # what to say; None: the layer's own greeting (padding row, vocabulary)
    problem: Message | None = None  # the vocabulary beside the file could not be read
    then: str | None = None  # the training action to run next ("backward" after going sparse)


@dataclass(frozen=True)
class LabelsLoaded:
    """A vocabulary (and the tokenizer it came with, if any) for the layer on screen; None when the file read
    had none."""

    vocab: Vocab | None
    tokenizer: TextTokenizer | None


@dataclass(frozen=True)
class WindowsCut:
    """A text cut into the book's windows and batches."""

    windows: TextWindows


@dataclass(frozen=True)
class SeveralFound:
    """A weight file with several candidate tensors and no known name: someone has to choose."""

    path: str
    candidates: tuple[tuple[str, str], ...]  # (key, how it is described), largest first


@dataclass(frozen=True)
class Trained:
    """What a training action did to the layer, and what the screen shows next."""

    message: Message
    step: StepReport | None = None  # a step's rows before and after, shown until the input changes
    grad_view: bool | None = None  # True: show weight.grad; False: the weight; None: keep the view
    changed: tuple[int, ...] = ()  # rows whose values the action changed (marked Δ)


@dataclass(frozen=True)
class Failed:
    """The job could not be done; the message says why. Nothing on screen changes."""

    message: Message


Outcome = Union[LayerMade, LabelsLoaded, Report, WindowsCut, SeveralFound, Trained, Failed]  # a Report: shown as it is


class Cancelled(Exception):
    """Work over the whole matrix given up between two chunks: a newer request wants the answer instead."""


@dataclass(eq=False)
class Job:
    action: str  # what is done: "create", "open", "options", "backward", "step", …
    generation: int  # the layer generation it belongs to
    work: Callable[[Job], Outcome]
    session: EmbeddingSession | None  # the layer it uses, which nothing else may touch meanwhile
    replaces_layer: bool  # its outcome is a new layer
    stage: str = ""  # what it is doing now (a catalog key), set by `work` as it goes
    started: float = field(default_factory=time.perf_counter)

    def run(self) -> Outcome:
        """`work`, with every failure turned into an outcome: a job never raises."""
        try:
            return self.work(self)
        except MessageError as error:
            return Failed(error.message)
        except Exception as error:  # noqa: BLE001 - the app keeps its last good state
            return Failed(Message("error.unexpected", {"error": f"{type(error).__name__}: {error}"}))

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started
