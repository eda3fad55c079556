"""`embedding-explorer diff A B` on real files: MiniLM against a copy the test changes (rows scaled, two
tokens appended), against its own Q8_0 GGUF, a model's embedding against its untied head, and the refusals.
Every number is checked against plain torch (or gguf's own dequantize) computed here."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import torch
from gguf import GGMLQuantizationType, dequantize
from safetensors import safe_open
from safetensors.torch import save_file

from .test_gguf import written

KEY = "embeddings.word_embeddings.weight"
SCALED = {2332: 3.0, 7592: 0.25, 101: 1.5}  # king, hello, [CLS]: rows the copy scales
ADDED = ["<|im_start|>", "<|im_end|>"]


def minilm_weight(minilm: Path) -> torch.Tensor:
    with safe_open(minilm / "model.safetensors", "pt") as file:
        return file.get_tensor(KEY)


def rows(output: str, delimiter: str = "\t") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output), delimiter=delimiter))


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory, minilm: Path) -> Path:
    """MiniLM's embedding with three rows scaled and two chat tokens appended, its vocab.txt beside."""
    folder = tmp_path_factory.mktemp("changed")
    weight = minilm_weight(minilm).clone()
    for token_id, scale in SCALED.items():
        weight[token_id] *= scale
    weight = torch.cat([weight, torch.randn(2, weight.shape[1], generator=torch.Generator().manual_seed(0))])
    save_file({KEY: weight}, folder / "model.safetensors")
    vocab = (minilm / "vocab.txt").read_text(encoding="utf-8").splitlines() + ADDED
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    return folder / "model.safetensors"


def test_scaled_rows_rank_first_and_appended_tokens_are_named(cli, minilm: Path, changed: Path) -> None:
    done = cli("diff", str(minilm / "model.safetensors"), str(changed), "--top", "3", "--format", "tsv")
    assert done.returncode == 0, done.stderr
    # MiniLM's vocab.txt against the copy's: the tokens it has too meet by text, the two appended are named
    assert "30522 rows aligned by token: 30519 equal, 3 changed · 2 added (only in B) · 0 removed (only in A) · 0 moved (another ID)" in done.stderr
    assert "2 added: <|im_start|> (30522), <|im_end|> (30523)." in done.stderr
    a = minilm_weight(minilm).float()
    expected = sorted(SCALED, key=lambda token_id: -float(torch.linalg.vector_norm(a[token_id] * SCALED[token_id] - a[token_id])))
    table = rows(done.stdout)
    assert list(table[0]) == ["rank", "id", "token", "norm_a", "norm_b", "delta", "relative", "cosine", "id_b"]
    assert [int(row["id"]) for row in table] == expected
    assert [row["token"] for row in table] == [{2332: "king", 7592: "hello", 101: "[CLS]"}[token_id] for token_id in expected]
    for row in table:
        token_id = int(row["id"])
        before, after = a[token_id], a[token_id] * SCALED[token_id]
        assert float(row["norm_a"]) == pytest.approx(float(torch.linalg.vector_norm(before)), rel=1e-5)
        assert float(row["norm_b"]) == pytest.approx(float(torch.linalg.vector_norm(after)), rel=1e-5)
        assert float(row["delta"]) == pytest.approx(float(torch.linalg.vector_norm(after - before)), rel=1e-5)
        assert float(row["relative"]) == pytest.approx(abs(SCALED[token_id] - 1), rel=1e-5)
        assert float(row["cosine"]) == pytest.approx(1.0, abs=1e-5)
        assert row["id_b"] == row["id"]


