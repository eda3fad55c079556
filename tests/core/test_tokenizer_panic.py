"""A tokenizer.json whose pre-tokenizer's regex backtracks without end: the `tokenizers` library panics
(`PanicException`, a BaseException) while encoding; the app and the CLI say so in one line."""

from pathlib import Path

import pytest
from tokenizers import Regex, Tokenizer, models, pre_tokenizers

from tui.core.explorer.input_line import read
from tui.core.tokens.tokenizer import TextTokenizer, hugging_face
from tui.core.tokens.vocab import VocabError

TEXT = "a" * 30 + "!"  # `(a|a?)+$` backtracks past Oniguruma's retry limit on it


def backtracking_tokenizer(path: Path) -> TextTokenizer:
    """A tokenizer.json that splits on `(a|a?)+$`, as a stranger's file may."""
    tokenizer = Tokenizer(models.WordLevel({"[UNK]": 0, "a": 1, "!": 2}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Split(Regex("(a|a?)+$"), behavior="isolated")
    tokenizer.save(str(path))
    return hugging_face(path)


def test_encoding_that_panics_is_our_error_and_the_input_says_it(tmp_path: Path) -> None:
    tokenizer = backtracking_tokenizer(tmp_path / "tokenizer.json")
    assert tokenizer.encode("a!").ids  # short texts are fine
    with pytest.raises(VocabError) as raised:
        tokenizer.encode(TEXT)
    assert raised.value.message.key == "tokenizer.failed" and "PanicException" in raised.value.message.english()
    reading = read(TEXT, tokenizer, None)
    assert reading.parsed is None and reading.problem.key == "tokenizer.failed"


def test_the_cli_says_it_in_one_line(tmp_path: Path, cli) -> None:
    backtracking_tokenizer(tmp_path / "tokenizer.json")
    done = cli("--vocab-size", "3", "--tokenizer", str(tmp_path / "tokenizer.json"), "lookup", "--text", TEXT)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "could not cut this text" in done.stderr
    (tmp_path / "text.txt").write_text(TEXT, encoding="utf-8")
    done = cli("windows", "--tokenizer", str(tmp_path / "tokenizer.json"), "--text-file", str(tmp_path / "text.txt"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "could not cut this text" in done.stderr
