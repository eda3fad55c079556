"""Why a word became its tokens: each word of a text, as the tokenizer pre-tokenizes it, from its first pieces
through every step to the tokens and IDs the real tokenizer gives. Byte-pair encoding merges the adjacent
pair of lowest rank (the leftmost of equals) until no pair is a merge, as tiktoken and `tokenizers` do;
WordPiece takes the longest vocabulary piece at the start of what is left (`##` after the first), as BERT's
tokenizer does. Values only: what a step says is rendered at the edge."""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from tui.core.texts.messages import Message
from tui.core.tokens.merges import bpe_ranks, byte_chars
from tui.core.tokens.tokenizer import ENDOFTEXT, GPT2_PATTERN, gpt2_data
from tui.core.tokens.vocab import VocabError, load_vocab, read_vocab

T = TypeVar("T")
Start = Literal["bytes", "characters", "word"]


@dataclass(frozen=True)
class Step:
    """One step. BPE: the pair `parts` merged, `rank` its place in the merges (0 the first learned).
    WordPiece: `parts` the one piece taken, `rank` None. `pieces`: the word's pieces after the step."""

    parts: tuple[str, ...]
    rank: int | None
    pieces: tuple[str, ...]


@dataclass(frozen=True)
class WordSteps:
    """A word as the tokenizer sees it (byte-level: `Ġ` for the space), its pieces before the first step,
    the steps, and its final tokens with their IDs (a word WordPiece cannot cut is one unknown token)."""

    word: str
    start: tuple[str, ...]
    steps: tuple[Step, ...]
    tokens: tuple[str, ...]
    ids: tuple[int, ...]


@dataclass(frozen=True)
class Stepper:
    """A tokenizer seen step by step: how it cuts a text into words, and the steps of one word (memoised:
    a word met again, or at the next key, costs a lookup)."""

    name: str
    start: Start  # what a word's first pieces are: its bytes, its characters, or the word whole (WordPiece)
    words: Callable[[str], tuple[str, ...]]
    word_steps: Callable[[str], WordSteps]

    def text_steps(self, text: str) -> tuple[WordSteps, ...]:
        """Every word of `text`, in order, with its steps."""
        return tuple(self.word_steps(word) for word in self.words(text))

    def word_at(self, text: str, cursor: int) -> tuple[int, WordSteps] | None:
        """The word `cursor` is in (or just after) in `text`, numbered from 1, with its steps: only that
        word's steps are made. None: the text has no words."""
        words = self.words(text)
        if not words:
            return None
        lowered, at, chosen = text.lower(), 0, 0
        for number, word in enumerate(words):
            start = text.find(word, at)
            if start < 0:  # a normalizer lowercased it (WordPiece)
                start = lowered.find(word.lower(), at)
            if start < 0:
                continue
            chosen, at = number, start + len(word)
            if at >= cursor:
                break
        return chosen + 1, self.word_steps(words[chosen])


def _bpe_steps(word: str, start: Sequence[T], rank_of: Callable[[T, T], int | None], join: Callable[[T, T], T], shown: Callable[[T], str], id_of: Callable[[T], int]) -> WordSteps:
    """A word's BPE steps from its first pieces (bytes or strings): each time the adjacent pair of lowest
    rank (the leftmost of equals) is joined, until no pair is a merge; each piece shown by `shown`."""
    first = tuple(shown(piece) for piece in start)
    pieces, said = list(start), list(first)
    ranks = [rank_of(left, right) for left, right in zip(pieces, pieces[1:])]  # of each adjacent pair, kept up to date
    steps = []
    while (best := min(((rank, at) for at, rank in enumerate(ranks) if rank is not None), default=None)) is not None:
        rank, at = best
        pair = (said[at], said[at + 1])
        pieces[at : at + 2] = [join(pieces[at], pieces[at + 1])]
        said[at : at + 2] = [shown(pieces[at])]
        del ranks[at]
        if at:
            ranks[at - 1] = rank_of(pieces[at - 1], pieces[at])
        if at < len(ranks):
            ranks[at] = rank_of(pieces[at], pieces[at + 1])
        steps.append(Step(pair, rank, tuple(said)))
    return WordSteps(word, first, tuple(steps), tuple(said), tuple(id_of(piece) for piece in pieces))


