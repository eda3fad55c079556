"""Parse what people type as token IDs: `3`, `2, 3, 5, 1`, `2 3 5 1`, `[2, 3, 5, 1]`,
`torch.tensor([2, 3, 5, 1])`, and batches: `[[2, 3], [5, 1]]`, `torch.tensor([[2, 3], [5, 1]])`.

Pure Python (no torch), so the app can parse before torch has finished importing. Any string gives
either `ParsedIds` or an `IdParseError` that says which piece is wrong and at which column.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from tui.core.texts.messages import Message, MessageError

# Words, commas and brackets; whitespace separates and is otherwise ignored.
_TOKEN = re.compile(r"[^\s,\[\]()]+|[,\[\]()]")
# Digits are ASCII 0-9 everywhere, as Python writes a list of IDs (int() alone would take "３" and "٣").
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][+-]?[0-9]+)?")
_WRAPPERS = ("torch.tensor", "tensor")
_PLAIN = re.compile(r"[0-9\s,]*")  # only digits, whitespace and commas
_EMPTY_ITEM = re.compile(r"^\s*,|,\s*,")
_DIGITS = re.compile(r"[0-9]+")
_MAX_DIGITS = 4000  # int() refuses longer decimal strings; no vocabulary is anywhere near
_TOO_LONG = re.compile(f"[0-9]{{{_MAX_DIGITS + 1}}}")


class IdError(MessageError, ValueError):
    """Typed IDs that cannot be looked up. Carries a catalog message and the 1-based column."""

    def __init__(self, message: Message, column: int) -> None:
        super().__init__(message)
        self.column = column


class IdParseError(IdError):
    """The input is not a list of integers."""


class IdRangeError(IdError):
    """An ID the layer has no row for: negative, or ≥ the vocabulary size."""


@dataclass(frozen=True)
class ParsedIds:
    """The IDs in order, and where each one was typed (start, end) in the input text."""

    ids: tuple[int, ...]  # a batch's rows one after another
    spans: tuple[tuple[int, int], ...]
    rows: int | None = None  # a batch: how many rows (each len(ids) // rows long); None: a flat list

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of `torch.tensor` of what was typed: (T,), or (B, T) for a batch."""
        return shape_of(self.ids, self.rows)

    def index_at(self, cursor: int) -> int | None:
        """Position of the ID under (or just before) the text cursor; None if there are no IDs."""
        starts_at_or_before = bisect.bisect_right(self.spans, cursor, key=lambda span: span[0])
        return max(starts_at_or_before - 1, 0) if self.ids else None


