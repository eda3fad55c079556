"""Two matrices compared in the explorer, without a screen: the layer as it was created (A) against the layer on
screen (B), or against a file opened as a second source; the diff kept while neither layer changes; the ranked
rows exported; the copied script computing what the panel shows."""

from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from tui.core.explorer.dialogs import Act, Choice, DiffPane, GoTo, Pick, Question, Report, Topic
from tui.core.explorer.explorer import Explorer, Setup
from tui.core.explorer.panels import DiffOpen
from tui.core.explorer.view import View
from tui.core.files.weights import open_weights


def ready(**settings: object) -> Explorer:
    explorer = Explorer(Setup.of(**{"lang": "en", **settings}))
    explorer.settle(explorer.start())
    return explorer


def diffed(explorer: Explorer, choice: Choice = Choice.FIRST) -> View:
    """The compare key answered with `choice`, its pass run here."""
    view = explorer.compare()
    assert isinstance(view.dialog, Question) and view.dialog.topic is Topic.COMPARE
    return explorer.settle(explorer.answer(view.dialog, choice))


def trained(explorer: Explorer, steps: int) -> None:
    for _ in range(steps):
        explorer.settle(explorer.backward())
        explorer.settle(explorer.step())
        explorer.settle(explorer.zero_grad())


def test_a_training_run_against_its_start_changes_exactly_the_rows_the_steps_changed() -> None:
    explorer = ready(vocab_size=12, dim=4, seed=7, ids="3, 5, 5, 9")
    explorer.edit("3, 5, 5, 9", 10)
    trained(explorer, 2)
    view = diffed(explorer)
    panel = explorer.panel
    assert isinstance(panel, DiffOpen) and isinstance(view.panel, DiffPane)
    comparison = panel.diff.comparison
    torch.manual_seed(7)
    first = torch.nn.Embedding(12, 4).weight.detach()  # the layer as created, made again in plain torch
    now = explorer.session.layer.weight.detach()
    delta = torch.linalg.vector_norm(first - now, dim=1)
    assert sorted(comparison.changed().tolist()) == [3, 5, 9] == torch.nonzero(delta).flatten().tolist()
    assert torch.allclose(comparison.delta, delta, atol=1e-7, rtol=1e-6)
    assert comparison.equal.tolist() == [i not in (3, 5, 9) for i in range(12)]
    assert view.panel.text.startswith("12 rows aligned by ID: 9 equal, 3 changed")
    assert view.panel.ids[:3] == tuple(int(i) for i in torch.argsort(delta, descending=True, stable=True)[:3])


def test_against_its_start_the_layer_as_created_is_a_and_b_minus_a_is_what_training_did() -> None:
    explorer = ready(vocab_size=12, dim=4, seed=7, ids="3, 5")
    explorer.edit("3, 5", 4)
    torch.manual_seed(7)
    first = torch.nn.Embedding(12, 4).weight.detach().clone()
    trained(explorer, 1)
    view = diffed(explorer)
    assert view.panel.title == "Diff: A (the layer as it was created or opened) against B (the layer on screen)"
    view = explorer.answer(view.panel, GoTo(3))
    now = explorer.session.layer.weight.detach()
    report = view.dialog.text
    assert report.index("a = A[3]\n" + repr(first[3])) < report.index("b = B[3]\n" + repr(now[3]))
    assert "b - a\n" + repr(now[3] - first[3]) in report  # the step's own change, with its sign


def test_the_diff_is_kept_until_a_step_changes_the_layer() -> None:
    explorer = ready(vocab_size=12, dim=4, seed=7, ids="3, 5")
    explorer.edit("3, 5", 4)
    trained(explorer, 1)
    diffed(explorer)
    kept = explorer.panel.diff
    explorer.answer(explorer.view().panel, None)
    diffed(explorer, Choice.AGAIN)
    assert explorer.panel.diff is kept  # neither layer changed: not computed again
    explorer.answer(explorer.view().panel, None)
    trained(explorer, 1)
    diffed(explorer, Choice.AGAIN)
    again = explorer.panel.diff
    assert again is not kept and float(again.comparison.delta[3]) > float(kept.comparison.delta[3])


