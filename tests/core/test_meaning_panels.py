"""The neighbours and statistics panels as the explorer offers them (no terminal): what each asks first, its
pages against torch's own full computation, the export read back, the map, the passes kept while the layer's
values stay and made again when a training step changes them."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import numpy as np
import pytest
import torch
from gguf import GGMLQuantizationType
from gguf.quants import dequantize
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.depth import examples
from tui.core.explorer.dialogs import Act, Ask, Choice, NeighboursPane, Prompt, Question, Refused, StatisticsPane
from tui.core.explorer.explorer import Explorer, Setup
from tui.core.files.weights import open_weights
from tui.core.meaning.projection import project
from tui.core.texts.messages import MessageError
from tui.core.tokens.vocab import load_vocab

from .test_gguf import quantized_file


def ready(**settings: object) -> Explorer:
    explorer = Explorer(Setup.of(**{"lang": "en", **settings}))
    explorer.settle(explorer.start())
    return explorer


@functools.cache
def words_explorer() -> Explorer:
    """A layer of 9 rows labelled with words and signs, as an expression's parts could be (made once: the
    property test asks it many times)."""
    from tui.core.tokens.vocab import Vocab

    vocab = Vocab(Path("words.txt"), ("king", "man", "woman", "+", "-", "−", "a b", "queen", "7"))
    return ready(vocab_size=9, dim=4, vocab=vocab)


def neighbours_panel(explorer: Explorer, row: int | None = None) -> NeighboursPane:
    """The neighbours panel opened, its first question answered (its pass run here)."""
    panel = explorer.settle(explorer.neighbours(row)).panel
    assert isinstance(panel, NeighboursPane)
    return panel


def ask(explorer: Explorer, text: str, metric: str = "cosine", k: int = 10) -> NeighboursPane:
    """The open panel asked `text` with this metric and k (the explorer's `meaning` owns them)."""
    explorer.meaning.metric, explorer.meaning.k = metric, k
    return explorer.settle(explorer.answer(explorer.view().panel, Ask(text))).panel


def said(explorer: Explorer) -> str:
    return explorer.view().panel.said.text


def export(explorer: Explorer, path: str) -> Question | None:
    """`e` in the open panel, then `path` typed: the question about writing over a file, if it asks one."""
    prompt = explorer.answer(explorer.view().panel, Act.EXPORT).dialog
    assert isinstance(prompt, Prompt)
    return explorer.answer(prompt, prompt.parse(path)).dialog


def torch_top(weight: torch.Tensor, row: int, k: int) -> list[int]:
    """The k rows most cosine-similar to `row`, itself left out, by torch over the whole matrix."""
    scores = torch.nn.functional.cosine_similarity(weight, weight[row][None], dim=1)
    scores[row] = -torch.inf
    return scores.topk(k).indices.tolist()


def test_a_small_matrix_asks_for_as_many_neighbours_as_it_has() -> None:
    explorer = ready(ids="2, 3, 5, 1")  # the book's 6 × 3
    assert len(neighbours_panel(explorer).ids) == 5
    assert "all 5 other rows are ranked" in said(explorer)  # the default 10 taken as what there is, and said
    prompt = explorer.answer(explorer.view().panel, Act.ASK_K).dialog
    assert prompt.value == "5"
    explorer.settle(explorer.answer(prompt, prompt.parse("4")))  # a k chosen: no note
    assert len(explorer.view().panel.ids) == 4 and "k not given" not in said(explorer)


def test_the_panel_asks_about_the_id_under_the_input_cursor_or_the_matrix_row() -> None:
    explorer = ready(ids="2, 3, 5", vocab_size=40, dim=8)
    explorer.edit("2, 3, 5", 1)  # the cursor on the 2
    assert neighbours_panel(explorer).asked == "2"
    assert neighbours_panel(explorer, row=17).asked == "17"
    explorer.edit("2, 3, 5", 7)
    assert neighbours_panel(explorer).asked == "5"
    positions = ready(ids="2, 3", context_length=4, vocab_size=40, dim=8)
    positions.switch_matrix()  # the matrix shows positions: its cursor row is not a token
    assert neighbours_panel(positions, row=3).asked == "3" and neighbours_panel(positions, row=0).asked == "3"


def test_a_page_is_torchs_nearest_rows_with_their_values_and_the_metric_said() -> None:
    explorer = ready(ids="7", vocab_size=200, dim=16)
    weight = explorer.session.layer.weight.detach()
    neighbours_panel(explorer)
    page = ask(explorer, "7", "cosine", 5)
    assert list(page.ids) == torch_top(weight, 7, 5)
    first = page.lines[0].split()
    assert first[:2] == ["1", str(page.ids[0])] and first[2] == f"{explorer.panel.answer.neighbours.found[0].score:.4f}"
    assert f"[{weight[page.ids[0], 0].item():.4f}," in page.lines[0]  # its first values, as the layer holds them
    assert page.heading == "The 5 nearest neighbours of row 7 by cosine similarity, itself excluded"
    assert "normalised" in page.said.text
    explorer.settle(explorer.answer(page, Act.NEXT_METRIC))  # m: the other metric, asked again
    prompt = explorer.answer(page, Act.ASK_K).dialog  # k: how many
    page = explorer.settle(explorer.answer(prompt, prompt.parse("3"))).panel
    distances = torch.cdist(weight[7][None], weight)[0]
    distances[7] = torch.inf
    assert list(page.ids) == distances.topk(3, largest=False).indices.tolist() and "not normalised" in page.said.text
    assert (explorer.meaning.metric, explorer.meaning.k) == ("euclidean", 3)  # the next panel starts with them
    explorer.answer(page, None)
    assert len(neighbours_panel(explorer).ids) == 3


def test_words_and_expressions_are_asked_with_the_vocabulary(minilm: Path) -> None:
    explorer = ready(weights=open_weights(minilm / "model.safetensors"), vocab=load_vocab(minilm / "vocab.txt"), ids="2332")
    neighbours_panel(explorer)
    page = ask(explorer, "king - man + woman")
    labels = [explorer.vocab.label(token_id) for token_id in page.ids]
    assert labels[0] == "queen" and "princess" in labels
    assert page.heading.startswith("The 10 nearest neighbours of king (2332) − man (2158) + woman (2450)")
    assert not {2332, 2158, 2450} & set(page.ids)  # the terms are left out of the answer
    assert explorer.vocab.label(ask(explorer, "dog", "cosine", 3).ids[0]) == "dogs"
    for asked, refused in (("qwertyuiopzz", "'qwertyuiopzz' is not in the vocabulary."), ("king -", "ends with an operator"), ("", "Type a token, a token ID or an expression")):
        page = ask(explorer, asked)
        assert page.said.error and refused in page.said.text and "--expr" not in page.said.text  # the panel's words
        assert explorer.vocab.label(page.ids[0]) == "dogs"  # the last answer stays
    prompt = explorer.answer(page, Act.ASK_K).dialog
    assert prompt.parse("25") == 25
    for typed in ("0", "30522", "x", "-3"):
        with pytest.raises(Refused):
            prompt.parse(typed)


def test_the_export_reads_back_and_asks_before_writing_over(tmp_path: Path) -> None:
    explorer = ready(ids="1", vocab_size=30, dim=4)
    weight = explorer.session.layer.weight.detach()
    neighbours_panel(explorer)
    page = ask(explorer, "1", "cosine", 4)
    assert export(explorer, str(tmp_path / "near.csv")) is None
    assert said(explorer) == f"4 rows written to {tmp_path / 'near.csv'}."
    with open(tmp_path / "near.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["id", "token", "rank", "cosine", "d0", "d1", "d2", "d3"]
    assert [int(row[0]) for row in rows[1:]] == list(page.ids)
    for row in rows[1:]:
        assert torch.equal(torch.tensor([float(value) for value in row[4:]]), weight[int(row[0])])
    (tmp_path / "near.csv").write_text("kept", encoding="utf-8")
    question = export(explorer, str(tmp_path / "near.csv"))
    assert isinstance(question, Question) and (tmp_path / "near.csv").read_text(encoding="utf-8") == "kept"
    explorer.answer(question, Choice.NO)
    assert (tmp_path / "near.csv").read_text(encoding="utf-8") == "kept"
    explorer.answer(question, Choice.YES)
    assert said(explorer).startswith("4 rows written") and (tmp_path / "near.csv").read_text(encoding="utf-8").startswith("id,token")
    export(explorer, str(tmp_path) + "/")
    assert "tensor.tsv" in said(explorer) and (tmp_path / "metadata.tsv").read_text(encoding="utf-8").splitlines()[0] == "token\tid\trank\tcosine"
    values = np.loadtxt(tmp_path / "tensor.tsv", delimiter="\t", dtype=np.float32)
    assert np.array_equal(values, weight[list(page.ids)].numpy())


def test_the_map_projects_the_answer_and_the_looked_up_rows_by_pca() -> None:
    explorer = ready(ids="2, 3", vocab_size=50, dim=8)
    weight = explorer.session.layer.weight.detach()
    neighbours_panel(explorer, row=9)
    page = ask(explorer, "9", "cosine", 6)
    drawn = explorer.answer(page, Act.MAP).dialog
    shown = [2, 3, 9, *page.ids]
    assert [point.label for point in drawn.points] == [str(token_id) for token_id in shown]  # no vocabulary: IDs
    assert [point.looked_up for point in drawn.points] == [True, True, True, *[False] * 6]
    projection = project(weight[shown])
    assert [[point.x, point.y] for point in drawn.points] == projection.coordinates.tolist()
    singular = torch.linalg.svdvals(weight[shown].double() - weight[shown].double().mean(0)) ** 2
    share = (singular / singular.sum())[:2]
    assert drawn.x_title == f"PC1 · {100 * share[0]:.1f}% of variance" and drawn.y_title == f"PC2 · {100 * share[1]:.1f}% of variance"
    assert drawn.title == "Map: 9 rows projected by PCA"


def test_a_quantized_matrix_answers_from_its_dequantized_rows(tmp_path: Path) -> None:
    path, blocks = quantized_file(tmp_path / "model.gguf", GGMLQuantizationType.Q8_0, rows=40, cols=64)
    explorer = ready(weights=open_weights(path), ids="5")
    neighbours_panel(explorer)
    page = ask(explorer, "5", "cosine", 4)
    weight = torch.from_numpy(dequantize(blocks, GGMLQuantizationType.Q8_0))
    assert list(page.ids) == torch_top(weight, 5, 4)


def test_the_passes_are_kept_until_a_step_changes_the_values() -> None:
    explorer = ready(ids="1, 2", vocab_size=64, dim=8, freeze=False)
    session = explorer.session
    reads = []
    read_rows = session.read_rows
    session.read_rows = lambda start, stop: reads.append((start, stop)) or read_rows(start, stop)
    statistics = explorer.settle(explorer.statistics()).panel
    assert isinstance(statistics, StatisticsPane) and statistics.title == "Statistics of the weight matrix (64 × 8)"
    first = statistics.text
    whole = [read for read in reads if read == (0, 64)]
    assert len(whole) == 1
    explorer.answer(statistics, None)
    assert explorer.settle(explorer.statistics()).panel.text == first and len([read for read in reads if read == (0, 64)]) == 1  # kept
    explorer.answer(explorer.view().panel, None)
    explorer.settle(explorer.backward())
    explorer.settle(explorer.step())
    again = explorer.settle(explorer.statistics()).panel.text
    assert len([read for read in reads if read == (0, 64)]) == 2 and again != first  # read again: the values moved
    assert "Smallest norms: ID " in again  # no vocabulary: rows are named by their IDs


def test_the_statistics_page_draws_the_norms_and_compares_the_looked_up_rows(minilm: Path, tmp_path: Path) -> None:
    explorer = ready(weights=open_weights(minilm / "model.safetensors"), vocab=load_vocab(minilm / "vocab.txt"), ids="7592, 2088")
    panel = explorer.settle(explorer.statistics()).panel
    text = panel.text
    assert "Smallest norms: [MASK] (103): 0.2449" in text and "[CLS] (101)" in text.split("Largest norms:")[1]
    assert "Dimensions with outlying magnitude (robust z-score above 6): 267 (z 26.5), 303 (z 18." in text
    weight = open_weights(minilm / "model.safetensors").tensor
    cosine = torch.nn.functional.cosine_similarity(weight[7592], weight[2088], dim=0).item()
    assert f"\nhello {weight[7592].norm().item():.4g}  1.00 {cosine:5.2f}\n" in text
    drawn = explorer.answer(panel, Act.MAP).dialog
    assert len(drawn.points) == 302 and sum(point.looked_up for point in drawn.points) == 2
    assert export(explorer, str(tmp_path / "rows.tsv")) is None
    assert said(explorer) == f"2 rows written to {tmp_path / 'rows.tsv'}."
    assert (tmp_path / "rows.tsv").read_text(encoding="utf-8").splitlines()[1].startswith("7592\thello\t")


def test_panels_wait_while_a_job_has_the_layer() -> None:
    explorer = ready(ids="1", freeze=False)
    view = explorer.backward()  # its job not run yet: the layer is in flux
    assert view.jobs
    for action in (explorer.neighbours, explorer.statistics):
        refused = action()
        assert refused.panel is None and refused.jobs == () and refused.status.error and "Still working" in refused.status.text


@settings(max_examples=examples(150), deadline=None)
@given(asked=st.text(max_size=30), metric=st.sampled_from(["cosine", "euclidean"]), k=st.integers(-2, 8))
def test_anything_asked_is_an_answer_or_a_message(asked: str, metric: str, k: int) -> None:
    explorer = words_explorer()
    try:
        answer = explorer.meaning.ask(explorer.session, asked, explorer.vocab, None, metric, k)
    except MessageError as refused:
        assert refused.message.english()  # our one line, in both languages
        refused.message.render("es")
    else:
        assert 1 <= len(answer.ids) <= k and not {token_id for _, token_id in answer.terms} & set(answer.ids)
