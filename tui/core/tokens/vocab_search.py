"""Searching the vocabulary as typed: substring (`the`), prefix (`^the`), suffix (`the$`) and exact (`^the$`).

Tokens are searched by the text the app shows for them (`texts.shown.visible`): GPT-2's `Ġthe` is `␣the`, a
newline token `\\n`. A query is made visible the same way, so a space typed matches a token's leading space,
and so does `␣` typed as it is shown; `the` finds `the`, `␣the` and `there`. The first `^` and the last `$`
anchor the query; after them the text is literal (`^^` finds tokens that start with `^`).

Case is ignored unless the query has an upper-case letter (smart case, as in ripgrep and vim):
`the` finds `The`, `The` finds only `The`. `case_sensitive=True` always matches case.

Matches come best first: the token itself (with or without a leading space: `the` puts `the` and `␣the`
first), then tokens that start with it (likewise), then the rest; each group by ID.

Per keystroke the search runs in numpy over one array of every label's code points, built once per
vocabulary (`VocabIndex`): a few milliseconds over 128k tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from tui.core.texts.messages import Message
from tui.core.texts.shown import VISIBLE, visible

SPACE = VISIBLE[" "]  # `␣`: how a token's space is shown, and typed
EXACT, AT_START, INSIDE = 0, 1, 2  # how well a token matches, the order of the results: exact is also at the start


@dataclass(frozen=True)
class Query:
    """What a typed query asks for: its text as labels show it (folded when case is ignored), and whether
    it must be at the start of a label (`^`), at its end (`$`), or both (the whole label)."""

    text: str
    at_start: bool
    at_end: bool
    case_sensitive: bool


@dataclass(frozen=True)
class Matches:
    """The IDs a query matches, best first, at most the `limit` asked for; `total` counts every match.
    `query` is None when there was nothing to search for: an empty query, or one that `problem` explains."""

    query: Query | None
    ids: tuple[int, ...]
    total: int
    problem: Message | None = None


NOTHING = Matches(None, (), 0)


def parse_query(typed: str, case_sensitive: bool = False) -> Query:
    """The query `typed` means: `^` and `$` taken off as anchors, the rest made visible as labels are,
    folded unless `case_sensitive` or the query has an upper-case letter."""
    at_start = typed.startswith("^")
    body = typed[1:] if at_start else typed
    at_end = body.endswith("$")
    body = body[:-1] if at_end else body
    case_sensitive = case_sensitive or any(char.isupper() for char in body)
    text = visible(body)
    return Query(text if case_sensitive else text.casefold(), at_start, at_end, case_sensitive)


@dataclass(frozen=True)
class _Lines:
    """Labels joined by newlines into one array of code points (a newline before the first and after the
    last; no label holds one: `visible` shows it as `\\n`), with where each label starts and ends, which
    label each character is in, and where each code point occurs: a query starts from its rarest
    character's occurrences, so a keystroke costs in proportion to the matches, not the vocabulary."""

    chars: np.ndarray  # uint32 code points
    starts: np.ndarray  # index of each label's first character
    ends: np.ndarray  # index of the newline after it
    line_of: np.ndarray  # the label each character is in (its newline counts as its own; -1 for the first)
    by_code: np.ndarray  # every index of `chars`, grouped by code point, ascending within each group
    spans: dict[int, tuple[int, int]]  # code point → its group in `by_code`

    @classmethod
    def of(cls, labels: list[str]) -> _Lines:
        joined = "\n" + "\n".join(labels) + "\n"
        chars = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        lengths = np.fromiter(map(len, labels), dtype=np.int64, count=len(labels))
        ends = np.cumsum(lengths + 1)  # the first newline is at 0
        line_of = np.concatenate([[-1], np.repeat(np.arange(len(labels), dtype=np.int32), lengths + 1)])
        by_code = np.argsort(chars, kind="stable").astype(np.int32)
        codes, firsts, counts = np.unique(chars[by_code], return_index=True, return_counts=True)
        spans = {int(code): (int(first), int(first + count)) for code, first, count in zip(codes, firsts, counts)}
        return cls(chars, ends - lengths, ends, line_of, by_code, spans)

    def find(self, query: Query) -> tuple[np.ndarray, np.ndarray]:
        """The labels that match `query`, in order, and how well each matches (EXACT, AT_START, INSIDE)."""
        needle = [ord(char) for char in query.text]
        spans = [self.spans.get(code, (0, 0)) for code in needle]
        rarest = min(range(len(needle)), key=lambda offset: spans[offset][1] - spans[offset][0])
        positions = self.by_code[slice(*spans[rarest])] - rarest  # where the query would start, ascending
        (positions,) = _where((positions > 0) & (positions + len(needle) <= len(self.chars)), positions)  # inside it
        for offset, code in enumerate(needle):
            if offset != rarest:
                (positions,) = _where(self.chars[positions + offset] == code, positions)
        # The query holds no newline, so each position lies inside one label.
        lines = self.line_of[positions]
        if query.at_start:
            positions, lines = _where(positions == self.starts[lines], positions, lines)
        if query.at_end:
            positions, lines = _where(positions + len(needle) == self.ends[lines], positions, lines)
        first = np.ones(len(lines), dtype=bool)  # the first position in each label tells how well it matches
        first[1:] = lines[1:] != lines[:-1]
        positions, lines = _where(first, positions, lines)
        starts = self.starts[lines]
        after_space = (positions == starts + 1) & (self.chars[starts] == ord(SPACE))
        at_start = (positions == starts) | after_space
        exact = at_start & (positions + len(needle) == self.ends[lines])
        return lines, INSIDE - at_start.view(np.int8) - exact.view(np.int8)


