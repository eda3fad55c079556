"""Vocabularies: which token each row of the matrix stands for, shown next to its ID.

`vocab.txt` (one token per line, the line number is the ID), a Hugging Face `tokenizer.json` (through the
`tokenizers` package) and GPT-2's `encoder.json` (token → ID). Byte-level BPE tokens (GPT-2's `Ġ` for a
space) are decoded to the text they stand for. Labels are made for a terminal: whitespace, control and
format characters become visible (`␣`, `\\n`, `\\x1b`, `\\u202e`), never raw.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, overload

import numpy as np

from tui.core.files.paths import FileProblem, checked, json_of, read_bytes, read_text
from tui.core.texts.messages import Message, MessageError
from tui.core.texts.shown import VISIBLE, visible

if TYPE_CHECKING:
    from tokenizers import Tokenizer

    from tui.core.tokens.vocab_search import VocabIndex

ENDOFTEXT = "<|endoftext|>"  # GPT-2's special token, which the book's tokenizers allow
FILES = ("tokenizer.json", "vocab.txt", "encoder.json", "vocab.json")  # looked for beside a weight file, in this order
PAST_END = "∅"  # the label of a row no token of the vocabulary uses: past its end


class VocabError(MessageError):
    """A vocabulary file that cannot be read, with a catalog message saying why."""


_SHOWN = re.compile(r"\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\U[0-9a-f]{8}|" + "|".join(re.escape(shown) for shown in VISIBLE.values()))
_HIDDEN = {shown: char for char, shown in VISIBLE.items()}


class Lines(Sequence):
    """A `vocab.txt`'s tokens (one a line, the line number is the ID), kept as the file's bytes and where each
    line ends: ten million tokens cost their file and 8 bytes each, not a Python string and three index
    entries each. A token is decoded when asked for, and found by searching the bytes."""

    def __init__(self, data: bytes) -> None:
        """`data`: the file's bytes, valid UTF-8."""
        self.data = data
        ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
        self.ends = ends if data.endswith(b"\n") else np.append(ends, len(data))

    def __len__(self) -> int:
        return len(self.ends)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[at] for at in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        index %= len(self)
        start = int(self.ends[index - 1]) + 1 if index else 0
        return self.data[start : int(self.ends[index])].decode("utf-8")

    def find(self, text: str) -> int | None:
        """As `Vocab.find`: exactly, as shown, with a leading space, ignoring case; the lowest ID first."""
        found = _line_of(self.data, text.encode("utf-8", "surrogatepass"), b"\n")
        if found is None:
            hidden = _SHOWN.sub(lambda match: _HIDDEN.get(match.group(), None) or chr(int(match.group()[2:], 16)), text)
            found = _line_of(self.data, hidden.encode("utf-8", "surrogatepass"), b"\n") if hidden != text else None
            found = found if found is not None and visible(self[found]) == text else None
        if found is None:
            found = _line_of(self.data, (" " + text).encode("utf-8", "surrogatepass"), b"\n")
        if found is None:  # the file decoded and folded for this one search: a few times its size, then let go
            found = _line_of(self.data.decode("utf-8").casefold(), text.casefold(), "\n")
        return found


def _line_of(lines: bytes | str, line: bytes | str, newline: bytes | str) -> int | None:
    """The number of the first line of `lines` that is `line`, whole; None when none is."""
    if newline in line:
        return None
    if lines.startswith(line + newline) or lines == line:
        return 0
    at = lines.find(newline + line + newline)
    if at < 0:
        at = len(lines) - len(line) - 1 if not lines.endswith(newline) and lines.endswith(newline + line) else -1
    return None if at < 0 else lines.count(newline, 0, at) + 1


@dataclass(frozen=True)
class Vocab:
    """Token text by ID, as the tokenizer means it (GPT-2's `Ġhello` is ` hello`)."""

    path: Path
    tokens: Sequence[str | None]  # None: an ID the vocabulary skips; a vocab.txt's `Lines`

    def __len__(self) -> int:
        return len(self.tokens)

    def find(self, text: str) -> int | None:
        """The ID of a token typed as text: exactly, as shown (`␣hello`), with GPT-2's leading space
        (`hello` finds ` hello` when there is no `hello`), or ignoring case; None when there is none."""
        if isinstance(self.tokens, Lines):
            return self.tokens.find(text)
        for index, key in ((self._exact, text), (self._shown, text), (self._exact, " " + text), (self._folded, text.casefold())):
            if key in index:
                return index[key]
        return None

    @cached_property
    def _exact(self) -> dict[str, int]:
        return self._index(lambda token: token)

    @cached_property
    def _shown(self) -> dict[str, int]:
        return self._index(visible)

    @cached_property
    def _folded(self) -> dict[str, int]:
        return self._index(str.casefold)

    def _index(self, key: Callable[[str], str]) -> dict[str, int]:
        index: dict[str, int] = {}
        for token_id, token in enumerate(self.tokens):
            if token is not None:
                index.setdefault(key(token), token_id)
        return index

    @property
    def search_ready(self) -> bool:
        """Whether the search index has been built (`search_index.built()`, a job's work)."""
        return "search_index" in self.__dict__ and self.search_index.ready

    @cached_property
    def search_index(self) -> VocabIndex:
        """The vocabulary made searchable as typed (`tui.core.tokens.vocab_search`), built once."""
        from tui.core.tokens.vocab_search import VocabIndex

        return VocabIndex(self.tokens)

    def label(self, token_id: int) -> str | None:
        """The token of `token_id`, made visible; `PAST_END` for a row past the vocabulary's end (a matrix
        padded to a round size: Qwen's 151,665 tokens in 152,064 rows); None for an ID it skips."""
        if token_id >= len(self.tokens):
            return PAST_END
        if 0 <= token_id and self.tokens[token_id] is not None:
            return visible(self.tokens[token_id])
        return None


