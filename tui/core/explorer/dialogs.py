"""The dialogs the explorer opens and the answers it takes: plain data, in the reader's language already (the
presenter renders them), and no callable that changes anything.

A dialog is opened once (`View.dialog`); a panel stays open and is shown again with each view
(`View.panel`). Either is answered the same way: the screen hands `(dialog, answer)` to
`Explorer.answer`, which decides what happens. Closing a dialog is answering it with `None`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, TypeVar, Union

from tui.core.texts.messages import MessageError

if TYPE_CHECKING:
    from tui.core.chapter.spec import LayerOptions
    from tui.core.texts.messages import Message
    from tui.core.tokens.vocab_search import VocabIndex

T = TypeVar("T")


class Refused(Exception):
    """What a dialog's check says of a text it refuses, in the reader's language (a field stays open)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def checked(parse: Callable[..., T], lang: str) -> Callable[..., T]:
    """`parse`, its `MessageError` turned into a `Refused` that says why in `lang`."""

    def check(*text: str) -> T:
        try:
            return parse(*text)
        except MessageError as error:
            raise Refused(error.message.render(lang)) from None

    return check


class Choice(Enum):
    """An answer given with one key."""

    DENSE = "dense"  # allocate the dense gradient
    SPARSE = "sparse"  # build the layer again with sparse=True, then backward
    YES = "yes"
    NO = "no"
    SAVE = "save"  # the copied script, in a file
    COPY = "copy"  # a report's script, to copy
    FIRST = "first"  # compare with the layer as it was created or opened
    OTHER = "other"  # compare with a file or model, chosen in the open panel
    AGAIN = "again"  # compare with the matrix B compared last
    HEAD = "head"  # compare with the model's own output head (an untied lm_head.weight)


class Topic(Enum):
    """What a question or a prompt is about: how its answer is taken."""

    DENSE_GRADIENT = "dense_gradient"
    BIG_ONE_HOT = "big_one_hot"
    OVERWRITE = "overwrite"
    GO_TO_ROW = "go_to_row"
    NEIGHBOURS_K = "neighbours_k"
    EXPORT = "export"
    WINDOW_SETTINGS = "window_settings"
    BIG_BATCH = "big_batch"
    COMPARE = "compare"
    BPE_TEXT = "bpe_text"  # the text to train a tokenizer from
    BPE_SIZE = "bpe_size"  # its vocabulary size (the answer: the text's path and the size)


@dataclass(frozen=True)
class Notice:
    """Something to read in a panel (torch's refusal with its lesson, a file that could not be opened)."""

    title: str
    text: str


@dataclass(frozen=True)
class Question:
    """A choice among a few keys (`keys`: Textual key name → answer; `choices` says them)."""

    topic: Topic
    title: str
    text: str
    choices: str
    keys: Mapping[str, Choice]
    path: str = ""  # the file a question about writing over is about


@dataclass(frozen=True)
class Prompt:
    """One line to type (a row, a k, a path, settings): `parse` (pure: it reads, never changes anything)
    turns the text into the answer or raises `Refused`, which says what is valid."""

    topic: Topic
    prompt: str
    parse: Callable[[str], object]
    value: str = ""  # what the line holds at first
    paths: bool = False  # complete paths as they are typed
    offered: tuple[str, ...] | None = None  # with `paths`, a served session's: complete only these, never the disk


@dataclass(frozen=True)
class Pick:
    """Choose one tensor of the file at `path` (`choices`: key, how it is described); answered by a key."""

    prompt: str
    choices: tuple[tuple[str, str], ...]
    path: str
    compare: bool = False  # the tensor to compare with the matrix on screen, not to open in its place


@dataclass(frozen=True)
class Code:
    """Copy as code: the script goes to the clipboard (when there is one: not in a served session), and is
    shown (its start only, when it is huge); answered `Choice.SAVE` to write it to a file, or download it."""

    title: str
    explanation: str
    script: str
    shown: str
    clipboard: bool = True


@dataclass(frozen=True)
class Report:
    """A computation in torch, as code and what torch printed (lines kept as they are); with a script, `c`
    answers `Choice.COPY`."""

    title: str
    text: str
    script: str | None = None


@dataclass(frozen=True)
class Help:
    """Every key: (the keys, what they do)."""

    title: str
    close: str
    keys: tuple[tuple[str, str], ...]
    note: str


@dataclass(frozen=True)
class Options:
    """The training options: the loss and lr, and the layer's own options; answered by a `TrainingChoice`."""

    current: TrainingChoice
    check: Callable[[str, str], float | int | None]  # (field, text) → its value, or `Refused` (pure)
    losses: tuple[tuple[str, str], ...]  # (loss, its code)
    words: Mapping[str, str]  # the labels and sentences, by name: title, keys, loss, lr, …, apply, cancel


