"""Copy as code: the script, run in a fresh Python, prints exactly what the screen shows.

Every scenario's script runs in one fresh Python (each in a namespace of its own): a new Python spends
most of its time importing torch.
"""

import ast
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

from tui.core.chapter import one_hot
from tui.core.chapter.code import reproduce_script
from tui.core.chapter.history import Backward, Step
from tui.core.chapter.reports import Lookup
from tui.core.chapter.session import EmbeddingSession
from tui.core.chapter.spec import LayerOptions, LayerSpec
from tui.core.explorer.dialogs import TrainingChoice
from tui.core.explorer.explorer import Explorer, Setup
from tui.core.files.weights import open_weights
from tui.core.tokens.parse import parse_ids

Scenario = tuple[str, str]  # the copied script, and what the screen shows


def shown(session: EmbeddingSession, lookup: Lookup) -> str:
    """What the script prints: the weight as made and the result panel, as the book prints them; once
    trained, the result, then the weight and its gradient. With positions, the result is section 2.8's
    three tensors, each after its shape, and the positional layer follows the token layer."""
    result = lookup.text
    if lookup.steps is not None:
        steps = lookup.steps
        shapes = (steps.token_shape, steps.pos_shape, lookup.shape)
        texts = (steps.token_text, steps.pos_text, lookup.text)
        result = "\n".join(f"torch.Size({list(shape)})\n{text}" for shape, text in zip(shapes, texts, strict=True))
    if not session.history:
        return f"{session.weight_text()}\n{result}\n"
    lines = [result, session.weight_text(), repr(session.layer.weight.grad)]
    if session.positions is not None:
        lines += [repr(session.positions.layer.weight), repr(session.positions.layer.weight.grad)]
    return "\n".join(lines) + "\n"


def explored(setup: Setup, *actions: Callable[[Explorer], object]) -> Scenario:
    """The explorer's actions, run as the app runs them; its script and its screen."""
    explorer = Explorer(setup)
    explorer.settle(explorer.start())
    for action in actions:
        view = action(explorer)
        if view is not None:
            explorer.settle(view)
    return explorer.code_script(), shown(explorer.session, explorer.lookup)


def typing(text: str) -> Callable[[Explorer], object]:
    return lambda explorer: explorer.edit(text, len(text))


def in_the_explorer(minilm: Path) -> list[Scenario]:
    tea = "101, 7592, 1010, 2079, 2017, 2066, 5572, 1029, 102"
    return [
        explored(Setup.of(ids="2, 3, 5, 1")),
        explored(Setup.of()),  # no IDs: an empty lookup
        explored(Setup.of(ids="[[2, 3], [5, 1]]")),  # a batch: (2, 2, 3)
        explored(Setup.of(ids="[[2, 3], [5, 1]]", options=LayerOptions(max_norm=1.0)), lambda e: e.backward()),
        explored(Setup.of(ids="3, 3", freeze=True)),
        explored(Setup.of(vocab_size=50, dim=7, seed=7, dtype="bfloat16", ids="49, 0", no_grad=True)),
        explored(Setup.of(ids="2, 3, 5, 1", freeze=True), lambda e: e.toggle("no_grad")),
        explored(
            Setup.of(ids="2, 3, 5, 1, 3", options=LayerOptions(scale_grad_by_freq=True)),
            lambda e: e.backward(), lambda e: e.step(), lambda e: e.backward(), typing("2, 3, 5, 1, 4"),
        ),
        explored(
            Setup.of(weights=open_weights(minilm / "model.safetensors"), ids=tea),  # a real model's file, trained
            lambda e: e.toggle("freeze"), lambda e: e.backward(), lambda e: e.step(),
        ),
        explored(
            Setup.of(ids="2", options=LayerOptions(max_norm=1.0)),  # lookups that change the weight
            typing("1, 5"),
            lambda e: e.apply_training(TrainingChoice("sqmean", 2.0, LayerOptions(max_norm=1.0))),
            lambda e: e.backward(),
            lambda e: e.step(),
        ),
        # section 2.8: a positional layer beside the token layer
        explored(Setup.of(ids="[[2, 3], [5, 1]]", context_length=4)),
        explored(Setup.of(ids="1, 2", context_length=2, freeze=True, no_grad=True)),
        explored(
            Setup.of(ids="2, 3, 5", context_length=3, options=LayerOptions(max_norm=1.0)),
            lambda e: e.backward(), lambda e: e.step(), typing("[[1, 2], [3, 4]]"),
            lambda e: e.apply_training(TrainingChoice("sqmean", 0.5, LayerOptions(max_norm=1.0))),
            lambda e: e.backward(), lambda e: e.step(), lambda e: e.undo(),
        ),
        explored(
            Setup.of(ids="[[2, 3], [5, 1]]", context_length=2, options=LayerOptions(sparse=True)),
            lambda e: e.backward(), lambda e: e.step(), lambda e: e.zero_grad(), lambda e: e.backward(),
        ),
        explored(
            Setup.of(weights=open_weights(minilm / "model.safetensors"), ids=tea, context_length=12),
            lambda e: e.toggle("freeze"), lambda e: e.backward(), lambda e: e.step(), lambda e: e.toggle("freeze"),
        ),
    ]


