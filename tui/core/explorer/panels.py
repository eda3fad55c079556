"""What the open panel holds, one kind at a time: the neighbours asked and found, the statistics read, the
batch of windows shown, the search's index, the cached models listed to open, the diff of two matrices. The explorer owns the one
open panel; the presenter shows it (`dialogs.*Pane`) with every view, and a pass that ends after its panel
was closed finds nothing to show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from tui.core.explorer.source import Compared
    from tui.core.meaning.matrix_statistics import MatrixStatistics
    from tui.core.meaning.passes import Answer, Diff
    from tui.core.texts.messages import Message
    from tui.core.tokens.bpe_steps import Start, WordSteps


@dataclass
class Pass:
    """A panel's pass over the whole matrix: how far it got while it reads (None: not reading), and what the
    panel says."""

    progress: float | None = None
    said: Message | None = None
    error: bool = False

    def started(self) -> None:
        self.progress, self.said, self.error = 0.0, None, False

    def ended(self, said: Message | None = None, error: bool = False) -> None:
        self.progress, self.said, self.error = None, said, error

    def say(self, said: Message, error: bool = False) -> None:
        self.said, self.error = said, error


@dataclass
class NeighboursOpen:
    asked: str
    answer: Answer | None = None
    reading: Pass = field(default_factory=Pass)


@dataclass
class StatisticsOpen:
    statistics: MatrixStatistics | None = None
    reading: Pass = field(default_factory=Pass)


@dataclass
class WindowsOpen:
    index: int = 0  # the batch shown


@dataclass
class SearchOpen:
    """The vocabulary searched as typed; its index is the vocabulary's own, built by a job once."""


@dataclass
class OpenOpen:
    cached: tuple[str, ...] | None = None  # the models in the local Hugging Face cache, once scanned
    compare: bool = False  # what is chosen is compared with the matrix on screen, not opened in its place
    offered: tuple[str, ...] | None = None  # a served session: what it may open, in place of the folder and the cache


@dataclass
class DiffOpen:
    """Two matrices compared (A and B, as `Sources.compared` gave them when it opened): the diff once
    computed, what its list is ranked by."""

    compared: Compared
    asked: tuple[int, ...] = ()  # the looked-up rows, whose neighbours are compared too
    procrustes: bool = False  # A rotated onto B before the measures
    diff: Diff | None = None
    by: str = "delta"
    reading: Pass = field(default_factory=Pass)


@dataclass
class StepsOpen:
    """The steps of the word under the input's cursor, made when the panel opened (that word only: the
    per-key budget); `said` instead when there is none to show."""

    tokenizer: str  # its name
    number: int = 0  # the word's place in the text, from 1
    word: WordSteps | None = None
    start: Start = "bytes"  # what the word's first pieces are
    said: Message | None = None


Panel = Union[NeighboursOpen, StatisticsOpen, WindowsOpen, SearchOpen, OpenOpen, DiffOpen, StepsOpen]
