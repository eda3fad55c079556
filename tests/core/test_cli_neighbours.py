"""`embedding-explorer neighbours`: a token's, an ID's or an expression's nearest rows, as a table, TSV or
CSV; bad input is one line on stderr and exit code 2."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import torch


def test_an_id_in_the_seeded_layer_as_tsv(cli, book_layer) -> None:
    done = cli("neighbours", "2", "--k", "5", "--metric", "euclidean", "--format", "tsv")
    assert (done.returncode, done.stderr) == (0, "")
    rows = list(csv.reader(io.StringIO(done.stdout), delimiter="\t"))
    assert rows[0] == ["rank", "id", "token", "euclidean"]
    weight = book_layer().weight.detach()
    distances = torch.cdist(weight[2][None], weight, compute_mode="donot_use_mm_for_euclid_dist")[0]
    expected = [i for i in distances.argsort().tolist() if i != 2]
    assert [int(row[1]) for row in rows[1:]] == expected
    assert [float(row[3]) for row in rows[1:]] == pytest.approx(distances[expected].tolist(), rel=1e-5)


def test_without_k_a_small_layer_ranks_every_other_row_and_says_so(cli) -> None:
    done = cli("neighbours", "3", "--metric", "euclidean", "--format", "csv")
    assert done.returncode == 0
    assert [row[1] for row in csv.reader(io.StringIO(done.stdout))][1:] == ["4", "0", "2", "1", "5"]  # stdout is only the CSV
    assert done.stderr == "embedding-explorer: k not given, and the default 10 is more than there is: all 5 other rows are ranked.\n"
    done = cli("neighbours", "--expr", "3 + 2", "--vocab-size", "4")  # the terms excluded too: 2 rows left
    assert (done.returncode, len(done.stdout.splitlines())) == (0, 2 + 2)
    assert "all 2 other rows are ranked" in done.stderr
    assert cli("neighbours", "3", "--k", "10").returncode == 2  # a k given stays refused beyond the rows


def test_a_word_of_minilm_as_a_table(cli, minilm: Path) -> None:
    done = cli("neighbours", "--model", str(minilm), "dog", "--k", "3")
    assert done.returncode == 0
    assert done.stdout.splitlines() == [
        "The 3 nearest neighbours of 'dog' (ID 3899) by cosine similarity, itself excluded:",
        "rank  ID     token   cosine similarity",
        "1     6077   dogs    0.8732",
        "2     28735  canine  0.6567",
        "3     17022  puppy   0.5398",
    ]


def test_an_expression_as_csv_names_each_terms_id(cli, minilm: Path) -> None:
    done = cli("neighbours", "--model", str(minilm), "--expr", "king - man + woman", "--k", "2")
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == "The 2 nearest neighbours of king (2332) − man (2158) + woman (2450) by cosine similarity, its terms excluded:"
    done = cli("neighbours", "--model", str(minilm), "--expr", "king - man + woman", "--k", "2", "--format", "csv")
    assert [row[:3] for row in csv.reader(io.StringIO(done.stdout))] == [["rank", "id", "token"], ["1", "3035", "queen"], ["2", "5465", "kings"]]


def test_skipped_rows_are_said(cli, tmp_path: Path) -> None:
    from safetensors.torch import save_file

    weight = torch.tensor([[1.0, 0.0], [float("nan"), 0.0], [0.0, 0.0], [2.0, 1.0]])
    save_file({"weight": weight}, tmp_path / "w.safetensors")
    done = cli("neighbours", "--weights", str(tmp_path / "w.safetensors"), "0", "--k", "1")
    assert done.returncode == 0
    assert done.stdout.splitlines()[-2:] == [
        "1 row holds NaN or infinite values: skipped, it is never a neighbour.",
        "1 row is all zeros: skipped, its cosine similarity is undefined (0/0).",
    ]


@pytest.mark.parametrize(
    "args, expected",
    [
        (("neighbours",), "Give a token or token ID, or --expr with an expression: one of the two."),
        (("neighbours", "1", "--expr", "2 + 3"), "Give a token or token ID, or --expr"),
        (("neighbours", "1", "--k", "0"), "k must be a whole number from 1 to 5 (the 6 rows, 1 of them excluded); got 0."),
        (("neighbours", "1", "--k", "6"), "k must be a whole number from 1 to 5"),
        (("neighbours", "6"), "Token ID 6 has no row: valid IDs are 0..5."),
        (("neighbours", "dog"), "'dog' is a word, and there is no vocabulary to find it in"),
        (("neighbours", "--expr", "2 3"), "'2' and '3' need a + or - between them."),
        (("neighbours", "--expr", "2 - 2", "--k", "3"), "The query vector is all zeros"),
        (("neighbours", "1", "--metric", "dot"), "invalid choice: 'dot'"),
        (("neighbours", "1", "--format", "xml"), "invalid choice: 'xml'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, args: tuple[str, ...], expected: str) -> None:
    done = cli(*args)
    assert (done.returncode, done.stdout) == (2, "")
    assert expected in done.stderr and done.stderr.count("\n") == 1


def test_words_minilm_does_not_have_are_refused(cli, minilm: Path) -> None:
    done = cli("neighbours", "--model", str(minilm), "--expr", "king - unbelievableness")
    assert done.returncode == 2
    assert "'unbelievableness' is not one token: the tokenizer makes it 2 tokens (unbelievable · ness)" in done.stderr
    done = cli("--lang", "es", "neighbours", "--model", str(minilm), "🦜")
    assert (done.returncode, done.stderr) == (2, "embedding-explorer: '🦜' no está en el vocabulario.\n")
