"""Files the app cannot show as they are are shown converted, or refused saying exactly why in one line (exit
2), never with a traceback; and output that cannot be written is one line on stderr (exit 1)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from gguf import GGML_QUANT_SIZES, GGMLQuantizationType, GGUFWriter
from safetensors.torch import save_file

from tui.core.explorer.explorer import Explorer, Setup
from tui.core.files.weights import WeightFileError, open_weights

ROOT = Path(__file__).resolve().parents[2]


class Custom:
    """A class of the test's own: torch's weights-only unpickler does not know it."""


class Blocked:
    """Unpickled, this would run a shell: torch blocks the module outright."""

    def __reduce__(self):
        return (os.system, ("true",))


@pytest.mark.parametrize("payload", [Custom(), Blocked()], ids=["custom class", "blocked module"])
def test_a_refused_pickle_names_what_torch_refused_in_our_words(tmp_path: Path, payload: object) -> None:
    path = tmp_path / "evil.pt"
    torch.save({"wte.weight": torch.zeros(3, 3), "evil": payload}, path)
    with pytest.raises(Exception) as torchs:  # the installed torch's own text: "Unsupported global: GLOBAL x" or "unsupported GLOBAL x"
        torch.load(path, weights_only=True)
    assert "GLOBAL" in str(torchs.value)
    with pytest.raises(WeightFileError) as raised:
        open_weights(path)
    said = raised.value.message
    name = "test_refusals.Custom" if isinstance(payload, Custom) else "system"
    assert said.key == "weights.unsafe" and name in said.english() and said.english().endswith("It is never loaded in an unsafe way.")
    assert "\x1b" not in said.render("es") and "PyTorch 2.6" not in said.english()


def test_a_float8_matrix_is_shown_as_the_float32_it_holds(tmp_path: Path, cli, run_scripts) -> None:
    values = torch.randn(6, 4).to(torch.float8_e4m3fn)
    save_file({"weight": values, "scale": torch.ones(2, 2).to(torch.float8_e5m2)}, tmp_path / "f8.safetensors")
    weights = open_weights(tmp_path / "f8.safetensors", "weight")
    assert weights.tensor.dtype == torch.float32 and torch.equal(weights.tensor, values.float())
    assert weights.note.key == "weights.float8" and weights.file is None  # a copy: nothing over the file's pages
    explorer = Explorer(Setup.of(weights=weights, ids="1, 4", lang="en"))
    explorer.settle(explorer.start())
    (printed,) = run_scripts(explorer.code_script())  # the copied script converts the same way
    assert explorer.lookup.text in printed and explorer.session.weight_text() in printed
    done = cli("--weights", str(tmp_path / "f8.safetensors"), "--key", "weight", "lookup", "1")
    assert done.returncode == 0 and "stored as float8_e4m3fn: it is shown converted to float32" in done.stdout


def gguf_of(path: Path, kind: GGMLQuantizationType) -> Path:
    """A GGUF file whose token_embd.weight (6 rows) is stored as `kind`."""
    block, size = GGML_QUANT_SIZES[kind]
    writer = GGUFWriter(path, "llama")
    if kind.name in ("F64", "I8", "I32"):
        dtype = {"F64": np.float64, "I8": np.int8, "I32": np.int32}[kind.name]
        writer.add_tensor("token_embd.weight", np.arange(6 * 8).reshape(6, 8).astype(dtype))
    else:
        blocks = np.zeros((6, 256 // block * size if 256 % block == 0 else size), np.uint8)
        writer.add_tensor("token_embd.weight", blocks, raw_shape=blocks.shape, raw_dtype=kind)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.mark.parametrize("kind", ["I8", "I32", "Q8_1", "Q8_K", "Q1_0"])
def test_a_gguf_embedding_of_a_type_that_cannot_be_shown_is_refused_by_name(tmp_path: Path, cli, kind: str) -> None:
    path = gguf_of(tmp_path / "model.gguf", GGMLQuantizationType[kind])
    done = cli("--weights", str(path), "lookup", "1")
    reason = "holds int" if kind.startswith("I") else f"stored as GGUF {kind}, which the gguf package cannot dequantize; the types that can be shown are F32, F16, BF16, F64, Q4_0"
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and reason in done.stderr
    listed = cli("models", str(path))
    assert listed.returncode == 0 and "✗" in listed.stdout and reason in listed.stdout  # `models` says the same


def test_a_float64_gguf_embedding_is_shown(tmp_path: Path, cli) -> None:
    path = gguf_of(tmp_path / "model.gguf", GGMLQuantizationType.F64)
    assert open_weights(path).tensor.dtype == torch.float64
    done = cli("--weights", str(path), "lookup", "1")
    assert done.returncode == 0 and "dtype=torch.float64" in done.stdout


def command(shell: str) -> subprocess.CompletedProcess[str]:
    """`embedding-explorer …` with the redirections of `shell` (`{cli}` stands for the program)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"}
    return subprocess.run(["sh", "-c", shell.format(cli=f"'{sys.executable}' -m tui")], capture_output=True, text=True, env=env, cwd=ROOT)


def test_output_that_cannot_be_written_is_one_line_on_stderr_and_errors_never_go_to_stdout() -> None:
    for shell in ("{cli} --help > /dev/full", "{cli} models --help >&-", "{cli} lookup 1 >&-"):
        done = command(shell)
        assert done.returncode == 1 and done.stderr.count("\n") == 1 and "The output could not be written" in done.stderr, shell
    done = command("{cli} lookup x 2>&-")  # a refusal with stderr closed: the exit code says it, stdout stays clean
    assert done.returncode == 2 and done.stdout == ""
