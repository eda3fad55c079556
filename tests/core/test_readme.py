"""Every command in README.md runs: each line of its code blocks that starts with `embedding-explorer` (or
`$ embedding-explorer`, or `python -m tui`) is run through the CLI's main, its placeholders replaced by files
the tests have, and exits 0. An example can never drift from the program again.

A line whose words name no such subcommand (`lookup`, `windows`, `neighbours`, `models`, `diff`, `bpe`) starts the
interactive app, which would wait for keys, or `serve`, which serves until Ctrl+C: those are only parsed, so an option
that is gone fails here (the app's screens have their own Pilot tests, the server its browser tests)."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import numpy as np
import pytest
import torch
from gguf import GGMLQuantizationType
from safetensors.torch import save_file

from tui.cli import build_parser

from .test_gguf import written

README = Path(__file__).parents[2] / "README.md"
SUBCOMMANDS = {"lookup", "windows", "neighbours", "models", "diff", "bpe"}
PROGRAMS = (("embedding-explorer",), ("python", "-m", "tui"))
SENTENCE = "I HAD always thought Jack Gisburn rather a cheap genius--though a good fellow enough--so it was no great surprise to me to hear that, in the height of his glory, he had dropped his painting. "


def readme_commands() -> list[list[str]]:
    """The README's commands, as argument lists without the program's name: every line of a fenced code block
    that starts with a program name (after an optional `$ ` prompt), its trailing `# comment` dropped."""
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)
    commands = []
    for line in (line.removeprefix("$ ") for block in blocks for line in block.splitlines()):
        words = shlex.split(line.replace("[FOLDER ...]", "FOLDER"), comments=True)
        program = next((program for program in PROGRAMS if tuple(words[: len(program)]) == program), None)
        if program is not None:
            commands.append(words[len(program) :])
    return commands


COMMANDS = readme_commands()
RUN = [words for words in COMMANDS if SUBCOMMANDS & set(words)]
INTERACTIVE = [words for words in COMMANDS if not SUBCOMMANDS & set(words)]
SYNOPSIS = ("[", "...")  # the usage lines' words: what may be given, not a command to parse
LAUNCHES = [words for words in INTERACTIVE if not any(word.startswith(SYNOPSIS) for word in words)]


def test_the_readme_has_commands_of_both_kinds() -> None:
    """The parsing finds them: every subcommand is shown at least once, and the app's launch lines are few."""
    assert {word for words in RUN for word in words} >= SUBCOMMANDS
    assert len(RUN) >= 12 and len(INTERACTIVE) <= 8, (len(RUN), INTERACTIVE)


@pytest.fixture(scope="module")
def minilm_q8_0(tmp_path_factory: pytest.TempPathFactory, minilm: Path) -> Path:
    """MiniLM's word embeddings as a Q8_0 GGUF file (no token list), written once for the README's `diff`."""
    from safetensors import safe_open

    with safe_open(minilm / "model.safetensors", "np") as file:
        weight = file.get_tensor("embeddings.word_embeddings.weight")
    return written(tmp_path_factory.mktemp("gguf") / "minilm-q8_0.gguf", weight, GGMLQuantizationType.Q8_0, tokens=None)


@pytest.fixture
def places(tmp_path: Path, minilm: Path, minilm_q8_0: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The README's placeholders, each a file the test has; the working folder is a fresh one with the
    relative files the README names (the-verdict.txt, ./Llama-3.2-1B) and `~` a fresh home with ~/models."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))  # the cache is empty: `models` lists what it is given
    (tmp_path / "the-verdict.txt").write_text(SENTENCE * 40, encoding="utf-8")
    llama = tmp_path / "Llama-3.2-1B"
    llama.mkdir()
    (llama / "config.json").write_text('{"architectures": ["LlamaForCausalLM"], "vocab_size": 128256, "tie_word_embeddings": true}')
    save_file({"model.embed_tokens.weight": torch.randn(128256, 2)}, llama / "model.safetensors")
    (tmp_path / "models").mkdir()
    written(tmp_path / "models" / "tiny.gguf", np.random.default_rng(0).standard_normal((6, 32)).astype(np.float32), GGMLQuantizationType.F32)
    return {
        "model.safetensors": str(minilm / "model.safetensors"),
        "path/to/all-MiniLM-L6-v2": str(minilm),
        "path/to/tokenizer.json": str(minilm / "tokenizer.json"),
        "…": str(minilm),
        "FOLDER": str(minilm),
        "~/models": os.path.expanduser("~/models"),
        "minilm-q8_0.gguf": str(minilm_q8_0),
    }


@pytest.mark.parametrize("words", LAUNCHES, ids=[" ".join(words) for words in LAUNCHES])
def test_each_readme_launch_line_parses(places: dict[str, str], words: list[str]) -> None:
    args = build_parser().parse_args([places.get(word, word) for word in words])  # a refusal exits (SystemExit)
    assert args.command in (None, "serve")


@pytest.mark.parametrize("words", RUN, ids=[" ".join(words) for words in RUN])
def test_each_readme_command_runs(cli, places: dict[str, str], words: list[str]) -> None:
    done = cli(*(places.get(word, word) for word in words))
    assert done.returncode == 0, done.stderr
    assert done.stdout