def test_a_file_opened_as_b_and_enter_shows_both_rows(tmp_path: Path) -> None:
    torch.manual_seed(5)
    weight = torch.randn(8, 4)
    save_file({"wte.weight": weight}, tmp_path / "a.safetensors")
    changed = weight.clone()
    changed[6] *= 3
    save_file({"wte.weight": changed}, tmp_path / "b.safetensors")
    save_file({"wte.weight": torch.cat((weight, torch.randn(2, 4)))}, tmp_path / "longer.safetensors")
    explorer = ready(weights=open_weights(tmp_path / "a.safetensors"), ids="1")
    view = diffed(explorer, Choice.OTHER)
    view = explorer.settle(explorer.answer(view.panel, str(tmp_path / "longer.safetensors")))
    assert view.panel.said.error and view.panel.said.text.startswith("Matrices of 8 rows and 10 rows without a vocabulary")  # said in the panel
    view = explorer.settle(explorer.compare_with(str(tmp_path / "b.safetensors")))
    assert explorer.sources.other is not None and "b.safetensors" in view.panel.title
    assert view.panel.text.startswith("8 rows aligned by ID: 7 equal, 1 changed · 0 added (only in B) · 0 removed")
    assert view.panel.ids[0] == 6
    view = explorer.answer(view.panel, GoTo(6))
    assert explorer.panel is None and view.go_to == 6 and isinstance(view.dialog, Report)
    assert repr(changed[6] - weight[6]) in view.dialog.text and repr(weight[6]) in view.dialog.text


def test_a_file_with_several_tensors_is_picked_then_compared(tmp_path: Path) -> None:
    save_file({"x": torch.ones(6, 3), "y": torch.zeros(6, 3)}, tmp_path / "two.safetensors")
    explorer = ready(vocab_size=6, dim=3, ids="1")
    view = explorer.settle(explorer.compare_with(str(tmp_path / "two.safetensors")))
    assert isinstance(view.dialog, Pick) and view.dialog.compare
    view = explorer.settle(explorer.answer(view.dialog, "y"))
    assert isinstance(explorer.panel, DiffOpen) and explorer.panel.diff.comparison.equal_rows == 0
    assert explorer.session.spec.vocab_size == 6 and explorer.source.session.weights is None  # A stays on screen