TRAINED = [  # layer options, then what was done to the session
    ({}, [("backward", "2, 3, 5, 1, 3", "sum")]),
    ({}, [("backward", "2, 3, 5, 1, 3", "sqmean"), ("step", 0.1), ("backward", "0, 0", "sum"), ("step", 0.05)]),
    ({}, [("backward", "1", "sum"), ("step", 0.1), ("zero_grad",), ("backward", "4", "sqmean")]),
    ({}, [("backward", "1", "sum"), ("step", 0.1), ("backward", "2", "sum"), ("step", 0.3), ("undo",)]),
    ({"padding_idx": 3, "scale_grad_by_freq": True}, [("backward", "2, 3, 5, 1, 3", "sum"), ("step", 0.1)]),
    ({"sparse": True}, [("backward", "2, 3, 5, 1, 3", "sum"), ("backward", "3", "sum"), ("step", 1.0)]),
    ({"max_norm": 1.0}, [("lookup", "1"), ("lookup", "1, 5"), ("backward", "2, 3", "sqmean"), ("step", 2.0), ("lookup", "2, 3")]),
    ({}, [("backward", "2", "sum"), ("freeze",)]),
]


def trained(options: dict, actions: list[tuple]) -> Scenario:
    """The session's own training actions, in any order the app allows."""
    spec = LayerSpec(options=LayerOptions(**options))
    session = EmbeddingSession(spec)
    ids = parse_ids("2, 3, 5, 1")
    for name, *args in actions:
        if name == "lookup":
            ids = parse_ids(args[0])
            session.lookup(ids)
        elif name == "backward":
            session.backward(parse_ids(args[0]), args[1])
        elif name == "freeze":
            session.set_frozen(True)
        else:
            getattr(session, name)(*args)
    lookup = session.lookup(ids)
    return reproduce_script(spec, lookup.ids, session.frozen, session.no_grad, history=session.history), shown(session, lookup)


def weight_files(folder: Path) -> list[Scenario]:
    """The same matrix in every format, each file's layer under other toggles."""
    torch.manual_seed(7)
    weight = torch.randn(10, 4)
    save_file({"wte.weight": weight, "wpe.weight": torch.zeros(3, 4)}, folder / "m.safetensors")
    torch.save({"model": {"tok_emb.weight": weight}, "epoch": 3}, folder / "m.pt")
    np.save(folder / "m.npy", weight.numpy())
    np.savez(folder / "m.npz", embedding=weight.numpy())
    toggles = [(True, False), (False, False), (False, True), (True, True)]
    scenarios = []
    for name, (frozen, no_grad) in zip(("m.safetensors", "m.pt", "m.npy", "m.npz"), toggles, strict=True):
        weights = open_weights(folder / name)
        session = EmbeddingSession(LayerSpec.of_file(weights), weights, frozen=frozen, no_grad=no_grad)
        lookup = session.lookup(parse_ids("3, 1"))
        scenarios.append((reproduce_script(session.spec, lookup.ids, frozen, no_grad, weights.code), shown(session, lookup)))
    return scenarios


def test_every_copied_script_prints_what_the_screen_shows(run_scripts, minilm: Path, tmp_path: Path) -> None:
    scenarios = [*in_the_explorer(minilm), *(trained(*case) for case in TRAINED), *weight_files(tmp_path)]
    printed = run_scripts(*(script for script, _ in scenarios))
    for (script, screen), output in zip(scenarios, printed, strict=True):
        assert output == screen, script