@dataclass(frozen=True)
class TrainingChoice:
    """What the options dialog answers: the loss (a key of `LOSSES`), the learning rate, the layer's options."""

    loss: str
    lr: float
    options: LayerOptions


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    label: str  # the row's token (made visible) or its ID
    looked_up: bool  # a row of the input: marked with its own symbol, not only a colour


@dataclass(frozen=True)
class VectorMap:
    """Rows projected on their first two principal axes: the axes say how much variance each explains; points
    joined by a line (a row at A and at B) by their indices in `points`."""

    title: str
    x_title: str
    y_title: str
    points: tuple[MapPoint, ...]
    note: str  # what the set is, and how the looked-up rows are marked
    left_out: Callable[[int], str]  # pure: says how many labels the drawing left out (known only at its size)
    joins: tuple[tuple[int, int], ...] = ()


Dialog = Union[Notice, Question, Prompt, Pick, Code, Report, Help, Options, VectorMap]


# -- panels: open until closed, shown again with every view ------------------------------------
@dataclass(frozen=True)
class Said:
    """A line a panel says under its answer: how far a pass got, what was written, what went wrong."""

    text: str
    error: bool = False
    progress: float | None = None  # a pass reading the matrix: how far it got (the bar shows while it reads)


@dataclass(frozen=True)
class NeighboursPane:
    """The neighbours panel: the line asked, the answer (a line per row found: rank, ID, token, score,
    first values), and the keys of the part with the focus."""

    title: str
    placeholder: str
    asked: str
    heading: str
    header: str
    lines: tuple[str, ...]
    ids: tuple[int, ...]
    said: Said
    line_keys: str  # the keys while the line has the focus (letters are text there)
    list_keys: str  # the keys while the list has the focus (letters are commands there)


@dataclass(frozen=True)
class StatisticsPane:
    title: str
    text: str
    said: Said
    keys: str


@dataclass(frozen=True)
class WindowsPane:
    """The windows view: batch `index` of `count`, as the book prints it."""

    title: str
    index: int
    count: int
    page: str


@dataclass(frozen=True)
class SearchPane:
    """Ctrl+F: the vocabulary searched as typed; `index` is None while it is being built."""

    prompt: str
    case: str
    reading: str
    index: VocabIndex | None
    label: Callable[[int], str | None]  # an ID's token as shown, to list the matches
    render: Callable[[Message], str]  # what is said about the matches, in the reader's language


@dataclass(frozen=True)
class OpenPane:
    """F6: a path typed (completed as typed), the folder's tree, the cached models (None while scanned); in a
    served session, only what it may open (`offered`, `none_offered` when nothing)."""

    prompt: str
    folder: str
    cached: tuple[str, ...] | None
    none_cached: str
    parse: Callable[[str], str]
    offered: tuple[str, ...] | None = None
    none_offered: str = ""


@dataclass(frozen=True)
class DiffPane:
    """The diff of A (on screen) and B: the page (counts, the change's distribution, the extremes), then the
    ranked list (a line per row: rank, ID, token, the measures; `ids` the rows of A they are)."""

    title: str
    text: str
    heading: str
    header: str
    lines: tuple[str, ...]
    ids: tuple[int, ...]
    said: Said
    keys: str


@dataclass(frozen=True)
class StepsPane:
    """A word's BPE merges (or WordPiece matches), step by step, to its tokens and IDs."""

    title: str
    page: str


Pane = Union[NeighboursPane, StatisticsPane, WindowsPane, SearchPane, OpenPane, DiffPane, StepsPane]


# -- the answers a panel gives, besides a `Choice` ----------------------------------------------
@dataclass(frozen=True)
class Ask:
    """Ask the neighbours of what the line holds (with the metric and k chosen)."""

    text: str


@dataclass(frozen=True)
class GoTo:
    """Go to this row (the panel closes)."""

    row: int


@dataclass(frozen=True)
class Append:
    """Add this row's ID to the input (the panel stays)."""

    row: int


@dataclass(frozen=True)
class Move:
    """Another batch of the windows: `step` on from the one shown."""

    step: int


class Act(Enum):
    """What a panel's key asks for."""

    NEXT_METRIC = "next_metric"
    ASK_K = "ask_k"
    EXPORT = "export"
    MAP = "map"
    SEND = "send"  # the windows' batch to the lookup
    SETTINGS = "settings"  # other settings for the windows
    COPY = "copy"  # the windows' batch as the book's code; the diff as a torch script
    RANK = "rank"  # the diff's list ranked by the next measure
    ROTATE = "rotate"  # the diff with A rotated onto B first (orthogonal Procrustes), or without


Answer = Union[Choice, Act, Ask, GoTo, Append, Move, TrainingChoice, str, int, None]  # None: closed