def _where(keep: np.ndarray, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The arrays where `keep` is true: through the indices, which numpy gathers several times faster than it
    applies a boolean mask that is true at random."""
    indices = np.flatnonzero(keep)
    return tuple(array[indices] for array in arrays)


class VocabIndex:
    """A vocabulary made searchable: its labels as two `_Lines`, as shown and case-folded (folding can
    change a label's length: `ß` is `ss`), each built at its first use. IDs the vocabulary skips are left out."""

    def __init__(self, tokens: Sequence[str | None]) -> None:
        """`tokens`: a vocabulary's tokens by ID (None: an ID it skips)."""
        kept = [(token_id, token) for token_id, token in enumerate(tokens) if token is not None]
        self._ids = np.fromiter((token_id for token_id, _ in kept), dtype=np.int64, count=len(kept))
        self._labels = [visible(token) for _, token in kept]

    @cached_property
    def _shown(self) -> _Lines:
        return _Lines.of(self._labels)

    @cached_property
    def _folded(self) -> _Lines:
        return _Lines.of([label.casefold() for label in self._labels])

    @property
    def ready(self) -> bool:
        """Both label arrays are built: a search is a few milliseconds now."""
        return "_shown" in self.__dict__ and "_folded" in self.__dict__

    def built(self) -> VocabIndex:
        """Itself, with both its label arrays built (a second at 128k tokens: a worker's job)."""
        self._shown, self._folded  # noqa: B018 - cached on first use
        return self

    def search(self, typed: str, limit: int = 100, case_sensitive: bool = False) -> Matches:
        """The tokens `typed` matches (see the module's docstring for the syntax and the order)."""
        if not typed:
            return NOTHING
        query = parse_query(typed, case_sensitive)
        if not query.text:
            return Matches(None, (), 0, Message("search.anchors_only", {"query": typed}))
        lines, ranks = (self._shown if query.case_sensitive else self._folded).find(query)
        best = lines[np.argsort(ranks, kind="stable")[: max(limit, 0)]]
        return Matches(query, tuple(self._ids[best].tolist()), len(lines))