def test_the_table_for_people_names_the_extremes(cli, minilm: Path, changed: Path) -> None:
    """The panel's sentences and histogram around the table: the changed rows' distribution (the equal ones
    left out), the most and least changed named with their ‖b − a‖."""
    done = cli("diff", str(minilm / "model.safetensors"), str(changed), "--top", "2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "30522 rows aligned by token: 30519 equal, 3 changed · 2 added (only in B) · 0 removed (only in A) · 0 moved (another ID)"
    assert lines[1] == "2 added: <|im_start|> (30522), <|im_end|> (30523)."
    a = minilm_weight(minilm).float()
    deltas = {token_id: float(torch.linalg.vector_norm(a[token_id] * scale - a[token_id])) for token_id, scale in SCALED.items()}
    low, high = min(deltas.values()), max(deltas.values())
    assert lines[3] == f"Change ‖b − a‖ of the rows that changed: 60 bins from {low:.4g} to {high:.4g}"  # no bin of 30519 zeros
    bars = lines[4:7]
    assert [len(bar.rstrip()) for bar in bars] == [60] * 3 and all(bar[0] == bar[59] == "█" for bar in bars)
    assert lines[7].split() == [f"{low:.4g}", f"{high:.4g}"]
    header = lines.index(next(line for line in lines if line.startswith("rank")))
    assert lines[header].split() == ["rank", "ID", "token", "‖a‖", "‖b‖", "‖b", "−", "a‖", "‖b", "−", "a‖/‖a‖", "cos", "ID", "in", "B"]
    assert lines[header + 1].split()[:3] == ["1", "2332", "king"]
    most = " · ".join(f"{token} ({token_id}): {deltas[token_id]:.4g}" for token, token_id in (("king", 2332), ("hello", 7592), ("[CLS]", 101)))
    least = " · ".join(f"{token} ({token_id}): {deltas[token_id]:.4g}" for token, token_id in (("[CLS]", 101), ("hello", 7592), ("king", 2332)))
    assert lines[-2:] == [f"Most changed: {most}", f"Least changed: {least}"]


def test_equal_matrices_say_so_and_draw_nothing(cli, minilm: Path) -> None:
    done = cli("diff", str(minilm / "model.safetensors"), str(minilm / "model.safetensors"), "--top", "1")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("30522 rows aligned by ID: 30522 equal, 0 changed")
    assert not any("Change ‖b − a‖" in line for line in lines)
    assert lines[-1] == "Every aligned row is exactly equal in A and B."


def test_by_neighbours_ranks_the_most_changed_by_overlap(cli, minilm: Path, tmp_path: Path) -> None:
    """Rows moved to another row's place lose their neighbours: ranked first, kept/k in the table, the share in TSV."""
    weight = minilm_weight(minilm).clone()
    weight[2332], weight[7592] = weight[7592].clone(), weight[2332].clone()  # king and hello swapped
    save_file({KEY: weight}, tmp_path / "swapped.safetensors")
    shutil.copy(minilm / "vocab.txt", tmp_path / "vocab.txt")
    done = cli("diff", str(minilm / "model.safetensors"), str(tmp_path / "swapped.safetensors"), "--by", "neighbours", "--k", "5", "--top", "2", "--format", "csv")
    assert done.returncode == 0, done.stderr
    table = rows(done.stdout, ",")
    assert list(table[0]) == ["rank", "id", "token", "norm_a", "norm_b", "delta", "relative", "cosine", "overlap"]
    assert {row["token"] for row in table} == {"king", "hello"}
    a = minilm_weight(minilm).float()
    unit = a / torch.linalg.vector_norm(a, dim=1, keepdim=True)
    for row in table:  # its neighbours in A against those of the row now in its place, by plain torch
        token_id = int(row["id"])
        near_a = set((unit @ unit[token_id]).index_fill(0, torch.tensor([token_id]), -2).topk(5).indices.tolist())
        b = unit.clone()
        b[[2332, 7592]] = b[[7592, 2332]]
        near_b = set((b @ b[token_id]).index_fill(0, torch.tensor([token_id]), -2).topk(5).indices.tolist())
        assert float(row["overlap"]) == len(near_a & near_b) / 5
    said = cli("diff", str(minilm / "model.safetensors"), str(tmp_path / "swapped.safetensors"), "--by", "neighbours", "--k", "5", "--top", "2")
    assert said.returncode == 0, said.stderr
    assert "of its 5 nearest rows kept; left: " in said.stdout and "; came: " in said.stdout
    assert [line.split()[-1] for line in said.stdout.splitlines() if line[:2] in ("1 ", "2 ")] == [f"{round(float(row['overlap']) * 5)}/5" for row in table]


def test_rows_asked_with_ids_are_the_table_each_with_its_neighbours(cli, minilm: Path, changed: Path) -> None:
    done = cli("diff", str(minilm / "model.safetensors"), str(changed), "--ids", "1996, 2332, 7592", "--k", "5")
    assert done.returncode == 0, done.stderr
    listed = [line.split() for line in done.stdout.splitlines() if line.split()[:2] and all(map(str.isdigit, line.split()[:2]))]
    assert [int(line[1]) for line in listed] == [2332, 7592, 1996]  # by ‖b − a‖: king ×3, hello ×0.25, the unchanged
    assert listed[2][-2:] == ["5/5", "1996"] and float(listed[2][5]) == 0  # all its neighbours kept; B's ID last (met by token)
    said = [line for line in done.stdout.splitlines() if "of its 5 nearest rows kept" in line]
    assert len(said) == 3 and said[0].startswith("king (2332)")


def test_minilm_against_its_own_q8_0_gguf(cli, minilm: Path, tmp_path: Path) -> None:
    a = minilm_weight(minilm).float()
    gguf = written(tmp_path / "minilm-q8_0.gguf", a.numpy(), GGMLQuantizationType.Q8_0, tokens=None)
    done = cli("diff", str(minilm / "model.safetensors"), str(gguf), "--top", "5", "--format", "tsv")
    assert done.returncode == 0, done.stderr
    assert "30522 rows aligned by ID: 0 equal, 30522 changed · 0 added (only in B) · 0 removed (only in A) · 0 moved (another ID)" in done.stderr
    from gguf import GGUFReader

    tensor = GGUFReader(gguf).get_tensor(0)
    b = torch.from_numpy(dequantize(tensor.data, tensor.tensor_type).reshape(a.shape).copy())
    deltas = torch.linalg.vector_norm(b - a, dim=1)
    assert bool((deltas > 0).all())  # every row changed a little, none equal
    table = rows(done.stdout)
    assert [int(row["id"]) for row in table] == deltas.topk(5).indices.tolist()
    for row in table:
        assert float(row["delta"]) == pytest.approx(float(deltas[int(row["id"])]), rel=1e-5)
        assert row["token"]  # labelled by A's vocabulary, found beside its file


def test_an_embedding_against_its_untied_head(cli, tmp_path: Path) -> None:
    embedding, head = torch.randn(6, 4, generator=torch.Generator().manual_seed(1)), torch.randn(6, 4, generator=torch.Generator().manual_seed(2))
    model = tmp_path / "untied"
    model.mkdir()
    save_file({"model.embed_tokens.weight": embedding, "lm_head.weight": head}, model / "model.safetensors")
    (model / "config.json").write_text(json.dumps({"tie_word_embeddings": False}))
    done = cli("diff", str(model), str(model), "--key-b", "lm_head.weight", "--format", "tsv", "--top", "6")
    assert done.returncode == 0, done.stderr
    deltas = torch.linalg.vector_norm(head - embedding, dim=1)
    assert [int(row["id"]) for row in rows(done.stdout)] == deltas.argsort(descending=True).tolist()
    assert [float(row["delta"]) for row in rows(done.stdout)] == pytest.approx(deltas.sort(descending=True).values.tolist(), rel=1e-6)


def test_a_tied_or_absent_head_is_said(cli, tmp_path: Path) -> None:
    tied = tmp_path / "tied"
    tied.mkdir()
    save_file({"model.embed_tokens.weight": torch.randn(6, 4)}, tied / "model.safetensors")
    (tied / "config.json").write_text(json.dumps({"tie_word_embeddings": True}))
    done = cli("diff", str(tied), str(tied), "--key-b", "lm_head.weight")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"embedding-explorer: {tied} has no tensor 'lm_head.weight': its output head is tied to its input embedding (the same tensor), so there is nothing to compare.\n"
    (tied / "config.json").write_text(json.dumps({"tie_word_embeddings": False}))
    done = cli("diff", str(tied), str(tied), "--key-b", "lm_head.weight")
    assert done.returncode == 2 and "has no output head of its own" in done.stderr


def test_different_widths_compare_norms_and_neighbourhoods(cli, tmp_path: Path) -> None:
    generator = torch.Generator().manual_seed(3)
    a, b = torch.randn(12, 4, generator=generator), torch.randn(12, 6, generator=generator)
    save_file({"weight": a}, tmp_path / "a.safetensors")
    save_file({"weight": b}, tmp_path / "b.safetensors")
    refused = cli("diff", str(tmp_path / "a.safetensors"), str(tmp_path / "b.safetensors"), "--by", "delta")
    assert refused.returncode == 2
    assert refused.stderr == "embedding-explorer: Ranking by delta needs matrices of the same width: rank these by norm or neighbours.\n"
    done = cli("diff", str(tmp_path / "a.safetensors"), str(tmp_path / "b.safetensors"), "--k", "3", "--top", "4", "--format", "tsv")
    assert done.returncode == 0, done.stderr
    assert "A is 4 wide and B 6" in done.stderr
    table = rows(done.stdout)
    assert list(table[0])[-1] == "overlap" and all(row["delta"] == row["relative"] == row["cosine"] == "" for row in table)
    change = (torch.linalg.vector_norm(b, dim=1) - torch.linalg.vector_norm(a, dim=1)).abs() / torch.linalg.vector_norm(a, dim=1)
    assert {int(row["id"]) for row in table} == set(change.topk(4).indices.tolist())


def test_procrustes_says_what_it_removed(cli, tmp_path: Path) -> None:
    generator = torch.Generator().manual_seed(4)
    a = torch.randn(50, 8, generator=generator)
    rotation, _ = torch.linalg.qr(torch.randn(8, 8, generator=generator))
    save_file({"weight": a}, tmp_path / "a.safetensors")
    save_file({"weight": a @ rotation}, tmp_path / "b.safetensors")
    done = cli("diff", str(tmp_path / "a.safetensors"), str(tmp_path / "b.safetensors"), "--procrustes", "--top", "1")
    assert done.returncode == 0, done.stderr
    assert "A was rotated first (orthogonal Procrustes, torch.linalg.svd): the rotation removed 100.0% of the difference" in done.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("{a}", "{c}"), "Matrices of 6 rows and 7 rows without a vocabulary for each cannot be matched row by row"),
        (("{a}", "{a}", "--by", "neighbours", "--k", "6"), "k must be a whole number from 1 to 5"),
        (("{a}", "{tmp}/absent.safetensors"), "absent.safetensors"),
        (("{a}", "{a}", "--by", "size"), "invalid choice: 'size'"),
        (("{a}", "{a}", "--key-a", ""), "--key-a"),
        (("{a}", "{a}", "--ids", "3, 6"), "Token ID 6 has no row: valid IDs are 0..5."),
        (("{a}", "{a}", "--ids", "3, x"), "x"),
    ],
    ids=["unaligned", "k-too-large", "missing", "bad-by", "empty-key", "id-past-the-end", "id-not-a-number"],
)
def test_bad_input_is_one_line_and_exit_2(cli, tmp_path: Path, args: tuple[str, ...], said: str) -> None:
    save_file({"weight": torch.randn(6, 4)}, tmp_path / "a.safetensors")
    save_file({"weight": torch.randn(7, 4)}, tmp_path / "c.safetensors")
    places = {"a": str(tmp_path / "a.safetensors"), "c": str(tmp_path / "c.safetensors"), "tmp": str(tmp_path)}
    done = cli("diff", *(arg.format(**places) for arg in args))
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and said in done.stderr


