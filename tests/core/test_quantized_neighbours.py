"""Neighbours over a quantized GGUF matrix: a later query scans the bfloat16 copy the first pass kept and
dequantizes only the rows that may be among the k nearest, with the answer of a float32 pass over
`gguf.quants.dequantize`'s rows; the copy's file is removed when a pass ends or stops."""

from __future__ import annotations

import tempfile
from pathlib import Path

import gguf.quants
import numpy as np
import pytest
import torch
from gguf import GGMLQuantizationType, GGUFWriter
from gguf.quants import dequantize, quantize

from tui.core.chapter.quantized_session import QuantizedSession
from tui.core.files.weights import open_weights
from tui.core.jobs import Cancelled
from tui.core.meaning.neighbours import RowIndex
from tui.core.meaning.passes import Meaning

from .test_gguf import quantized_file
from .test_neighbours import CountingReader, assert_matches_torch, index_of

ROWS, COLS = 3000, 256


@pytest.fixture
def temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder temporary files go to, for this test alone."""
    folder = tmp_path / "temporary"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def dequantized(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The rows gguf dequantizes, one count per call (files opened after this fixture decode through it)."""
    counts: list[int] = []

    def counting(blocks: np.ndarray, kind: GGMLQuantizationType) -> np.ndarray:
        counts.append(blocks.shape[0])
        return dequantize(blocks, kind)

    monkeypatch.setattr(gguf.quants, "dequantize", counting)
    return counts


def gguf_of(path: Path, blocks: np.ndarray, kind: GGMLQuantizationType) -> Path:
    writer = GGUFWriter(path, "llama")
    writer.add_tensor("token_embd.weight", blocks, raw_shape=blocks.shape, raw_dtype=kind)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.mark.parametrize("name, metric", [("Q4_K", "cosine"), ("Q4_K", "euclidean"), ("Q8_0", "cosine"), ("Q6_K", "euclidean")])
def test_a_later_query_gives_the_float32_answer_without_dequantizing_every_row(tmp_path: Path, temporary: Path, dequantized: list[int], name: str, metric: str) -> None:
    kind = GGMLQuantizationType[name]
    path, blocks = quantized_file(tmp_path / "model.gguf", kind, ROWS, COLS)
    expected = torch.from_numpy(dequantize(blocks, kind).reshape(ROWS, COLS))  # gguf's rows, in float32
    session, meaning = QuantizedSession(open_weights(path)), Meaning()
    meaning.ask(session, "17", None, None, metric, 10)  # the first pass: every row dequantized once
    assert sum(dequantized) >= ROWS and list(temporary.iterdir()) == []  # the copy's name is gone already
    for row in (0, 1234, ROWS - 1):
        dequantized.clear()
        later = meaning.ask(session, str(row), None, None, metric, 10).neighbours
        first = index_of(expected).nearest_to_row(row, 10, metric)  # a fresh index: one float32 pass
        assert [n.token_id for n in later.found] == [n.token_id for n in first.found]
        assert [n.score for n in later.found] == pytest.approx([n.score for n in first.found], rel=1e-6)
        assert_matches_torch(later, expected, expected[row], (row,))
        assert 10 <= sum(dequantized) < ROWS // 20  # the query's row and the few the bounds could not rule out


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_equal_quantized_rows_tie_to_the_lower_id_as_in_the_float32_pass(tmp_path: Path, metric: str) -> None:
    values = np.random.default_rng(2).standard_normal((50, 64)).astype(np.float32)
    blocks = quantize(np.concatenate([values, values, values]), GGMLQuantizationType.Q8_0)  # every row three times
    session = QuantizedSession(open_weights(gguf_of(tmp_path / "ties.gguf", blocks, GGMLQuantizationType.Q8_0)))
    expected = torch.from_numpy(dequantize(blocks, GGMLQuantizationType.Q8_0).reshape(150, 64))
    meaning = Meaning()
    meaning.ask(session, "3", None, None, metric, 1)
    assert meaning.index(session).copy is not None
    for row, k in ((0, 4), (60, 7), (149, 30)):
        assert meaning.ask(session, str(row), None, None, metric, k).neighbours == index_of(expected, 1).nearest_to_row(row, k, metric)


def test_a_stopped_first_pass_leaves_no_file_and_no_copy(temporary: Path) -> None:
    torch.manual_seed(0)
    reader = CountingReader(torch.randn(100, 8))
    index = RowIndex(reader, (100, 8), chunk_rows=30, copy=True)
    with pytest.raises(Cancelled):
        index.nearest(torch.ones(8), 3, cancelled=lambda: len(reader.calls) >= 2)
    assert list(temporary.iterdir()) == [] and index.copy is None
    assert index.nearest(torch.ones(8), 3) == index_of(reader.weight).nearest(torch.ones(8), 3)
    assert index.copy is not None and list(temporary.iterdir()) == []


def test_values_too_large_for_bfloat16_keep_no_copy_and_stay_exact(temporary: Path) -> None:
    torch.manual_seed(1)
    weight = torch.randn(200, 8)
    weight[7, 3] = torch.finfo(torch.float32).max  # finite in float32, infinite once rounded to bfloat16
    index = RowIndex(lambda start, stop: weight[start:stop], (200, 8), chunk_rows=16, copy=True)
    index.nearest_to_row(0, 5, "euclidean")
    assert index.copy is None and list(temporary.iterdir()) == []
    for row in (1, 7, 150):
        assert index.nearest_to_row(row, 5, "euclidean") == index_of(weight).nearest_to_row(row, 5, "euclidean")
