"""Vocabularies give each row its token, made visible; bad files give our error only."""

import json
import os
from pathlib import Path

import pytest

from tui.core.texts.shown import visible
from tui.core.tokens.vocab import VocabError, find_beside, load_vocab


def test_whitespace_and_control_characters_are_made_visible() -> None:
    assert visible(" hello\n") == "␣hello\\n"
    assert visible("\x1b[31mred\t") == "\\x1b[31mred\\t"
    assert visible("[bold]ñ日本") == "[bold]ñ日本"  # not markup: shown as it is, by the views


def test_vocab_txt_is_one_token_per_line(tmp_path: Path) -> None:
    (tmp_path / "vocab.txt").write_text("[PAD]\nhello\n \n", encoding="utf-8")
    vocab = load_vocab(tmp_path / "vocab.txt")
    assert len(vocab) == 3 and [vocab.label(i) for i in range(4)] == ["[PAD]", "hello", "␣", "∅"]


def test_minilm_tokenizer_json_and_vocab_txt_agree(minilm: Path) -> None:
    folder = minilm
    from_json, from_txt = load_vocab(folder / "tokenizer.json"), load_vocab(folder / "vocab.txt")
    assert len(from_json) == len(from_txt) == 30522
    assert [from_json.label(i) for i in (101, 7592, 1010, 102)] == ["[CLS]", "hello", ",", "[SEP]"]
    assert from_json.tokens == tuple(from_txt.tokens)
    assert find_beside(folder / "model.safetensors") == folder / "tokenizer.json"


def test_gpt2_encoder_json_is_byte_decoded(gpt2_files: Path) -> None:
    vocab = load_vocab(gpt2_files / "encoder.json")
    assert len(vocab) == 50257
    assert [vocab.label(i) for i in (15496, 11, 220, 198, 50256, 764)] == ["Hello", ",", "␣", "\\n", "<|endoftext|>", "␣."]
    assert vocab.label(447) == "\\xe2\\x80"  # half of a UTF-8 character: its bytes


def test_a_byte_level_tokenizer_json_is_byte_decoded(tmp_path: Path) -> None:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    tokenizer = Tokenizer(models.BPE({"Ġhi": 0, "h": 1, "i": 2, "Ġ": 3, "hi": 4, "Ġh": 5}, [("h", "i"), ("Ġ", "hi")]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel()
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.save(str(tmp_path / "tokenizer.json"))
    vocab = load_vocab(tmp_path / "tokenizer.json")
    assert [vocab.label(i) for i in range(5)] == ["␣hi", "h", "i", "␣", "hi"]


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("vocab.txt", b"ok\n\xff\xfe bad\n", "vocab.not_utf8"),
        ("tokenizer.json", json.dumps({"model": {"type": "NoSuchModel"}}).encode(), "vocab.unreadable"),
        ("tokenizer.json", b'{"model": {', "file.json_bad"),
        ("encoder.json", json.dumps({"hello": "zero"}).encode(), "vocab.unreadable"),
        ("encoder.json", b"[1, 2, 3]", "vocab.unreadable"),
        ("encoder.json", json.dumps({"a": 0, "b": 10**12}).encode(), "vocab.id_range"),  # 30 bytes, not a hang
        ("encoder.json", json.dumps({"a": 0, "b": -1}).encode(), "vocab.id_range"),
        ("encoder.json", b"{}", "vocab.empty"),
        ("vocab.txt", b"", "vocab.empty"),
    ],
)
def test_bad_vocabularies_give_our_error(tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(VocabError) as raised:
        load_vocab(tmp_path / name)
    assert raised.value.message.key == expected
    with pytest.raises(VocabError):
        load_vocab(tmp_path / "missing.txt")


def test_find_a_token_by_its_text(gpt2_files: Path, minilm: Path) -> None:
    gpt2 = load_vocab(gpt2_files / "encoder.json")
    assert gpt2.find("Hello") == 15496 and gpt2.find("␣the") == 262 and gpt2.find(" the") == 262
    assert gpt2.find("<|endoftext|>") == 50256 and gpt2.find("zzqqxxjj") is None
    bert = load_vocab(minilm / "vocab.txt")
    assert bert.find("Hello") == 7592  # the vocabulary is lower case


def test_a_tokenizer_json_with_an_id_beyond_its_tokens_says_so(tmp_path: Path) -> None:
    model = {"type": "WordLevel", "vocab": {"a": 0, "big": 4294967295}, "unk_token": "a"}  # tokenizers accepts any u32
    tokenizer = {"version": "1.0", "added_tokens": [], "normalizer": None, "pre_tokenizer": None, "model": model}
    (tmp_path / "tokenizer.json").write_text(json.dumps(tokenizer), encoding="utf-8")
    with pytest.raises(VocabError) as raised:
        load_vocab(tmp_path / "tokenizer.json")
    assert raised.value.message.english().endswith(
        "the token 'big' has ID 4294967295, but the vocabulary lists 2 tokens: their IDs run from 0 to 1."
    )


def test_a_folder_or_a_pipe_given_as_a_vocabulary_is_named_for_what_it_is(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "vocab.txt")
    for path, key in ((tmp_path, "file.folder"), (tmp_path / "vocab.txt", "file.special")):
        with pytest.raises(VocabError) as raised:
            load_vocab(path)
        assert raised.value.message.key == key