def find_beside(weights: Path) -> Path | None:
    """A vocabulary file in the folder of a weight file, if there is one."""
    for name in FILES:
        if (weights.parent / name).is_file():
            return weights.parent / name
    return None


def load_vocab(path: str | Path) -> Vocab:
    """Read a vocabulary; any failure (including a panic in `tokenizers`) is a `VocabError`."""
    return read_vocab(path)[0]


def read_vocab(path: str | Path) -> tuple[Vocab, Tokenizer | None]:
    """The vocabulary, and the `tokenizers.Tokenizer` when the file is a tokenizer.json (read once, for both)."""
    path = Path(path)
    tokenizer = None
    try:
        checked(path)
        if path.name.endswith(".json"):
            text = read_text(path)
            data = json_of(text, path)
            if isinstance(data, dict) and isinstance(data.get("model"), dict):  # encoder.json has a "model" token
                by_id, tokenizer = _from_tokenizer_json(text, data)
            else:
                by_id = _from_encoder_json(path, data)
        elif path.suffix == ".gguf":
            by_id = _from_gguf(path)
        else:
            data = read_bytes(path)
            data.decode("utf-8")  # checked whole, then let go: the tokens stay bytes
            by_id = Lines(data) if data else []
    except UnicodeDecodeError as error:
        raise VocabError(Message("vocab.not_utf8", {"path": path, "position": error.start})) from error
    except VocabError:
        raise
    except FileProblem as error:
        raise VocabError(error.message) from None
    except BaseException as error:  # noqa: BLE001 - tokenizers panics with a BaseException
        if isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise VocabError(Message("vocab.unreadable", {"path": path, "error": f"{type(error).__name__}: {error}"[:200]})) from error
    if not by_id:
        raise VocabError(Message("vocab.empty", {"path": path}))
    if isinstance(by_id, Lines):
        return Vocab(path, by_id), tokenizer
    if isinstance(by_id, list):  # a GGUF's list: IDs in order
        return Vocab(path, tuple(by_id)), tokenizer
    outside = [token_id for token_id in by_id if not 0 <= token_id < len(by_id)]
    if outside:  # an ID of 10**12 would make a tuple of 10**12 rows
        token_id = min(outside, key=abs)
        params = {"path": path, "token": visible(by_id[token_id]), "id": token_id, "count": len(by_id), "last": len(by_id) - 1}
        raise VocabError(Message("vocab.id_range", params))
    return Vocab(path, tuple(by_id.get(token_id) for token_id in range(len(by_id)))), tokenizer


def _from_tokenizer_json(text: str, data: dict) -> tuple[dict[int, str], Tokenizer]:
    """The tokenizer made from the file's text as read (the file is not opened a second time)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_str(text)
    tokenizer.no_padding()
    tokenizer.no_truncation()
    vocab = {token_id: token for token, token_id in tokenizer.get_vocab(with_added_tokens=True).items()}
    if (data.get("decoder") or {}).get("type") == "ByteLevel":
        vocab = {token_id: _byte_decoded(token) for token_id, token in vocab.items()}
    return vocab, tokenizer


def _from_gguf(path: Path) -> list[str]:
    """A GGUF file's own token list (`tokenizer.ggml.tokens`): byte-level BPE tokens (`tokenizer.ggml.model`
    gpt2) decoded as GPT-2's are, SentencePiece's `▁` as the space it stands for."""
    from tui.core.files import gguf_files

    try:
        fields = gguf_files.reader(path).fields
    except (OSError, ValueError) as error:  # a malformed file: the reader says what is wrong
        raise VocabError(Message("gguf.unreadable", {"path": path, "error": f"{type(error).__name__}: {error}"[:200].rstrip(".")})) from error
    if "tokenizer.ggml.tokens" not in fields:
        raise VocabError(Message("vocab.gguf_no_tokens", {"path": path}))
    tokens = fields["tokenizer.ggml.tokens"]
    model = fields.get("tokenizer.ggml.model", "")
    if not isinstance(tokens, gguf_files.Texts):
        raise VocabError(Message("vocab.gguf_no_tokens", {"path": path}))
    if model == "gpt2":
        return [_byte_decoded(token) for token in tokens]
    return [token.replace("▁", " ") for token in tokens]


def _from_encoder_json(path: Path, data: object) -> dict[int, str]:
    if not isinstance(data, dict) or not all(isinstance(value, int) for value in data.values()):
        raise VocabError(Message("vocab.unreadable", {"path": path, "error": Message("vocab.not_encoder")}))
    return {token_id: _byte_decoded(token) for token, token_id in data.items()}


@cache
def _byte_table() -> dict[int, int | str]:
    """GPT-2's printable stand-ins for the 256 byte values (`Ġ` is the space), as a `str.translate` table to
    those bytes (as latin-1 characters); any other character below 256 maps to one that latin-1 cannot encode,
    so a token holding one (a special token) is kept as it is."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    table: dict[int, int | str] = {code: "\uffff" for code in range(256)}
    table.update({code: code for code in printable})
    others = (byte for byte in range(256) if byte not in printable)
    table.update({256 + extra: byte for extra, byte in enumerate(others)})
    return table


def _byte_decoded(token: str) -> str:
    """`Ġhello` → ` hello`; a token that is part of a UTF-8 sequence shows its bytes as `\\xNN`."""
    try:
        raw = token.translate(_byte_table()).encode("latin-1")
    except UnicodeEncodeError:
        return token  # a special token such as <|endoftext|> with a character no byte stands for
    return raw.decode("utf-8", errors="backslashreplace")
