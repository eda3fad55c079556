"""Which row of matrix B stands for which row of matrix A, before two matrices are compared row by row.

The same vocabulary (or none, at the same size): row i is row i. Two different vocabularies: rows meet by
their token's text, which names the tokens only in A, only in B (a vocabulary extended by two chat tokens:
those two) and those whose ID moved. Matrices of different sizes with no labels to go by cannot be aligned:
`AlignmentError` says so, as it says when no token is in both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tui.core.texts.messages import Message, MessageError

Tokens = Sequence[str | None]  # a vocabulary's tokens by ID (None: an ID it skips)


class AlignmentError(MessageError):
    """Two matrices whose rows cannot be matched, with a catalog message saying why."""


@dataclass(frozen=True, eq=False)
class Alignment:
    """Rows matched: `a_ids[i]` in A is `b_ids[i]` in B (A's order, ascending); the rows of each with no
    counterpart. `by` is "id" or "token"."""

    by: str
    a_ids: np.ndarray  # int64
    b_ids: np.ndarray  # int64
    only_a: tuple[int, ...]
    only_b: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.a_ids)

    @property
    def moved(self) -> np.ndarray:
        """The positions (in the alignment) of the rows whose ID is not the same in A and in B."""
        return np.flatnonzero(self.a_ids != self.b_ids)

    def position_of(self, a_id: int) -> int | None:
        """Where row `a_id` of A is in the alignment; None when it has no counterpart in B."""
        at = int(np.searchsorted(self.a_ids, a_id))
        return at if at < len(self.a_ids) and self.a_ids[at] == a_id else None


def align(rows_a: int, rows_b: int, tokens_a: Tokens | None, tokens_b: Tokens | None) -> Alignment:
    """The rows of a matrix of `rows_a` rows labelled by `tokens_a` (None: unlabelled) matched with those
    of `rows_b` rows labelled by `tokens_b`: by ID when the labels are the same or absent, else by token."""
    if tokens_a is not None and tokens_b is not None and not _same(tokens_a, tokens_b):
        return _by_token(rows_a, rows_b, tokens_a, tokens_b)
    if rows_a != rows_b and (tokens_a is None or tokens_b is None):
        raise AlignmentError(Message("diff.unlabelled_sizes", {"rows_a": rows_a, "rows_b": rows_b}))
    shared = min(rows_a, rows_b)  # the same labels on matrices padded to different sizes: the rows past the shorter one are its own
    ids = np.arange(shared, dtype=np.int64)
    return Alignment("id", ids, ids, tuple(range(shared, rows_a)), tuple(range(shared, rows_b)))


def _same(tokens_a: Tokens, tokens_b: Tokens) -> bool:
    return tokens_a is tokens_b or (len(tokens_a) == len(tokens_b) and all(a == b for a, b in zip(tokens_a, tokens_b, strict=True)))


def _by_token(rows_a: int, rows_b: int, tokens_a: Tokens, tokens_b: Tokens) -> Alignment:
    """Rows met by their token's exact text (the first row of a token written twice; a row past its
    vocabulary's end, or an ID it skips, has no text and no counterpart)."""
    in_b: dict[str, int] = {}
    for b_id in range(min(rows_b, len(tokens_b))):
        token = tokens_b[b_id]
        if token is not None:
            in_b.setdefault(token, b_id)
    pairs, only_a = [], []
    for a_id in range(rows_a):
        token = tokens_a[a_id] if a_id < len(tokens_a) else None
        b_id = in_b.pop(token, None) if token is not None else None
        if b_id is None:
            only_a.append(a_id)
        else:
            pairs.append((a_id, b_id))
    if not pairs:
        raise AlignmentError(Message("diff.nothing_aligned", {"rows_a": rows_a, "rows_b": rows_b}))
    matched = np.array(pairs, dtype=np.int64)
    unmatched_b = np.ones(rows_b, dtype=bool)
    unmatched_b[matched[:, 1]] = False
    return Alignment("token", matched[:, 0].copy(), matched[:, 1].copy(), tuple(only_a), tuple(np.flatnonzero(unmatched_b).tolist()))
