"""The copy-as-code script, run in a fresh Python, prints exactly what the session shows."""

from tui.core.code import reproduce_script
from tui.core.parse import parse_ids
from tui.core.session import EmbeddingSession
from tui.core.spec import LayerSpec


CASES = [
    (LayerSpec(), "2, 3, 5, 1", False, False),
    (LayerSpec(), "", False, False),
    (LayerSpec(), "3, 3", True, False),
    (LayerSpec(vocab_size=50, dim=7, seed=7, dtype="bfloat16"), "49, 0", False, True),
]


def test_script_prints_the_result(run_scripts) -> None:
    scripts, shown = [], []
    for spec, text, frozen, no_grad in CASES:
        session = EmbeddingSession(spec, frozen=frozen, no_grad=no_grad)
        lookup = session.lookup(parse_ids(text))
        scripts.append(reproduce_script(spec, lookup.ids, frozen, no_grad))
        shown.append(lookup.text + "\n")
    assert run_scripts(*scripts) == shown
