"""Exporting rows: TSV, CSV and the Embedding Projector's pair, read back with `csv` (tokens as documented,
values equal as float32), and the refusals of a folder that is not there, a file that is, a failed write."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.depth import examples
from tui.core.files.export import (
    ExportError,
    ExportExists,
    ExportRows,
    as_csv,
    as_tsv,
    projector_metadata,
    projector_tensor,
    write_projector,
    write_table,
)
from tui.core.texts.shown import visible

TOKENS = (" the", "a\tb", 'say "hi", ok', "line\nbreak", None, "\r\x1b[31m")
VALUES = [0.1, -0.0, 1e-45, 3.4028235e38, float("inf"), -1.5, 2.0 / 3.0]  # tiny, huge, infinite, inexact


@pytest.fixture
def rows() -> ExportRows:
    torch.manual_seed(0)
    vectors = torch.randn(len(TOKENS), len(VALUES))
    vectors[0] = torch.tensor(VALUES)  # float32 of each value
    extra = {"rank": list(range(1, len(TOKENS) + 1)), "cosine": [1 / 3, 0.5, 0.25, -0.125, 0.0, 1.0]}
    return ExportRows(ids=[262, 7, 42, 198, 50, 3], tokens=TOKENS, vectors=vectors, extra=extra)


def read(text: str, tsv: bool) -> list[list[str]]:
    options = {"delimiter": "\t", "quoting": csv.QUOTE_NONE} if tsv else {}
    return list(csv.reader(io.StringIO(text, newline=""), **options))


def as_float32(cells: list[list[str]]) -> torch.Tensor:
    return torch.tensor([[float(cell) for cell in line] for line in cells], dtype=torch.float32)


def test_csv_keeps_each_token_exactly_and_each_value(rows: ExportRows) -> None:
    header, *lines = read(as_csv(rows), tsv=False)
    assert header == ["id", "token", "rank", "cosine", *(f"d{column}" for column in range(len(VALUES)))]
    assert [line[1] for line in lines] == [token or "" for token in TOKENS]
    assert [int(line[0]) for line in lines] == list(rows.ids)
    assert torch.equal(as_float32([line[4:] for line in lines]), rows.vectors)
    assert torch.equal(as_float32([line[3:4] for line in lines]), torch.tensor([rows.extra["cosine"]]).T)  # as float32
    assert lines[0][2:4] == ["1", "0.333333333"]


def test_tsv_shows_tokens_as_the_app_does_a_row_per_line(rows: ExportRows) -> None:
    text = as_tsv(rows)
    assert text.count("\n") == len(TOKENS) + 1 and "\r" not in text
    header, *lines = read(text, tsv=True)
    assert header[:4] == ["id", "token", "rank", "cosine"]
    assert [line[1] for line in lines] == ["␣the", "a\\tb", 'say␣"hi",␣ok', "line\\nbreak", "", "\\r\\x1b[31m"]
    assert [line[1] for line in lines] == [visible(token) if token is not None else "" for token in TOKENS]
    assert all(len(line) == len(header) for line in lines)
    assert torch.equal(as_float32([line[4:] for line in lines]), rows.vectors)


def test_the_projector_pair(rows: ExportRows) -> None:
    tensor = read(projector_tensor(rows), tsv=True)
    assert len(tensor) == len(TOKENS)  # no header
    assert torch.equal(as_float32(tensor), rows.vectors)
    header, *lines = read(projector_metadata(rows), tsv=True)
    assert header == ["token", "id", "rank", "cosine"]  # several columns: the Projector reads a header line
    assert [line[:2] for line in lines] == [[visible(token) if token else "", str(token_id)] for token, token_id in zip(TOKENS, rows.ids)]


def test_rows_that_disagree_are_a_mistake_of_the_caller() -> None:
    with pytest.raises(ValueError, match="rows disagree"):
        ExportRows(ids=[1, 2], tokens=["a"], vectors=torch.zeros(2, 3))
    with pytest.raises(ValueError, match="rows disagree"):
        ExportRows(ids=[1], tokens=["a"], vectors=torch.zeros(1, 3), extra={"rank": [1, 2]})


def test_written_files_hold_the_same_text(rows: ExportRows, tmp_path: Path) -> None:
    assert write_table(rows, tmp_path / "rows.csv").read_bytes().decode() == as_csv(rows)
    assert write_table(rows, tmp_path / "rows.TSV").read_bytes().decode() == as_tsv(rows)
    assert write_table(rows, tmp_path / "rows.txt").read_bytes().decode() == as_tsv(rows)  # TSV unless .csv
    tensor, metadata = write_projector(rows, tmp_path)
    assert (tensor.name, metadata.name) == ("tensor.tsv", "metadata.tsv")
    assert tensor.read_bytes().decode() == projector_tensor(rows)
    assert metadata.read_bytes().decode() == projector_metadata(rows)


def test_an_existing_file_is_kept_unless_overwrite(rows: ExportRows, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("mine")
    with pytest.raises(ExportExists) as refused:
        write_table(rows, path)
    assert refused.value.message.key == "export.exists" and refused.value.message.params == {"path": path}
    assert path.read_text() == "mine"
    write_table(rows, path, overwrite=True)
    assert path.read_bytes().decode() == as_csv(rows)


def test_the_projector_pair_writes_neither_file_when_one_exists(rows: ExportRows, tmp_path: Path) -> None:
    (tmp_path / "metadata.tsv").write_text("mine")
    with pytest.raises(ExportExists) as refused:
        write_projector(rows, tmp_path)
    assert refused.value.message.params == {"path": tmp_path / "metadata.tsv"}
    assert not (tmp_path / "tensor.tsv").exists()
    write_projector(rows, tmp_path, overwrite=True)
    assert (tmp_path / "metadata.tsv").read_bytes().decode() == projector_metadata(rows)


def test_missing_folders_are_made_parents_too(rows: ExportRows, tmp_path: Path) -> None:
    assert write_table(rows, tmp_path / "a" / "b" / "rows.csv").read_bytes().decode() == as_csv(rows)
    tensor, metadata = write_projector(rows, tmp_path / "c" / "d")
    assert (tensor.read_bytes().decode(), metadata.read_bytes().decode()) == (projector_tensor(rows), projector_metadata(rows))


def test_what_is_refused(rows: ExportRows, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    (tmp_path / "a-folder").mkdir()
    cases = [
        (lambda: write_table(rows, tmp_path / "a-file" / "inside" / "rows.tsv"), "export.failed"),
        (lambda: write_projector(rows, tmp_path / "a-file" / "inside"), "export.failed"),
        (lambda: write_table(rows, tmp_path / "a-file" / "rows.tsv"), "export.not_folder"),
        (lambda: write_projector(rows, tmp_path / "a-file"), "export.not_folder"),
        (lambda: write_table(rows, tmp_path / "a-folder"), "export.is_folder"),
        (lambda: write_table(rows, tmp_path / "a-folder", overwrite=True), "export.is_folder"),
    ]
    for write, key in cases:
        with pytest.raises(ExportError) as refused:
            write()
        assert refused.value.message.key == key
        assert "{" not in refused.value.message.render("es")


def test_a_failed_write_is_a_message(rows: ExportRows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    with pytest.raises(ExportError) as refused:
        write_table(rows, tmp_path / "rows.tsv")
    assert refused.value.message.key == "export.failed"
    assert refused.value.message.params == {"path": tmp_path / "rows.tsv", "error": "Permission denied"}


@settings(max_examples=examples(150), deadline=None)
@given(tokens=st.lists(st.one_of(st.none(), st.text(st.characters(exclude_categories=("Cs",)))), min_size=1, max_size=6))
def test_any_token_keeps_tsv_to_a_line_and_csv_exact(tokens: list[str | None]) -> None:
    rows = ExportRows(ids=list(range(len(tokens))), tokens=tokens, vectors=torch.ones(len(tokens), 2))
    tsv = read(as_tsv(rows), tsv=True)
    assert len(tsv) == len(tokens) + 1 and all(len(line) == 4 for line in tsv)
    assert [line[1] for line in read(as_csv(rows), tsv=False)[1:]] == [token or "" for token in tokens]
    assert len(read(projector_metadata(rows), tsv=True)) == len(tokens) + 1