def test_a_file_cut_during_the_pass_is_refused(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.core.meaning import comparison

    save_file({"weight": torch.randn(64, 8)}, tmp_path / "a.safetensors")
    save_file({"weight": torch.randn(64, 8)}, tmp_path / "b.safetensors")
    real = comparison.gather
    calls = []

    def gather_then_cut(read, ids):  # the second chunk is read after B's file was cut
        calls.append(1)
        if len(calls) == 3:
            with open(tmp_path / "b.safetensors", "r+b") as file:
                file.truncate(200)
        return real(read, ids)

    monkeypatch.setattr(comparison, "rows_per_chunk", lambda dim: 16)
    monkeypatch.setattr(comparison, "gather", gather_then_cut)
    done = cli("diff", str(tmp_path / "a.safetensors"), str(tmp_path / "b.safetensors"))
    assert done.returncode == 2 and done.stdout == ""
    assert "was cut on disk from" in done.stderr and len(done.stderr.splitlines()) == 1


def test_tokens_are_shown_literally(cli, tmp_path: Path) -> None:
    """A token with an escape sequence reaches neither the table nor the TSV as a control character."""
    save_file({"weight": torch.randn(3, 4)}, tmp_path / "a.safetensors")
    save_file({"weight": torch.randn(3, 4)}, tmp_path / "b.safetensors")
    (tmp_path / "vocab.txt").write_text("plain\n\x1b[31mred\nx\n", encoding="utf-8")
    for form in ("table", "tsv"):
        done = cli("diff", str(tmp_path / "a.safetensors"), str(tmp_path / "b.safetensors"), "--format", form)
        assert done.returncode == 0, done.stderr
        assert "\x1b" not in done.stdout and "\\x1b[31mred" in done.stdout
