"""GGUF files written by llama.cpp's own `gguf` package: the token embedding, the file's tokens, what the file
says of itself; quantized types named and refused for now; malformed files refused in one line."""

import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from gguf import GGMLQuantizationType, GGUFWriter
from gguf.quants import quantize

from tui.core.explorer import Explorer, Setup
from tui.core.tokenizer import beside
from tui.core.weights import WeightFileError, open_weights

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
    assert ("about.gguf_head", "token_embd.weight (no output.weight)") in weights.about  # tied: no head of its own
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


def test_a_quantized_embedding_is_named_and_refused_not_swapped_for_another_tensor(tmp_path: Path, embedding: np.ndarray) -> None:
    for kind, bits in ((GGMLQuantizationType.Q8_0, "8.5"), (GGMLQuantizationType.Q4_0, "4.5")):
        path = written(tmp_path / f"{kind.name}.gguf", embedding, kind, head=True)  # output.weight is F16
        with pytest.raises(WeightFileError) as raised:
            open_weights(path)
        assert raised.value.message.key == "gguf.quantized"
        assert f"is {kind.name.lower()}, a quantized GGUF type ({bits} bits per weight)" in raised.value.message.english()
    assert open_weights(path, "output.weight").key == "output.weight"  # asked for by name: the head opens


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
