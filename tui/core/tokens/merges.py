"""Byte-level BPE merge ranks from a data-gym pair of files (`vocab.bpe` or `merges.txt`, and `encoder.json` or
`vocab.json`), made as tiktoken's `data_gym_to_mergeable_bpe_ranks` makes them, so a copied script that calls
it gets the same tokenizer; what is wrong in the files is said with the file and the line."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from tui.core.files.paths import FileProblem, read_json, read_text
from tui.core.texts.messages import Message
from tui.core.texts.shown import visible
from tui.core.tokens.vocab import VocabError

SPECIAL = ("<|endoftext|>", "<|startoftext|>")  # in the vocabulary, made by no merge


@cache
def _stand_ins() -> tuple[dict[str, int], tuple[int, ...]]:
    """GPT-2's printable stand-in for each byte (a character → its byte), and the bytes in rank order."""
    ranked = [byte for byte in range(256) if chr(byte).isprintable() and chr(byte) != " "]
    stand_ins = {chr(byte): byte for byte in ranked}
    others = [byte for byte in range(256) if chr(byte) not in stand_ins]
    stand_ins.update({chr(256 + extra): byte for extra, byte in enumerate(others)})
    return stand_ins, (*ranked, *others)


@cache
def byte_chars() -> tuple[str, ...]:
    """Each byte's printable stand-in, as GPT-2 shows it (`Ġ` for the space): the 256 characters by byte."""
    shown = {byte: char for char, byte in _stand_ins()[0].items()}
    return tuple(shown[byte] for byte in range(256))


def bpe_ranks(vocab: Path, merges: Path) -> dict[bytes, int]:
    """Each token's bytes → its rank: the 256 bytes, then one token per line of `merges` (its first line is
    the version, its last the newline's); checked against `vocab`'s IDs, which must be the same ranks."""
    stand_ins, order = _stand_ins()
    ranks = {bytes([byte]): rank for rank, byte in enumerate(order)}
    made_at: dict[bytes, int] = {}  # the line of merges that made a token
    try:
        lines = read_text(merges).split("\n")
        encoder = read_json(vocab)
    except FileProblem as error:
        raise VocabError(error.message) from None
    except UnicodeDecodeError as error:
        raise VocabError(Message("vocab.not_utf8", {"path": merges, "position": error.start})) from None

    def raw(token: str) -> bytes | Message:
        bad = next((character for character in token if character not in stand_ins), None)
        if bad is not None:
            return Message("bpe.not_byte", {"character": visible(bad)})
        return bytes(stand_ins[character] for character in token)

    rank = len(ranks)
    for line, text in enumerate(lines[1:-1], 2):
        pair = [raw(token) for token in text.split()]
        wrong = Message("bpe.not_pair", {"text": visible(text[:60])}) if len(pair) != 2 else next((part for part in pair if isinstance(part, Message)), None)
        if wrong is not None:
            raise VocabError(Message("file.line", {"path": str(merges), "line": line, "error": wrong}))
        token = pair[0] + pair[1]
        ranks[token], made_at[token], rank = rank, line, rank + 1
    if not isinstance(encoder, dict) or not all(isinstance(token_id, int) for token_id in encoder.values()):
        raise VocabError(Message("vocab.unreadable", {"path": vocab, "error": Message("vocab.not_encoder")}))
    ids: dict[bytes, int] = {}
    for token, token_id in encoder.items():
        if token not in SPECIAL:
            decoded = raw(token)
            if isinstance(decoded, Message):
                raise VocabError(Message("bpe.unmatched", {"merges": str(merges), "vocab": str(vocab), "detail": decoded}))
            ids[decoded] = token_id
    if ids != ranks:
        raise VocabError(_mismatch(vocab, merges, ranks, ids, made_at))
    return ranks


def _mismatch(vocab: Path, merges: Path, ranks: dict[bytes, int], ids: dict[bytes, int], made_at: dict[bytes, int]) -> Message:
    """The first token on which the merges and the vocabulary disagree, with the line that made it."""
    for token, rank in ranks.items():
        if ids.get(token) != rank:
            detail = Message("bpe.rank", {"token": _shown(token), "rank": rank, "vocab": vocab.name, "id": ids.get(token, "-")})
            if token in made_at:
                return Message("file.line", {"path": str(merges), "line": made_at[token], "error": detail})
            return Message("bpe.unmatched", {"merges": str(merges), "vocab": str(vocab), "detail": detail})
    token = next(token for token in ids if token not in ranks)
    detail = Message("bpe.no_merge", {"token": _shown(token), "id": ids[token], "vocab": vocab.name})
    return Message("bpe.unmatched", {"merges": str(merges), "vocab": str(vocab), "detail": detail})


def _shown(token: bytes) -> str:
    return visible(token.decode("utf-8", errors="backslashreplace"))