def test_the_copied_one_hot_comparison_prints_what_its_panel_shows(run_scripts, minilm: Path) -> None:
    from tui.core.explorer.dialogs import Report

    setups = [
        (Setup.of(vocab_size=4, dim=5, ids="2, 3, 1"), ()),  # the bonus notebook's
        (Setup.of(ids="[[2, 3], [5, 1]]", options=LayerOptions(padding_idx=2)), ()),
        (Setup.of(ids="2, 3, 5", dtype="bfloat16", options=LayerOptions(max_norm=1.0)), ("backward", "step")),
        (Setup.of(weights=open_weights(minilm / "model.safetensors"), ids="101, 7592, 102"), ()),
    ]
    reports, expected = [], []
    for setup, actions in setups:
        explorer = Explorer(setup)
        explorer.settle(explorer.start())
        for action in actions:
            explorer.settle(getattr(explorer, action)())
        report = explorer.settle(explorer.one_hot(confirmed=True)).dialog
        steps = one_hot.compare(explorer.session, explorer.lookup.parsed, "sum")  # again: the same steps
        assert isinstance(report, Report) and report.text == one_hot.report(steps)
        reports.append(report)
        expected.append("".join(step.printed + "\n" for step in steps if step.printed is not None))
    printed = run_scripts(*(report.script for report in reports))
    for report, output, shown in zip(reports, printed, expected, strict=True):
        assert output == shown, report.script


def test_the_script_reads_like_the_book() -> None:
    script = reproduce_script(LayerSpec(), (2, 3, 5, 1), False, False)
    assert script.splitlines() == [  # section 2.7, line for line
        "import torch",
        "",
        "input_ids = torch.tensor([2, 3, 5, 1])",
        "vocab_size = 6",
        "output_dim = 3",
        "",
        "torch.manual_seed(123)",
        "embedding_layer = torch.nn.Embedding(vocab_size, output_dim)",
        "print(embedding_layer.weight)",
        "print(embedding_layer(input_ids))",
    ]


def test_the_script_writes_the_learning_rate_once_and_its_changes() -> None:
    history = [Backward((1,), "sum"), Step(0.1), Step(0.1), Step(0.05)]
    script = reproduce_script(LayerSpec(), (1,), False, False, history=history)
    assert script.count("optimizer = torch.optim.SGD(embedding_layer.parameters(), lr=0.1)") == 1
    assert script.count('optimizer.param_groups[0]["lr"] = 0.05') == 1
    assert script.count("optimizer.step()") == 3


def outside_the_top(script: str) -> list[str]:
    """The string literals of a script after its top (the imports, then the constants that name the files it
    reads, `NAME = '…'  # where it comes from`); each of those constants has its comment and is used below."""
    body, lines = ast.parse(script).body, script.splitlines()
    at, constants = 0, []
    while at < len(body):
        statement = body[at]
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant) and isinstance(statement.value.value, str):
            (target,) = statement.targets
            assert isinstance(target, ast.Name) and target.id.isupper(), lines[statement.lineno - 1]
            assert lines[statement.lineno - 1].partition("  # ")[2].strip(), f"no comment says where it comes from: {lines[statement.lineno - 1]}"
            constants.append(target.id)
        elif not isinstance(statement, (ast.Import, ast.ImportFrom)):
            break
        at += 1
    rest = [node for statement in body[at:] for node in ast.walk(statement)]
    used = {node.id for node in rest if isinstance(node, ast.Name)}
    assert set(constants) <= used, f"named and never used: {set(constants) - used}"
    return [node.value for node in rest if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_a_copied_script_names_the_files_it_reads_only_in_its_top_constants(tmp_path: Path, minilm: Path) -> None:
    """Copied to another machine, a script needs only its top lines changed: no path of this machine below."""
    from gguf import GGMLQuantizationType

    from tests.core.test_gguf import quantized_file
    from tui.core.chapter.windows import TextWindows, WindowSettings
    from tui.core.tokens.tokenizer import gpt2, hugging_face

    story = tmp_path / "story.txt"
    story.write_text("The cat sat on the mat, and the dog sat on the log. " * 9, encoding="utf-8")
    gguf, _ = quantized_file(tmp_path / "q.gguf", GGMLQuantizationType.Q8_0)
    minilm_file = Explorer(Setup.of(weights=open_weights(minilm / "model.safetensors"), ids="101, 7592, 102"))
    minilm_file.settle(minilm_file.start())
    quantized = Explorer(Setup.of(weights=open_weights(gguf), ids="0, 3"))
    quantized.settle(quantized.start())
    scripts = [
        *(script for script, _ in weight_files(tmp_path)),  # each format's reader
        minilm_file.code_script(),
        minilm_file.settle(minilm_file.one_hot(confirmed=True)).dialog.script,
        quantized.code_script(),
        *(TextWindows.cut(str(story), tokenizer, WindowSettings()).script(0) for tokenizer in (gpt2(), hugging_face(minilm / "tokenizer.json"))),
    ]
    here = (sys.prefix, str(tmp_path), str(minilm), str(Path.cwd()))
    for script in scripts:
        literals = outside_the_top(script)
        assert not [text for text in literals if Path(text).is_absolute() or any(folder in text for folder in here)], script
        assert "WEIGHTS = " in script or "TEXT = " in script, script