def _specials_split(text: str, specials: Sequence[str], words: Callable[[str], list[str]]) -> tuple[str, ...]:
    """`text`'s words, a special token (`<|endoftext|>`) one word of its own, as the tokenizer allows it."""
    if not specials:
        return tuple(words(text))
    import regex

    parts = regex.split("(" + "|".join(regex.escape(special) for special in specials) + ")", text)
    return tuple(word for at, part in enumerate(parts) for word in ((part,) if at % 2 else words(part)))


@functools.cache
def gpt2_steps() -> Stepper:
    """GPT-2's BPE (the book's), step by step, from the same files as `tokenizer.gpt2()`."""
    data = gpt2_data()
    return byte_level_steps("gpt2", data / "encoder.json", data / "vocab.bpe")


def byte_level_steps(name: str, vocab: Path, merges: Path) -> Stepper:
    """GPT-2's kind of BPE from its token → ID file and its merges, as tiktoken encodes: the text cut by
    GPT-2's pattern, each word from its UTF-8 bytes merged by the ranks of the tokens the pairs make."""
    import regex

    ranks = bpe_ranks(vocab, merges)  # a token's bytes → its rank, which is its ID (checked there): the 256 bytes, then one per merge
    pattern = regex.compile(GPT2_PATTERN)
    alphabet = str.maketrans(dict(enumerate(byte_chars())))  # a byte, read as Latin-1, → its stand-in
    tokens = load_vocab(vocab).tokens
    specials = (ENDOFTEXT,) if ENDOFTEXT in tokens else ()

    def shown(piece: bytes) -> str:
        return piece.decode("latin-1").translate(alphabet)

    def rank_of(left: bytes, right: bytes) -> int | None:
        rank = ranks.get(left + right)
        return None if rank is None else rank - 256

    @functools.lru_cache(maxsize=4096)
    def word_steps(word: str) -> WordSteps:
        if word in specials:
            return WordSteps(word, (word,), (), (word,), (tokens.index(word),))
        raw = word.encode("utf-8")
        return _bpe_steps(shown(raw), [bytes([byte]) for byte in raw], rank_of, operator.add, shown, ranks.__getitem__)

    def words(text: str) -> tuple[str, ...]:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: tiktoken encodes U+FFFD for it
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return _specials_split(text, specials, pattern.findall)

    return Stepper(name, "bytes", words, word_steps)


def tokenizer_json_steps(path: Path) -> Stepper:
    """A `tokenizer.json` with a BPE or WordPiece model, step by step; its words as the library itself
    normalizes and pre-tokenizes them."""
    _, tokenizer = read_vocab(path)  # a malformed file fails here, as a VocabError
    if tokenizer is None:
        raise VocabError(Message("vocab.unreadable", {"path": path, "error": "not a Hugging Face tokenizer.json"}))
    model = json.loads(tokenizer.to_str())["model"]
    vocab: dict[str, int] = model.get("vocab") or {}
    normalizer, pre_tokenizer = tokenizer.normalizer, tokenizer.pre_tokenizer
    specials = {token.content: token_id for token_id, token in tokenizer.get_added_tokens_decoder().items() if token.special}  # kept whole, as the library keeps them

    def pre_tokenized(text: str) -> list[str]:
        try:
            normalized = normalizer.normalize_str(text) if normalizer is not None else text
            return [word for word, _ in pre_tokenizer.pre_tokenize_str(normalized)] if pre_tokenizer is not None else [normalized] if normalized else []
        except BaseException as error:  # noqa: BLE001 - a regex that backtracks too long panics (PanicException)
            if isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit)):
                raise
            raise VocabError(Message("tokenizer.failed", {"path": path, "error": f"{type(error).__name__}: {str(error).strip()[:200]}"})) from error

    if model.get("type") == "BPE":
        word_steps = _json_bpe(model, vocab)
    elif model.get("type") == "WordPiece":
        word_steps = _json_wordpiece(model, vocab)
    else:
        raise VocabError(Message("steps.unsupported", {"path": path, "model": str(model.get("type"))}))

    @functools.lru_cache(maxsize=4096)
    def cached(word: str) -> WordSteps:
        if word in specials:
            return WordSteps(word, (word,), (), (word,), (specials[word],))
        return word_steps(word)

    return Stepper(path.name, "word" if model["type"] == "WordPiece" else "characters", lambda text: _specials_split(text, tuple(specials), pre_tokenized), cached)


