"""GGUF files written by llama.cpp's own `gguf` package: the header as llama.cpp's reader reads it, the token
embedding, the file's tokens, what the file says of itself; quantized rows dequantized on demand; malformed
files refused in one line."""

import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from gguf import (
    GGML_QUANT_SIZES,
    GGMLQuantizationType,
    GGUFEndian,
    GGUFReader,
    GGUFValueType,
    GGUFWriter,
)
from gguf.quants import dequantize, quantize

from tui.core.chapter.spec import LayerOptions
from tui.core.explorer.dialogs import Notice, TrainingChoice
from tui.core.explorer.explorer import Explorer, Setup
from tui.core.explorer.tasks import Task
from tui.core.files import gguf_files
from tui.core.files.quantized import QuantizedWeights
from tui.core.files.weights import WeightFileError, open_weights
from tui.core.tokens.tokenizer import beside

TOKENS = ["<|endoftext|>", "Ġhello", "Ġworld", "!", "ĠÃ©", "x"]  # byte-level BPE, as GPT-2's GGUF files store them


def written(path: Path, embedding: np.ndarray, kind: GGMLQuantizationType, tokens: list[str] | None = TOKENS, head: bool = False) -> Path:
    """A GGUF file as llama.cpp's converter writes one: key/values, the token list, token_embd.weight."""
    writer = GGUFWriter(path, "gpt2")
    writer.add_context_length(1024)
    writer.add_embedding_length(embedding.shape[1])
    if tokens is not None:
        writer.add_tokenizer_model("gpt2")
        writer.add_token_list(tokens)
    data = embedding if kind is GGMLQuantizationType.F32 else quantize(embedding, kind)
    if kind is GGMLQuantizationType.F16:
        writer.add_tensor("token_embd.weight", embedding.astype(np.float16))
    elif kind is GGMLQuantizationType.F32:
        writer.add_tensor("token_embd.weight", data)
    else:
        writer.add_tensor("token_embd.weight", data, raw_shape=data.shape, raw_dtype=kind)
    if head:
        writer.add_tensor("output.weight", embedding.astype(np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.mark.parametrize("endian", [GGUFEndian.LITTLE, GGUFEndian.BIG], ids=lambda endian: endian.name)
def test_the_header_reads_as_llama_cpps_reader_reads_it(tmp_path: Path, endian: GGUFEndian) -> None:
    path = tmp_path / "model.gguf"
    writer = GGUFWriter(path, "llama", endianess=endian)
    writer.add_custom_alignment(64)
    writer.add_bool("test.flag", True)
    writer.add_float64("test.scale", 0.1)
    writer.add_int8("test.small", -3)
    writer.add_array("test.scores", [0.5, -1.25, 3.0])
    writer.add_array("test.nested", [[1, 2], [3]])
    writer.add_token_list(["<s>", "▁hé", "", "x" * 300])
    writer.add_token_types([1, 2, 3, 1])
    values = np.random.default_rng(1).standard_normal((4, 64)).astype(np.float32)
    writer.add_tensor("token_embd.weight", quantize(values, GGMLQuantizationType.Q8_0), raw_shape=(4, 68), raw_dtype=GGMLQuantizationType.Q8_0)
    writer.add_tensor("output.weight", values.astype(np.float16))  # the writer swaps the bytes for a big-endian file
    writer.add_tensor("norm.weight", values[0])
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    theirs, ours = GGUFReader(path), gguf_files.reader(path)
    wanted = {name: field for name, field in theirs.fields.items() if not name.startswith("GGUF.")}
    assert list(ours.fields) == list(wanted)
    for name, field in wanted.items():
        value = ours.fields[name]
        if field.types[:2] == [GGUFValueType.ARRAY, GGUFValueType.ARRAY]:  # gguf's reader flattens nested arrays
            assert [item for inner in value for item in inner.tolist()] == field.contents(), name
        else:
            assert (value.tolist() if isinstance(value, np.ndarray) else list(value) if isinstance(value, gguf_files.Texts) else value) == field.contents(), name
    assert list(ours.tensors) == [tensor.name for tensor in theirs.tensors]
    for tensor in theirs.tensors:
        mine = ours.tensors[tensor.name]
        assert mine.kind == tensor.tensor_type and mine.shape == tuple(reversed(tensor.shape.tolist()))
        assert mine.n_bytes == tensor.n_bytes and mine.data.shape == tensor.data.shape and np.array_equal(mine.data, tensor.data)


@pytest.fixture
def embedding() -> np.ndarray:
    return np.random.default_rng(7).standard_normal((len(TOKENS), 64)).astype(np.float32)


@pytest.mark.parametrize("kind", [GGMLQuantizationType.F32, GGMLQuantizationType.F16, GGMLQuantizationType.BF16])
def test_float_embeddings_open_as_they_are_with_the_files_tokens(tmp_path: Path, embedding: np.ndarray, kind) -> None:
    path = written(tmp_path / "model.gguf", embedding, kind)
    weights = open_weights(path)
    expected = {
        GGMLQuantizationType.F32: torch.from_numpy(embedding),
        GGMLQuantizationType.F16: torch.from_numpy(embedding.astype(np.float16)),
        GGMLQuantizationType.BF16: torch.from_numpy(embedding).to(torch.bfloat16),
    }[kind]
    assert weights.key == "token_embd.weight" and torch.equal(weights.tensor, expected)
    assert ("about.gguf", "general.architecture=gpt2") in weights.about and ("about.gguf", "gpt2.context_length=1024") in weights.about
    assert ("about.gguf_head", "token_embd.weight (tie_word_embeddings)") in weights.about  # tied: no head of its own
    vocab, tokenizer = beside(path)
    assert tokenizer is None and [vocab.label(row) for row in range(6)] == ["<|endoftext|>", "␣hello", "␣world", "!", "␣é", "x"]


def test_training_writes_stay_in_memory_and_the_copied_script_reads_the_same_rows(tmp_path: Path, embedding: np.ndarray, run_scripts) -> None:
    path = written(tmp_path / "model.gguf", embedding, GGMLQuantizationType.F32)
    before = path.read_bytes()
    explorer = Explorer(Setup.of(weights=open_weights(path), ids="1, 2", freeze=False))
    explorer.settle(explorer.start())
    explorer.settle(explorer.backward())
    explorer.settle(explorer.step())
    assert path.read_bytes() == before  # copy-on-write: the file never changes
    script = explorer.code_script()
    assert "from gguf import GGUFReader" in script
    session = explorer.session
    (printed,) = run_scripts(script)
    expected = "\n".join([explorer.lookup.text, session.weight_text(), repr(session.layer.weight.grad)]) + "\n"
    assert printed == expected


SCALES = {"Q4_K": (0, 2), "Q5_K": (0, 2), "Q6_K": (208,)}  # where each block keeps its float16 scales


def raw_blocks(kind: GGMLQuantizationType, rows: int, cols: int) -> np.ndarray:
    """K-quant blocks gguf's Python cannot make: random quants with small finite float16 scales."""
    block, size = GGML_QUANT_SIZES[kind]
    data = np.random.default_rng(3).integers(0, 256, (rows, cols // block, size), dtype=np.uint8)
    for offset in SCALES[kind.name]:
        data[:, :, offset : offset + 2] = np.frombuffer(np.float16(0.01).tobytes(), dtype=np.uint8)
    return data.reshape(rows, -1)


def quantized_file(path: Path, kind: GGMLQuantizationType, rows: int = len(TOKENS), cols: int = 256) -> tuple[Path, np.ndarray]:
    """A GGUF file whose token_embd.weight is in `kind`'s blocks; the blocks."""
    if kind.name in SCALES:
        blocks = raw_blocks(kind, rows, cols)
    else:
        blocks = quantize(np.random.default_rng(5).standard_normal((rows, cols)).astype(np.float32), kind)
    writer = GGUFWriter(path, "llama")
    writer.add_tokenizer_model("llama")
    writer.add_token_list(["<s>", "▁hello", "▁world", "!", "a", "b"][:rows] + [f"t{i}" for i in range(max(0, rows - 6))])
    writer.add_tensor("token_embd.weight", blocks, raw_shape=blocks.shape, raw_dtype=kind)
    writer.add_tensor("output.weight", np.zeros((rows, cols), np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path, blocks


KINDS = [GGMLQuantizationType.Q8_0, GGMLQuantizationType.Q4_0, GGMLQuantizationType.Q4_K, GGMLQuantizationType.Q5_K, GGMLQuantizationType.Q6_K]


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_quantized_rows_are_dequantized_on_demand_exactly(tmp_path: Path, kind: GGMLQuantizationType) -> None:
    path, blocks = quantized_file(tmp_path / "model.gguf", kind)
    weights = open_weights(path)
    assert isinstance(weights, QuantizedWeights) and weights.kind == kind.name and weights.shape == (6, 256)
    block, size = GGML_QUANT_SIZES[kind]
    assert weights.bits == 8 * size / block
    explorer = Explorer(Setup.of(weights=weights, ids="[[1, 2], [5, 1]]", lang="en"))
    view = explorer.settle(explorer.start())
    ids = np.array([[1, 2], [5, 1]])
    expected = torch.from_numpy(dequantize(blocks[ids.reshape(-1)], kind).reshape(2, 2, 256))
    assert explorer.lookup.text == repr(expected) and view.result.text == repr(expected)
    assert np.array_equal(view.matrix.rows.row(5, 0, 256), dequantize(blocks[[5]], kind)[0])
    assert f"{kind.name.lower()} · requires_grad=False · GGUF {kind.name}, {weights.bits:.4g} bits per weight" in view.matrix.title
    assert view.status.text.startswith(f"rows = dequantize(token_embd.weight[ids], {kind.name}), as llama.cpp's get_rows")
    vocab, _ = beside(path)
    assert [vocab.label(row) for row in range(3)] == ["<s>", "␣hello", "␣world"]  # SentencePiece's ▁ is a space
    view = explorer.edit("1, 6", 4)  # no row 6: torch's own words for it
    assert view.status.error and view.status.text.endswith("valid IDs are 0..5. torch says: IndexError: index out of range in self")
    view = explorer.edit("", 0)  # no IDs: an empty result, as torch gives one
    assert explorer.lookup.shape == (0, 256) and view.result.text == repr(torch.empty(0, 256))


def test_the_lab_is_off_for_a_quantized_matrix_and_says_why(tmp_path: Path) -> None:
    path, _ = quantized_file(tmp_path / "model.gguf", GGMLQuantizationType.Q4_K)
    explorer = Explorer(Setup.of(weights=open_weights(path), ids="1", lang="en"))
    explorer.settle(explorer.start())
    for action in (explorer.backward, explorer.step, explorer.zero_grad, explorer.undo, explorer.reset, explorer.one_hot):
        view = action()
        assert isinstance(view.dialog, Notice) and view.jobs == (), action
        assert view.dialog.title == "The training lab is off for a quantized matrix" and "is Q4_K (4.5 bits per weight)" in view.dialog.text
    assert isinstance(explorer.toggle("freeze").dialog, Notice) and explorer.session.frozen
    assert explorer.apply_training(TrainingChoice("sum", 0.1, LayerOptions(sparse=True))).dialog is not None
    explorer.toggle("no_grad")  # allowed: nothing records a graph anyway
    assert explorer.lookup.text.startswith("tensor(") and "grad_fn" not in explorer.lookup.text
    positions = Explorer(Setup.of(weights=open_weights(path), context_length=4, lang="en"))
    view = positions.settle(positions.start())
    assert positions.session is None and view.status.error and "no nn.Embedding" in view.status.text


def test_the_copied_script_reads_the_same_rows_with_gguf(tmp_path: Path, run_scripts, cli) -> None:
    scenarios = []
    for kind in (GGMLQuantizationType.Q8_0, GGMLQuantizationType.Q6_K):
        path, _ = quantized_file(tmp_path / f"{kind.name}.gguf", kind)
        explorer = Explorer(Setup.of(weights=open_weights(path), ids="[[0, 3], [4, 4]]", lang="en"))
        explorer.settle(explorer.start())
        scenarios.append((explorer.code_script(), explorer.lookup.text + "\n"))
    printed = run_scripts(*(script for script, _ in scenarios))
    assert printed == [shown for _, shown in scenarios]
    done = cli("--model", str(path), "lookup", "3", "4")  # a GGUF file is a model too
    assert done.returncode == 0 and "Q6_K blocks (6.562 bits per weight)" in done.stdout and "print(rows)" in done.stdout


def test_malformed_files_are_one_line(tmp_path: Path, embedding: np.ndarray, cli) -> None:
    good = written(tmp_path / "good.gguf", embedding, GGMLQuantizationType.F32).read_bytes()
    name = good.find(b"token_embd.weight") + len(b"token_embd.weight")  # then: n_dims u32, dims u64 × 2, type u32, offset u64
    variants = {
        "cut": good[: len(good) // 2],
        "magic": b"XXXX" + good[4:],
        "dims": good[: name + 4] + struct.pack("<2Q", 64, 10**12) + good[name + 20 :],
        "offset": good[: name + 24] + struct.pack("<Q", 10**9) + good[name + 32 :],
        "type": good[: name + 20] + struct.pack("<I", 999) + good[name + 24 :],
        "count": good[:8] + struct.pack("<Q", 10**15) + good[16:],
    }
    for label, data in variants.items():
        path = tmp_path / f"{label}.gguf"
        path.write_bytes(data)
        with pytest.raises(WeightFileError) as raised:
            open_weights(path)
        assert raised.value.message.key == "gguf.unreadable", label
        done = cli("--weights", str(path), "lookup", "1")
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and "is not a GGUF file" in done.stderr, label


def test_a_gguf_without_tokens_opens_unlabelled(tmp_path: Path, embedding: np.ndarray, cli) -> None:
    path = written(tmp_path / "bare.gguf", embedding, GGMLQuantizationType.F32, tokens=None)
    assert beside(path) == (None, None)
    done = cli("--weights", str(path), "lookup", "1")
    assert done.returncode == 0 and repr(torch.from_numpy(embedding[[1]])) in done.stdout


def test_the_files_tokens_label_the_rows_once_the_matrix_is_on_screen(tmp_path: Path, embedding: np.ndarray) -> None:
    path = written(tmp_path / "model.gguf", embedding, GGMLQuantizationType.F32)
    explorer = Explorer(Setup.of(weights=open_weights(path), labels_later=path, lang="en"))
    (made,) = explorer.start().jobs
    view = explorer.finish(made, made.run())
    assert explorer.session is not None and explorer.vocab is None  # the matrix first, unlabelled
    assert view.jobs[0].task is Task.LABELS and explorer.busy is None  # typing goes on
    view = explorer.settle(view)
    assert [explorer.vocab.label(row) for row in range(3)] == ["<|endoftext|>", "␣hello", "␣world"]
    assert view.status.text == "Row labels from model.gguf: 6 tokens."
    bare = written(tmp_path / "bare.gguf", embedding, GGMLQuantizationType.F32, tokens=None)
    unlabelled = Explorer(Setup.of(weights=open_weights(bare), labels_later=bare, lang="en"))
    view = unlabelled.settle(unlabelled.start())
    assert unlabelled.vocab is None and not view.status.error
