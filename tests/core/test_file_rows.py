"""A weight file's rows are read by positional reads: a file cut while it is open, even during a pass, is
refused with the one message that says so, never read past its end (a SIGBUS would kill the process)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from gguf import GGMLQuantizationType, GGUFReader, GGUFWriter
from safetensors.torch import save_file

from tests.core.test_gguf import quantized_file
from tui.core.explorer.explorer import Explorer, Setup
from tui.core.files.file_watch import Change, FileWatch, WeightFileChanged
from tui.core.files.weights import open_weights

PASS = """
import os, sys
from pathlib import Path
from tui.core.explorer.explorer import Explorer, Setup
from tui.core.files.weights import open_weights
from tui.core.meaning.passes import Meaning
from tui.core.texts.messages import MessageError

path, kept = Path(sys.argv[1]), int(sys.argv[2])
explorer = Explorer(Setup.of(weights=open_weights(path), lang="en"))
explorer.settle(explorer.start())
cut = []

def progress(fraction):
    if not cut:  # after the first chunk: the pass goes on over a file cut short
        os.truncate(path, kept)
        cut.append(fraction)

try:
    Meaning().statistics(explorer.session, progress=progress)
except MessageError as error:
    print(error.message.render("en"))
    sys.exit(2)
print("read whole after the cut", cut)
"""


def cut_during_a_pass(path: Path, kept: int) -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-c", PASS, str(path), str(kept)], capture_output=True, text=True, env=env, timeout=120, cwd=root)


def test_a_file_cut_during_a_statistics_pass_is_said_and_the_process_lives(tmp_path: Path, minilm: Path) -> None:
    path = tmp_path / "model.safetensors"
    shutil.copy(minilm / "model.safetensors", path)  # word embeddings from 0.8 MB to 47.7 MB: three chunks
    done = cut_during_a_pass(path, 40_000_000)
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])  # not -7 (SIGBUS), nor 135 from a shell
    assert done.stdout.startswith("model.safetensors was cut on disk from 90.9 MB to 40.0 MB while it was open")


def test_a_quantized_file_cut_during_a_pass_is_said_and_the_process_lives(tmp_path: Path) -> None:
    path, blocks = quantized_file(tmp_path / "model.gguf", GGMLQuantizationType.Q8_0, rows=20000)  # two chunks of rows
    (embedding,) = (tensor for tensor in GGUFReader(path).tensors if tensor.name == "token_embd.weight")
    done = cut_during_a_pass(path, int(embedding.data_offset) + 17000 * blocks.shape[1])  # in the second chunk
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert done.stdout.startswith("model.gguf was cut on disk from")


def _float_gguf(path: Path, matrix: torch.Tensor) -> Path:
    """`matrix` as GGUF stores it; bfloat16, which numpy lacks, as its raw 16-bit words typed BF16."""
    writer = GGUFWriter(path, "llama")
    if matrix.dtype == torch.bfloat16:
        writer.add_tensor("token_embd.weight", matrix.view(torch.int16).numpy(), raw_dtype=GGMLQuantizationType.BF16)
    else:
        writer.add_tensor("token_embd.weight", matrix.numpy())
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def _saved(path: Path, matrix: torch.Tensor) -> Path:
    if path.suffix == ".safetensors":
        save_file({"wte.weight": matrix, "a.padding": torch.zeros(3000)}, path)
    elif path.suffix == ".gguf":
        _float_gguf(path, matrix)
    else:
        torch.save({"bias": torch.ones(5), "wte.weight": matrix, "other": torch.zeros(700, 2)}, path)
    return path


@pytest.mark.parametrize("name", ["m.safetensors", "m.pt", "m.gguf"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_every_format_reads_its_rows_from_the_file_and_refuses_them_once_cut(tmp_path: Path, name: str, dtype: torch.dtype) -> None:
    torch.manual_seed(1)
    matrix = torch.randn(2000, 16).to(dtype)
    path = _saved(tmp_path / name, matrix)
    weights = open_weights(path)
    assert weights.file is not None  # over the file's pages: read by positional reads
    explorer = Explorer(Setup.of(weights=weights, lang="en"))
    explorer.settle(explorer.start())
    session = explorer.session
    assert torch.equal(session.read_rows(0, 2000), matrix) and torch.equal(session.read_rows(1990, 1995), matrix[1990:1995])
    os.truncate(path, path.stat().st_size - 4096)
    with pytest.raises(WeightFileChanged) as refused:
        session.read_rows(1990, 2000)
    assert refused.value.message.key == "weights.cut"
    assert session.rows.row(1999, 0, 4).size == 0  # the matrix view shows nothing more, and the explorer says why
    said = explorer.check_file()
    assert said is not None and said.status.text.startswith(f"{name} was cut on disk") and explorer.check_file() is None


def test_a_file_renamed_over_the_open_one_leaves_its_rows_as_they_were(tmp_path: Path) -> None:
    torch.manual_seed(2)
    matrix = torch.randn(2000, 16)
    path = _saved(tmp_path / "m.safetensors", matrix)
    explorer = Explorer(Setup.of(weights=open_weights(path), lang="en"))
    explorer.settle(explorer.start())
    _saved(tmp_path / "new.safetensors", torch.zeros(10, 16))
    os.replace(tmp_path / "new.safetensors", path)  # as checkpoints are saved: the open file is the old one
    assert torch.equal(explorer.session.read_rows(0, 2000), matrix)
    assert explorer.check_file().status.text.startswith("m.safetensors was replaced or removed on disk")


def test_rows_changed_by_training_are_read_from_memory_the_others_from_the_file(tmp_path: Path) -> None:
    torch.manual_seed(3)
    path = _saved(tmp_path / "m.safetensors", torch.randn(2000, 16))
    explorer = Explorer(Setup.of(weights=open_weights(path), ids="5, 1500", lang="en"))
    explorer.settle(explorer.start())
    explorer.toggle("freeze")
    explorer.settle(explorer.backward())
    explorer.settle(explorer.step())
    weight = explorer.session.layer.weight.detach()
    assert torch.equal(explorer.session.read_rows(0, 2000), weight)
    assert explorer.session.rows.row(1500, 0, 16).tolist() == weight[1500].tolist()


def test_a_cut_between_the_check_and_the_read_comes_back_short_and_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The race a check before reading leaves: the `stat` saw nothing, the file is cut, the read runs."""
    torch.manual_seed(4)
    path = _saved(tmp_path / "m.safetensors", torch.randn(2000, 16))
    explorer = Explorer(Setup.of(weights=open_weights(path), lang="en"))
    explorer.settle(explorer.start())
    monkeypatch.setattr(FileWatch, "check", lambda watch: Change.NONE)
    os.truncate(path, path.stat().st_size - 4096)
    assert explorer.session.read_rows(0, 1000).shape == (1000, 16)  # rows before the cut are still there
    with pytest.raises(WeightFileChanged) as refused:
        explorer.session.read_rows(0, 2000)
    assert refused.value.message.key == "weights.cut"
    with pytest.raises(WeightFileChanged):  # and never read again
        explorer.session.read_rows(0, 10)
