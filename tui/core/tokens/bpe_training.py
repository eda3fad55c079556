"""A byte pair encoding tokenizer trained from a text, by the rules of the book's bonus notebook
(`ch02/05_bpe-from-scratch`), encoding as its `BPETokenizerSimple` encodes, and saved as it saves (`vocab.json`
and `bpe_merges.txt`), which `--tokenizer` opens again.

The notebook's rules, kept exactly:
* the text is prepared by the `Ġ` rule: each space becomes `Ġ`, except a space at the very start, which is
  dropped; newlines and every other character stay as they are;
* the first vocabulary is `chr(0)` … `chr(255)`, then the text's other characters in sorted order, then `Ġ`
  when the text had none, then the allowed special tokens (`<|endoftext|>`) in sorted order;
* each merge takes the most frequent adjacent pair of the whole prepared text (overlapping pairs counted, as
  `Counter(zip(ids, ids[1:]))` counts them); a tie goes to the pair that occurs first in the text; its
  occurrences are replaced left to right; a pair seen once is still merged; training stops at the vocabulary
  size asked for, or when the text has become one token;
* encoding cuts the text into lines and words (`str.split`), takes a word that is a token whole, and merges
  the others' characters in passes left to right, any learned pair met being merged (not in the order the
  merges were learned, as GPT-2's encoder does: `abc` after the merges bc, ab is ab + c here, a + bc there).

One addition (the notebook's story has no special token in it): an allowed special token written in the
training text stays whole there, a wall no merge crosses, so no merge spells it out again as a second ID.

The pair counts are kept in a table updated only around each merge's occurrences (never a recount of the
whole text), so a megabyte trains in seconds.
"""

from __future__ import annotations

import heapq
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from tui.core.files.paths import read_json, read_text
from tui.core.jobs import Cancelled
from tui.core.texts.messages import Message, MessageError
from tui.core.tokens.vocab import ENDOFTEXT

SPACE = "Ġ"  # GPT-2's sign for a space, as the notebook writes it
VOCAB, MERGES = "vocab.json", "bpe_merges.txt"  # the two files the notebook saves
BYTES = 256
WALL = -1  # where a special token stands in the text being trained on
TOLD_EVERY = 16  # merges between two progress reports and two looks at cancellation


class TrainingError(MessageError):
    """Training refused: the text or the vocabulary size asked for cannot make a tokenizer."""


@dataclass(frozen=True)
class Merge:
    """Merge k (from 1): the pair of IDs merged, how often it occurred when it was chosen, the new ID."""

    k: int
    pair: tuple[int, int]
    count: int
    token: int


def training_text(path: str | Path) -> str:
    """The text of a training file, read through the files' boundary; not UTF-8 is said with its byte."""
    try:
        return read_text(path)
    except UnicodeDecodeError as error:
        raise TrainingError(Message("bpe_train.not_utf8", {"path": str(path), "byte": error.start})) from None


def prepared(text: str) -> str:
    """The notebook's `Ġ` rule: every space but one at the very start becomes `Ġ` (that one is dropped)."""
    return text[1:].replace(" ", SPACE) if text.startswith(" ") else text.replace(" ", SPACE)


class _Pairs:
    """The text as a linked list of tokens, with each adjacent pair's occurrences (their left positions); a
    special token is a wall (-1) no pair crosses. A heap orders the pairs by (−count, first position); an entry whose pair has changed since is skipped."""

    def __init__(self, ids: list[int]) -> None:
        self.token = ids
        self.next = [*range(1, len(ids)), -1]
        self.prev = list(range(-1, len(ids) - 1))
        self.at: dict[tuple[int, int], set[int]] = {}
        self.firsts: dict[tuple[int, int], list[int]] = {}  # a lazy min-heap of each pair's positions
        for position in range(len(ids) - 1):
            if min(ids[position], ids[position + 1]) >= 0:
                self._add((ids[position], ids[position + 1]), position)
        self.heap = [(-len(places), self._first(pair), pair) for pair, places in self.at.items()]
        heapq.heapify(self.heap)

    def _add(self, pair: tuple[int, int], position: int) -> None:
        self.at.setdefault(pair, set()).add(position)
        heapq.heappush(self.firsts.setdefault(pair, []), position)

    def _first(self, pair: tuple[int, int]) -> int:
        places, first = self.at[pair], self.firsts[pair]
        while first[0] not in places:  # a position leaves a pair for good: its token or its neighbour changed
            heapq.heappop(first)
        return first[0]

    def most_frequent(self) -> tuple[tuple[int, int], int] | None:
        """The pair to merge next and its count (None: the text is one token)."""
        while self.heap:
            negative, first, pair = self.heap[0]
            places = self.at.get(pair)
            if places and len(places) == -negative and self._first(pair) == first:
                return pair, -negative
            heapq.heappop(self.heap)
        return None

    def merge(self, pair: tuple[int, int], new: int) -> None:
        """Each occurrence of `pair`, left to right, replaced by `new`; the pairs around it counted again."""
        left, right = pair
        token, nxt, prev = self.token, self.next, self.prev
        changed: set[tuple[int, int]] = set()

        def drop(other: tuple[int, int], position: int) -> None:
            self.at[other].discard(position)
            changed.add(other)

        for position in sorted(self.at[pair]):
            follower = nxt[position]
            if token[position] != left or follower < 0 or token[follower] != right or position not in self.at[pair]:
                continue  # taken by the occurrence just before (aaa: its second pair)
            before, after = prev[position], nxt[follower]
            before_pairs, after_pairs = before >= 0 and token[before] >= 0, after >= 0 and token[after] >= 0
            if before_pairs:
                drop((token[before], left), before)
            if after_pairs:
                drop((right, token[after]), follower)
            drop(pair, position)
            token[position] = new
            nxt[position], token[follower] = after, -1
            if after >= 0:
                prev[after] = position
            if before_pairs:
                self._add((token[before], new), before)
                changed.add((token[before], new))
            if after_pairs:
                self._add((new, token[after]), position)
                changed.add((new, token[after]))
        for other in changed:
            if self.at[other]:
                heapq.heappush(self.heap, (-len(self.at[other]), self._first(other), other))
            else:
                del self.at[other], self.firsts[other]


