"""The input line: what is typed (token IDs, or text in text mode), where the cursor is, and what it reads
as. The reading is derived: a function of the text, the mode, the tokenizer and the layer, kept while those
four stay the same (a new tokenizer reads the same text again, by itself)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from tui.core.texts.messages import MessageError
from tui.core.texts.shown import single_line
from tui.core.tokens.parse import IdError, ParsedIds, append_id, parse_ids

if TYPE_CHECKING:
    from tui.core.texts.messages import Message
    from tui.core.tokens.tokenizer import TextTokenizer, Tokens

MAX_INPUT = 1_000_000  # characters the input takes: 250,000 IDs and more, far past any lesson's needs


class RangeChecked(Protocol):
    """What judges the IDs read: the layer, which has a row for each (a session)."""

    def check_range(self, parsed: ParsedIds) -> None: ...


@dataclass(frozen=True)
class Reading:
    """What the input reads as: the tokens of the text (text mode), the IDs to look up, or what is wrong."""

    tokens: Tokens | None
    parsed: ParsedIds | None  # None while the IDs cannot be looked up
    problem: Message | None


class InputLine:
    """The text as typed and its cursor, in IDs or text mode; what the other mode held, kept for when the
    user comes back to it."""

    def __init__(self, text: str, text_mode: bool) -> None:
        self.text = single_line(text)
        self.cursor = len(self.text)
        self.text_mode = text_mode
        self._other = ""  # what the input held in the other mode
        self._read: tuple[str, bool, object, object, Reading] | None = None  # the key it was read with, and the reading

    def reading(self, tokenizer: TextTokenizer | None, layer: RangeChecked | None) -> Reading:
        """What the text reads as with this tokenizer (text mode) and this layer: kept while the four are
        the same objects."""
        kept = self._read
        if kept is None or kept[:2] != (self.text, self.text_mode) or kept[2] is not tokenizer or kept[3] is not layer:
            kept = self._read = (self.text, self.text_mode, tokenizer, layer, read(self.text, tokenizer if self.text_mode else None, layer))
        return kept[4]

    def edit(self, value: str, cursor: int) -> bool:
        """The line now holds `value` (pasted line breaks and control characters taken out) with the cursor at
        `cursor`; True when the text changed (not only the cursor)."""
        clean = single_line(value)
        changed = clean != self.text
        self.text, self.cursor = clean, min(cursor, len(clean))
        return changed

    def switch(self, ids_of_text: tuple[int, ...] | None) -> None:
        """To the other mode, with what it held before; back in IDs from text, the IDs the text gave
        (`ids_of_text`, when it gave any)."""
        held = self.text
        self.text = ", ".join(map(str, ids_of_text)) if self.text_mode and ids_of_text is not None else self._other
        self._other = held
        self.text_mode = not self.text_mode
        self.cursor = len(self.text)

    def appended(self, row: int) -> str:
        """The IDs with one more at the end (inside a closing `]` / `)` if the list is closed)."""
        return append_id(self.text, row)


def read(text: str, tokenizer: TextTokenizer | None, layer: RangeChecked | None) -> Reading:
    """The IDs of `text` (the tokenizer's, when there is one: text mode), checked against the layer's rows."""
    try:
        tokens = tokenizer.encode(text) if tokenizer is not None else None
    except MessageError as error:  # a tokenizer that fails on this text (a regex that backtracks too long)
        return Reading(None, None, error.message)
    try:
        parsed = tokens.parsed if tokens is not None else parse_ids(text)
        if layer is not None:
            layer.check_range(parsed)
    except IdError as error:
        return Reading(tokens, None, error.message)
    return Reading(tokens, parsed, None)
