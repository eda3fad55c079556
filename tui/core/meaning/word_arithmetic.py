"""Vector arithmetic on token rows, as word2vec tools do it: `king - man + woman` is the sum of the signed
rows, whose nearest neighbours (the terms themselves excluded) answer the analogy.

An expression is words or token IDs joined by `+` and `-`, separated by spaces (`well-known` stays one
word; `-man` is minus man). A word is found by the caller's `find` (`Vocab.find`); one the vocabulary does
not have is refused, naming the tokens the tokenizer cuts it into when it is several.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from tui.core.meaning.chunks import RowReader
from tui.core.meaning.neighbours import NeighboursError
from tui.core.texts.messages import Message

if TYPE_CHECKING:
    from tui.core.tokens.tokenizer import TextTokenizer

SIGNS = {"+": 1, "-": -1, "−": -1}  # − as the result shows it
_ID = re.compile(r"[+\-−]?[0-9]+")  # a whole number typed alone is an ID, as parse_ids reads one (ASCII digits)


@dataclass(frozen=True)
class Term:
    """One word or ID of an expression, with its sign (+1 or -1)."""

    sign: int
    word: str


@dataclass(frozen=True)
class Resolved:
    """An expression's terms and the token ID each one stands for."""

    terms: tuple[Term, ...]
    ids: tuple[int, ...]

    def vector(self, read: RowReader) -> torch.Tensor:
        """The sum of the signed rows, in float32."""
        rows = [sign_row(read, term.sign, token_id) for term, token_id in zip(self.terms, self.ids, strict=True)]
        return torch.stack(rows).sum(dim=0)


def sign_row(read: RowReader, sign: int, token_id: int) -> torch.Tensor:
    return sign * read(token_id, token_id + 1)[0].float()


def parse_expression(text: str) -> tuple[Term, ...]:
    """`king - man + woman` → (+king, -man, +woman); a `NeighboursError` for anything else."""
    terms: list[Term] = []
    sign: int | None = None  # an operator waiting for its word
    for item in text.split():
        if item[0] in SIGNS:
            if sign is not None:
                raise NeighboursError(Message("neighbours.expr_operators", {"text": text}))
            sign, item = SIGNS[item[0]], item[1:]
            if not item:
                continue
        if sign is None and terms:
            raise NeighboursError(Message("neighbours.expr_no_operator", {"before": terms[-1].word, "after": item}))
        terms.append(Term(1 if sign is None else sign, item))
        sign = None
    if sign is not None:
        raise NeighboursError(Message("neighbours.expr_dangling", {"text": text}))
    if not terms:
        raise NeighboursError(Message("neighbours.expr_empty"))
    return tuple(terms)


def resolve_word(word: str, rows: int, find: Callable[[str], int | None] | None, tokenizer: TextTokenizer | None = None) -> int:
    """The token ID of `word`: a bare whole number is an ID (a negative one is refused, as lookup refuses it;
    compared by its length first, since int() refuses numbers of 4300 digits); a word is what `find` finds.
    A word it cannot find is refused: as several tokens (named) when the tokenizer cuts it so, else as
    unknown."""
    if _ID.fullmatch(word):
        sign, digits = ("-" if word[0] in "-−" else ""), word.lstrip("+-−").lstrip("0") or "0"
        if sign or len(digits) > len(str(rows)) or int(digits) >= rows:
            shown = digits if len(digits) <= 20 else f"{digits[:20]}…"
            raise NeighboursError(Message("neighbours.id_range", {"id": sign + shown, "last": rows - 1}))
        return int(digits)
    if find is None:
        raise NeighboursError(Message("neighbours.no_vocab", {"word": word}))
    token_id = find(word)
    if token_id is not None and token_id < rows:
        return token_id
    if tokenizer is not None:
        tokens = tokenizer.encode(word)
        pieces = [piece for piece, (start, stop) in zip(tokens.pieces, tokens.spans, strict=True) if stop > start]  # no [CLS], [SEP]
        if len(pieces) > 1:
            raise NeighboursError(Message("neighbours.several_tokens", {"word": word, "count": len(pieces), "tokens": " · ".join(pieces)}))
    raise NeighboursError(Message("neighbours.unknown", {"word": word}))


def resolve(
    terms: tuple[Term, ...], rows: int, find: Callable[[str], int | None] | None, tokenizer: TextTokenizer | None = None
) -> Resolved:
    """Each term's token ID (`resolve_word`)."""
    return Resolved(terms, tuple(resolve_word(term.word, rows, find, tokenizer) for term in terms))
