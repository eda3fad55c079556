"""In Spanish, every subcommand speaks Spanish: no sentence of the English catalog in what it prints.

Each case runs `embedding-explorer --lang es …` in this process and looks for the English catalog's text
between parameters (a plural field's forms too) in its stdout and stderr, spaces collapsed (argparse wraps
the help). Left out: pieces the Spanish catalog has too (torch's words, code), short ones, and code, which
has no two plain words in a row (`input_embeddings = token_embeddings + pos_embeddings`).
"""

import re
import string
from pathlib import Path

import pytest

from tui.core.texts.messages import EN, ES

SHORTEST = 12  # characters of a piece worth looking for: shorter ones are words the languages share


def pieces(template: str) -> list[str]:
    """The literal text of a template, between its fields and inside a plural field's forms."""
    found = []
    for literal, _, spec, _ in string.Formatter().parse(template):
        found.append(literal)
        if spec and "|" in spec:
            found += [piece for form in spec.split("|") for piece in pieces(form)]
    return found


def collapsed(text: str) -> str:
    return " ".join(text.split())


def english(piece: str) -> bool:
    """A piece worth looking for: long enough, prose (two plain words in a row), and not Spanish too."""
    return len(piece) >= SHORTEST and re.search(r"\b[A-Za-z]+ [A-Za-z]+\b", piece) is not None and piece not in SPANISH


SPANISH = "\n".join(collapsed(template) for template in ES.values())
ENGLISH = sorted({piece for template in EN.values() for piece in map(collapsed, pieces(template)) if english(piece)})

CASES = [
    pytest.param(("lookup", "2", "3"), id="lookup"),
    pytest.param(("lookup", "--backward", "sum", "--step", "0.1", "2", "3"), id="backward-step"),
    pytest.param(("lookup", "--one-hot", "2", "3"), id="one-hot"),
    pytest.param(("windows", "--text-file", "{text}"), id="windows"),
    pytest.param(("lookup", "--text-file", "{text}", "--tokenizer", "gpt2", "--vocab-size", "50257"), id="lookup-windows"),
    pytest.param(("models", "{minilm}", "{tmp}"), id="models"),
    pytest.param(("models",), id="models-none"),
    pytest.param(("neighbours", "3"), id="neighbours"),
    pytest.param(("neighbours", "--k", "3", "3"), id="neighbours-k"),
    pytest.param(("diff", "{minilm}", "{minilm}", "--top", "2"), id="diff"),
    pytest.param(("diff", "{minilm}", "{minilm}/model.safetensors", "--by", "neighbours", "--top", "2", "--k", "3", "--procrustes"), id="diff-neighbours"),
    pytest.param(("diff", "{minilm}", "{minilm}", "--key-b", "lm_head.weight"), id="diff-tied-head"),
    pytest.param(("bpe", "--tokenizer", "gpt2", "--text", "Hello, world", "--steps"), id="bpe-steps"),
    pytest.param(("bpe", "--tokenizer", "{minilm}/tokenizer.json", "--text", "embeddings 🙂", "--steps"), id="bpe-wordpiece"),
    pytest.param(("bpe", "--text", "Hello"), id="bpe-no-tokenizer"),
    pytest.param(("--help",), id="help"),
    *(pytest.param((command, "--help"), id=f"{command}-help") for command in ("lookup", "windows", "models", "neighbours", "diff", "bpe")),
    pytest.param(("lookup", "9"), id="bad-id"),
    pytest.param(("lookup", "2.5"), id="not-an-id"),
    pytest.param(("--dim", "x", "lookup", "1"), id="bad-option"),
    pytest.param(("lookup", "--step", "0.1", "2"), id="step-without-backward"),
    pytest.param(("--key", "w", "lookup", "1"), id="key-without-weights"),
    pytest.param(("windows", "--text-file", "{tmp}/absent.txt"), id="no-text-file"),
]


@pytest.mark.parametrize("args", CASES)
def test_spanish_output_has_no_english_sentence(args: tuple[str, ...], cli, tmp_path: Path, minilm: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "text.txt").write_text("I HAD always thought Jack Gisburn rather a cheap genius--though a good fellow enough--so it was no great surprise to me.", encoding="utf-8")
    (tmp_path / "cache").mkdir()
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    places = {"text": str(tmp_path / "text.txt"), "minilm": str(minilm), "tmp": str(tmp_path)}
    done = cli("--lang", "es", *(arg.format(**places) for arg in args))
    printed = collapsed(done.stdout + "\n" + done.stderr)
    assert printed
    assert [piece for piece in ENGLISH if piece in printed] == []


def test_the_check_finds_english(cli) -> None:
    """What the test looks for is found in English output, and is not code both catalogs share."""
    assert len(ENGLISH) > 400 and not any("torch.tensor(ids)" in piece or "_embeddings =" in piece for piece in ENGLISH)
    printed = collapsed(cli("--lang", "en", "lookup", "9").stderr)
    assert [piece for piece in ENGLISH if piece in printed] == [") is out of range: valid IDs are 0..", ". torch says:"]