class BPETokenizer:
    """The notebook's `BPETokenizerSimple`, our own: `train(text, vocab_size, allowed_special)`, `encode`,
    `decode`, `save` and `load`."""

    def __init__(self) -> None:
        self.vocab: dict[int, str] = {}  # token ID → its text (Ġ for a space)
        self.inverse_vocab: dict[str, int] = {}
        self.bpe_merges: dict[tuple[int, int], int] = {}  # (ID, ID) → the merged ID, in the order learned
        self.merges: list[Merge] = []
        self.special: tuple[str, ...] = ()
        self.asked = 0  # the vocabulary size asked for (larger than the vocabulary when the text ran out)

    def train(
        self,
        text: str,
        vocab_size: int,
        allowed_special: Iterable[str] = (ENDOFTEXT,),
        progress: Callable[[float, Merge], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> None:
        """Learn merges from `text` until the vocabulary has `vocab_size` tokens or the text is one token;
        `progress` is told the fraction done and the merge, `cancelled` asked between merges."""
        if vocab_size < BYTES:
            raise TrainingError(Message("bpe_train.vocab_small", {"size": vocab_size, "least": BYTES}))
        special = sorted(set(allowed_special), key=len, reverse=True)
        parts = re.split("(" + "|".join(map(re.escape, special)) + ")", prepared(text)) if special else [prepared(text)]
        if not "".join(parts[::2]):
            raise TrainingError(Message("bpe_train.empty", {}))
        first = [chr(code) for code in range(BYTES)]
        first += sorted(set("".join(parts[::2])) - set(first))
        if SPACE not in first:
            first.append(SPACE)
        self.special = tuple(sorted(set(special) - set(first)))
        first += self.special
        self.vocab = dict(enumerate(first))
        self.inverse_vocab = {token: token_id for token_id, token in self.vocab.items()}
        self.bpe_merges, self.merges, self.asked = {}, [], vocab_size
        ids: list[int] = []
        for index, part in enumerate(parts):  # a special token in the text stays whole: a wall no merge crosses
            ids += [WALL] if index % 2 else [self.inverse_vocab[character] for character in part]
        pairs = _Pairs(ids)
        wanted = max(vocab_size - len(first), 1)
        for new in range(len(first), vocab_size):
            found = pairs.most_frequent()
            if found is None:
                break
            pair, count = found
            pairs.merge(pair, new)
            merge = Merge(len(self.merges) + 1, pair, count, new)
            self.merges.append(merge)
            self.bpe_merges[pair] = new
            self.vocab[new] = self.vocab[pair[0]] + self.vocab[pair[1]]
            self.inverse_vocab[self.vocab[new]] = new  # a text two merges made is the later ID, as the notebook has it
            if merge.k % TOLD_EVERY == 0 or new == vocab_size - 1:
                if cancelled is not None and cancelled():
                    raise Cancelled
                if progress is not None:
                    progress(merge.k / wanted, merge)

    @property
    def ran_out(self) -> bool:
        """Whether the text became one token before the vocabulary reached the size asked for."""
        return len(self.vocab) < self.asked

    def encode(self, text: str, allowed_special: Iterable[str] = ()) -> list[int]:
        """The IDs of `text` as the notebook's `encode` gives them: allowed special tokens whole (longest
        first), the rest line by line, a `\\n` token between lines, each line's words as `str.split` cuts them
        (runs of spaces are one), `Ġ` before every word but the text's first, each word by `_word`."""
        allowed = sorted(set(allowed_special), key=len, reverse=True)
        parts = re.split("(" + "|".join(map(re.escape, allowed)) + ")", text) if allowed else [text]
        ids: list[int] = []
        for index, part in enumerate(parts):
            if index % 2:
                if part not in self.inverse_vocab:
                    raise TrainingError(Message("bpe_train.unknown_special", {"token": part}))
                ids.append(self.inverse_vocab[part])
                continue
            for number, line in enumerate(part.split("\n")):
                if number:
                    ids.append(self.inverse_vocab["\n"])
                for place, word in enumerate(line.split()):
                    ids += self._word(word if number == place == 0 else SPACE + word)
        return ids

    def _word(self, word: str) -> list[int]:
        """One word's IDs: the word whole when it is a token, else its characters merged in passes left to
        right (a learned pair met is merged and the pass goes on after it) until a pass merges nothing."""
        if word in self.inverse_vocab:
            return [self.inverse_vocab[word]]
        unknown = [character for character in word if character not in self.inverse_vocab]
        if unknown:
            raise TrainingError(Message("bpe_train.unknown_character", {"character": unknown[0]}))
        ids = [self.inverse_vocab[character] for character in word]
        merged = True
        while merged and len(ids) > 1:
            merged, passed, at = False, [], 0
            while at < len(ids):
                pair = tuple(ids[at : at + 2])
                if pair in self.bpe_merges:
                    passed.append(self.bpe_merges[pair])
                    merged, at = True, at + 2
                else:
                    passed.append(ids[at])
                    at += 1
            ids = passed
        return ids

    def decode(self, ids: Iterable[int]) -> str:
        """The text of `ids` as the notebook decodes them: a token starting with `Ġ` is a space and the rest,
        a newline gets a space before it when the text so far does not end with one."""
        text = ""
        for token_id in ids:
            token = self.vocab[token_id]
            if token == "\n" and text and not text.endswith(" "):
                text += " "
            text += " " + token[1:] if token.startswith(SPACE) else token
        return text

    def save(self, folder: Path) -> Path:
        """The tokenizer as the notebook saves it, in `folder`: `vocab.json` ({ID: token}) and `bpe_merges.txt`
        (a JSON list of {"pair": [ID, ID], "new_id": ID}); the folder, which `load` (and `--tokenizer`) opens."""
        vocab = json.dumps(self.vocab, ensure_ascii=False, indent=2)
        merges = json.dumps([{"pair": list(pair), "new_id": new} for pair, new in self.bpe_merges.items()], ensure_ascii=False, indent=2)
        for name, text in ((VOCAB, vocab), (MERGES, merges)):
            path = folder / name
            try:
                folder.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            except OSError as error:
                raise TrainingError(Message("bpe_train.unsaved", {"path": str(path), "error": (error.strerror or str(error))[:200]})) from error
        return folder

    @classmethod
    def load(cls, path: str | Path) -> BPETokenizer:
        """A tokenizer `save` wrote: its folder, or the `bpe_merges.txt` in it (read through the files'
        boundary; a file of another shape is said, with its path)."""
        folder = Path(path).parent if Path(path).name == MERGES else Path(path)
        vocab, merges = read_json(folder / VOCAB), read_json(folder / MERGES)
        tokenizer = cls()
        try:
            tokenizer.vocab = {int(token_id): token for token_id, token in vocab.items() if isinstance(token, str)}
            tokenizer.bpe_merges = {(int(left), int(right)): int(merge["new_id"]) for merge in merges for left, right in [merge["pair"]]}
        except (AttributeError, TypeError, ValueError, KeyError) as error:
            raise TrainingError(Message("bpe_train.unreadable", {"path": str(folder), "error": f"{type(error).__name__}: {error}"[:200]})) from None
        known = set(tokenizer.vocab)
        if len(tokenizer.vocab) != len(vocab) or not known.issuperset(token for pair, new in tokenizer.bpe_merges.items() for token in (*pair, new)):
            raise TrainingError(Message("bpe_train.unreadable", {"path": str(folder), "error": "an ID the vocabulary lacks"}))
        tokenizer.inverse_vocab = {token: token_id for token_id, token in tokenizer.vocab.items()}  # the last ID of a text, as the notebook loads it
        tokenizer.special = tuple(token for token in tokenizer.vocab.values() if token.startswith("<|") and token.endswith("|>"))  # as the notebook tells them
        tokenizer.asked = len(tokenizer.vocab)
        return tokenizer