def shape_of(ids: tuple[int, ...], rows: int | None) -> tuple[int, ...]:
    """The shape of IDs typed flat (T,), or as a batch of `rows` rows (B, T)."""
    if rows is None:
        return (len(ids),)
    return (rows, len(ids) // rows if rows else 0)


def check_range(parsed: ParsedIds, vocab_size: int, quote: Callable[[int], str | Message]) -> None:
    """Raise `IdRangeError` for the first ID with no row among `vocab_size`, with `quote(id)`: what torch
    itself raises when asked for it."""
    if not parsed.ids or (min(parsed.ids) >= 0 and max(parsed.ids) < vocab_size):
        return
    position, token_id = next((position, token_id) for position, token_id in enumerate(parsed.ids) if not 0 <= token_id < vocab_size)
    column = parsed.spans[position][0] + 1
    params = {"id": token_id, "position": position, "column": column, "last": vocab_size - 1, "torch_error": quote(token_id)}
    raise IdRangeError(Message("range.negative" if token_id < 0 else "range.too_big", params), column)


def whole_number(text: str) -> int:
    """A whole number written as the IDs are (ASCII digits, an optional sign); a ValueError otherwise."""
    text = text.strip()
    if not _INTEGER.fullmatch(text) or len(text) > _MAX_DIGITS:
        raise ValueError(f"'{text}' is not a whole number (digits 0-9)")
    return int(text)


def number(text: str) -> float:
    """A number written with ASCII digits (`0.1`, `1e-3`, `inf`); a ValueError otherwise."""
    if not text.strip().isascii():
        raise ValueError(f"'{text}' is not a number (digits 0-9)")
    return float(text)


def _fail(key: str, start: int, **params: object) -> IdParseError:
    return IdParseError(Message(key, {"column": start + 1, **params}), start + 1)


def parse_ids(text: str) -> ParsedIds:
    """Parse `text` into token IDs (negative or out-of-range IDs are the session's to judge)."""
    return _parse_plain(text) or _parse_tokens(text)


def _parse_plain(text: str) -> ParsedIds | None:
    """The common case fast (a pasted flood of 100 000 IDs): digits, spaces and commas, no empty item.

    Anything else, or anything wrong, is left to `_parse_tokens`, which knows every form and error.
    """
    if not _PLAIN.fullmatch(text) or _EMPTY_ITEM.search(text) or _TOO_LONG.search(text):
        return None
    return ParsedIds(tuple(map(int, _DIGITS.findall(text))), tuple(map(re.Match.span, _DIGITS.finditer(text))))


def _parse_tokens(text: str) -> ParsedIds:
    ids: list[int] = []
    spans: list[tuple[int, int]] = []
    open_brackets: list[tuple[str, int]] = []
    rows: list[tuple[int, int]] = []  # a batch's rows: (column of its '[', its length)
    closed_list = False  # a `]` closed the outer list: only `)` may follow
    expect_item = True  # at the start, or right after a comma
    previous = ""
    for match in _TOKEN.finditer(text):
        token, start = match.group(), match.start()
        depth = sum(kind == "[" for kind, _ in open_brackets)
        if token in _WRAPPERS and not ids and not open_brackets and not previous:
            previous = "wrapper"
            continue
        if token == "(":
            if previous != "wrapper":
                raise _fail("parse.unexpected", start, token=token)
            open_brackets.append(("(", start))
        elif token == "[":
            if closed_list or depth >= 2 or (depth == 0 and ids) or (depth == 1 and (not expect_item or ids and not rows)):
                raise _fail("parse.nested", start)
            open_brackets.append(("[", start))
            if depth == 1:
                rows.append((start, len(ids)))  # its length is known when it closes
        elif token in ")]":
            opener = "(" if token == ")" else "["
            if not open_brackets or open_brackets[-1][0] != opener:
                raise _fail("parse.unmatched", start, token=token, opener=opener)
            open_brackets.pop()
            if token == "]" and depth == 2:
                column, first = rows[-1]
                rows[-1] = (column, len(ids) - first)
            closed_list = closed_list or (token == "]" and depth == 1)
            expect_item = False
        elif token == ",":
            if expect_item:
                raise _fail("parse.empty_item" if ids else "parse.leading_comma", start, position=len(ids))
            expect_item = True
        else:
            if previous == "wrapper":
                raise _fail("parse.unexpected", start, token=token)
            if closed_list:
                raise _fail("parse.after_close", start, token=token)
            if depth == 1 and rows:  # an ID beside the rows of a batch
                raise _fail("parse.nested", start)
            ids.append(_integer(token, start, len(ids)))
            spans.append((start, match.end()))
            expect_item = False
        previous = token
    if previous == "wrapper":
        raise _fail("parse.expected_paren", len(text.rstrip()))
    if open_brackets:
        kind, start = open_brackets[-1]
        raise _fail("parse.unclosed", start, opener=kind)
    if not rows:
        return ParsedIds(tuple(ids), tuple(spans))
    length = rows[0][1]
    for row, (column, found) in enumerate(rows):
        if found != length:
            raise IdParseError(Message("parse.ragged", {"row": row, "length": found, "first": length, "column": column + 1}), column + 1)
    return ParsedIds(tuple(ids), tuple(spans), len(rows))


def _integer(token: str, start: int, position: int) -> int:
    if _INTEGER.fullmatch(token):
        if len(token) > _MAX_DIGITS:
            raise _fail("parse.too_long", start, position=position, digits=len(token))
        return int(token)
    key = "parse.not_integer" if _NUMBER.fullmatch(token) else "parse.not_a_number"
    raise _fail(key, start, token=token, position=position)


def append_id(text: str, token_id: int) -> str:
    """`text` with one more ID at the end, inside a closing `]` / `)` if the list is closed."""
    body = text.rstrip()
    closing = body[len(body.rstrip("])")) :]
    head = body[: len(body) - len(closing)].rstrip()
    separator = "" if not head or head.endswith((",", "[", "(")) else ", "
    return f"{head}{separator}{token_id}{closing}"