def _json_bpe(model: dict[str, Any], vocab: dict[str, int]) -> Callable[[str], WordSteps]:
    """A tokenizer.json's BPE model: pair → rank from its merges (`"a b"` or `["a", "b"]`), the first pieces
    its characters (with the model's prefix and suffix; an unknown one as its bytes or the unknown token)."""
    pairs = {tuple(merge.split(" ", 1)) if isinstance(merge, str) else tuple(merge): rank for rank, merge in enumerate(model.get("merges") or [])}
    prefix, suffix = model.get("continuing_subword_prefix") or "", model.get("end_of_word_suffix") or ""
    unknown, fallback, whole, fuse = model.get("unk_token"), model.get("byte_fallback"), model.get("ignore_merges"), model.get("fuse_unk")

    def join(left: str, right: str) -> str:
        return left + right.removeprefix(prefix)

    def word_steps(word: str) -> WordSteps:
        if whole and word in vocab:
            return WordSteps(word, (word,), (), (word,), (vocab[word],))
        start: list[str] = []
        for at, char in enumerate(word):
            piece = (prefix if at else "") + char + (suffix if at == len(word) - 1 else "")
            if piece in vocab:
                start.append(piece)
            elif fallback and all(f"<0x{byte:02X}>" in vocab for byte in char.encode("utf-8")):
                start.extend(f"<0x{byte:02X}>" for byte in char.encode("utf-8"))
            elif unknown in vocab and not (fuse and start and start[-1] == unknown):
                start.append(unknown)
        return _bpe_steps(word, start, lambda left, right: pairs.get((left, right)), join, str, vocab.__getitem__)

    return word_steps


def _json_wordpiece(model: dict[str, Any], vocab: dict[str, int]) -> Callable[[str], WordSteps]:
    """A tokenizer.json's WordPiece model: longest match first, `##` before a piece inside the word; a word
    with a part no piece matches (or longer than the model allows) is the unknown token."""
    prefix, unknown = model.get("continuing_subword_prefix", "##"), model.get("unk_token", "[UNK]")
    longest = model.get("max_input_chars_per_word", 100)

    def word_steps(word: str) -> WordSteps:
        taken: list[str] = []
        steps = []
        at = 0
        while at < len(word) and len(word) <= longest:
            lead = prefix if at else ""
            end = next((end for end in range(len(word), at, -1) if lead + word[at:end] in vocab), None)
            if end is None:
                break
            taken.append(lead + word[at:end])
            at = end
            steps.append(Step((taken[-1],), None, (*taken, *((prefix + word[at:],) if at < len(word) else ()))))
        tokens = tuple(taken) if at == len(word) and len(word) <= longest else (unknown,)
        return WordSteps(word, (word,), tuple(steps), tokens, tuple(vocab[token] for token in tokens))

    return word_steps


def steps_for(tokenizer: str) -> Stepper:
    """`gpt2`, a `tokenizer.json`, or a `vocab.json` / `encoder.json` with its merges (`merges.txt`,
    `vocab.bpe`) beside it: as `--tokenizer` names them."""
    if tokenizer == "gpt2":
        return gpt2_steps()
    path = Path(tokenizer)
    merges = next((path.with_name(name) for name in ("merges.txt", "vocab.bpe") if path.with_name(name).is_file()), None)
    if path.name in ("vocab.json", "encoder.json") and merges is not None:
        return byte_level_steps(path.parent.name, path, merges)
    return tokenizer_json_steps(path)