def test_the_ranked_rows_export_as_tsv_with_their_measures(tmp_path: Path) -> None:
    explorer = ready(vocab_size=12, dim=4, seed=7, ids="3, 5")
    explorer.edit("3, 5", 4)
    trained(explorer, 1)
    view = diffed(explorer)
    prompt = explorer.answer(view.panel, Act.EXPORT).dialog
    explorer.answer(prompt, prompt.parse(str(tmp_path / "ranked.tsv")))
    lines = (tmp_path / "ranked.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == ["rank", "id", "token", "norm_a", "norm_b", "delta", "relative", "cosine", "overlap"]
    assert len(lines) == 13
    first = lines[1].split("\t")
    assert first[0] == "1" and int(first[1]) in (3, 5) and float(first[5]) == pytest.approx(float(explorer.panel.diff.comparison.delta[int(first[1])]))
    explorer.answer(view.panel, Act.RANK)
    assert explorer.panel.by == "relative"


def test_the_copied_script_computes_what_the_panel_shows(run_scripts, tmp_path: Path) -> None:
    explorer = ready(vocab_size=12, dim=4, seed=7, ids="3, 5, 9")
    explorer.edit("3, 5, 9", 7)
    trained(explorer, 2)
    view = diffed(explorer)
    against_first = explorer.panel.diff.comparison
    seeded = explorer.answer(view.panel, Act.COPY).dialog.script
    torch.manual_seed(1)
    save_file({"wte.weight": torch.randn(12, 4)}, tmp_path / "b.safetensors")
    view = explorer.settle(explorer.compare_with(str(tmp_path / "b.safetensors")))
    against_file = explorer.panel.diff.comparison
    explorer.answer(view.panel, Act.RANK)  # by ‖b − a‖ / ‖a‖
    from_file = explorer.answer(explorer.view().panel, Act.COPY).dialog.script
    printed = run_scripts(seeded, from_file)
    assert printed[0].splitlines()[0] == "12 rows aligned by ID: 9 equal, 3 changed"
    assert printed[1].splitlines()[0] == "12 rows aligned by ID: 0 equal, 12 changed"
    for output, comparison, by in ((printed[0], against_first, "delta"), (printed[1], against_file, "relative")):
        rows = [line.split("\t") for line in output.splitlines()[2:]]
        ranked = comparison.ranked(by)
        assert [int(row[1]) for row in rows] == ranked.tolist()
        for column, values in ((2, comparison.norm_a), (4, comparison.delta), (5, comparison.relative), (6, comparison.cosine)):
            assert [row[column] for row in rows] == [f"{value:.4g}" for value in values[ranked].tolist()]


def test_o_rotates_a_onto_b_first_and_the_copied_script_rotates_too(run_scripts, tmp_path: Path) -> None:
    weight = torch.randn(40, 6, generator=torch.Generator().manual_seed(2))
    rotation, _ = torch.linalg.qr(torch.randn(6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(3)))
    save_file({"wte.weight": weight}, tmp_path / "a.safetensors")
    save_file({"wte.weight": weight @ rotation.float()}, tmp_path / "rotated.safetensors")  # a model trained apart, in other coordinates
    explorer = ready(weights=open_weights(tmp_path / "a.safetensors"), ids="1")
    view = explorer.settle(explorer.compare_with(str(tmp_path / "rotated.safetensors")))
    assert float(explorer.panel.diff.comparison.delta.min()) > 0.1 and "o: rotate A onto B first" in view.panel.keys
    view = explorer.settle(explorer.answer(view.panel, Act.ROTATE))
    rotated = explorer.panel.diff.comparison
    assert rotated.rotation is not None and float(rotated.delta.max()) < 1e-4
    assert "the rotation removed 100.0% of the difference" in view.panel.text and "o: without the rotation" in view.panel.keys
    script = explorer.answer(view.panel, Act.COPY).dialog.script
    output = run_scripts(script)[0].splitlines()
    assert output[0] == "40 rows aligned by ID: 0 equal, 40 changed" and output[1].startswith("A rotated onto B: ‖B − A‖")
    listed = [line.split("\t") for line in output[3:]]
    assert all(float(row[4]) < 1e-4 for row in listed)  # every ‖b − a‖ gone with the rotation, as in the panel
    mapped = explorer.answer(view.panel, Act.MAP).dialog
    count = len(mapped.points) // 2
    assert mapped.joins == tuple((at, at + count) for at in range(count))  # each row's point at A joined to its point at B
    assert [point.label for point in mapped.points[:count]] == [point.label for point in mapped.points[count:]]
    view = explorer.settle(explorer.answer(explorer.view().panel, Act.ROTATE))
    assert explorer.panel.diff.comparison.rotation is None and float(explorer.panel.diff.comparison.delta.min()) > 0.1


def test_a_models_untied_output_head_is_offered_and_compared(tmp_path: Path) -> None:
    import json

    from tui.core.files.models import find_model, open_model

    torch.manual_seed(3)
    embedding, head = torch.randn(7, 4), torch.randn(7, 4)
    save_file({"transformer.wte.weight": embedding, "lm_head.weight": head}, tmp_path / "model.safetensors")
    (tmp_path / "config.json").write_text(json.dumps({"tie_word_embeddings": False}), encoding="utf-8")
    explorer = ready(weights=open_model(find_model(str(tmp_path))), ids="1")
    question = explorer.compare().dialog
    assert question.keys["h"] is Choice.HEAD and question.choices.startswith("h: the model's own output head")
    view = explorer.settle(explorer.answer(question, Choice.HEAD))
    delta = torch.linalg.vector_norm(head - embedding, dim=1)
    assert torch.allclose(explorer.panel.diff.comparison.delta, delta) and view.panel.ids[0] == int(delta.argmax())
    (tmp_path / "config.json").write_text(json.dumps({}), encoding="utf-8")  # tied: the head is this matrix
    tied = ready(weights=open_model(find_model(str(tmp_path))), ids="1")
    assert "h" not in tied.compare().dialog.keys
