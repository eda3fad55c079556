"""The copy-as-code script, run in a fresh Python, prints exactly what the session shows."""

import subprocess
import sys

import pytest

from tui.core.code import reproduce_script
from tui.core.parse import parse_ids
from tui.core.session import EmbeddingSession
from tui.core.spec import LayerSpec


def run(script: str) -> str:
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize(
    "spec, text, frozen, no_grad",
    [
        (LayerSpec(), "2, 3, 5, 1", False, False),
        (LayerSpec(), "", False, False),
        (LayerSpec(), "3, 3", True, False),
        (LayerSpec(vocab_size=50, dim=7, seed=7, dtype="bfloat16"), "49, 0", False, True),
    ],
)
def test_script_prints_the_result(spec: LayerSpec, text: str, frozen: bool, no_grad: bool) -> None:
    session = EmbeddingSession(spec)
    session.set_frozen(frozen)
    session.no_grad = no_grad
    lookup = session.lookup(parse_ids(text))
    script = reproduce_script(spec, lookup.ids, frozen, no_grad)
    assert run(script) == lookup.text + "\n"
