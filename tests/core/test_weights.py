"""Weight files: every format round-trips, the embedding is found by itself, bad files give our error only."""

import io
import json
import os
import pathlib
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.torch import save_file

from tests.depth import examples
from tui.core.chapter.rows import TensorRows
from tui.core.files.weights import SeveralTensors, WeightFileError, open_weights


def matrix(rows: int = 6, cols: int = 3, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    torch.manual_seed(123)
    return torch.randn(rows, cols).to(dtype)


def write(path: Path, tensors: dict[str, torch.Tensor]) -> Path:
    """`tensors` saved the way `path`'s suffix says."""
    suffix = path.suffix
    if suffix == ".safetensors":
        save_file(tensors, path)
    elif suffix == ".npy":
        (tensor,) = tensors.values()
        np.save(path, tensor.numpy())
    elif suffix == ".npz":
        np.savez(path, **{key: tensor.numpy() for key, tensor in tensors.items()})
    else:
        torch.save(tensors, path)
    return path


def error_key(path: Path, key: str | None = None) -> str:
    with pytest.raises(WeightFileError) as raised:
        open_weights(path, key)
    return raised.value.message.key


# -- round trips -------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".safetensors", ".pt", ".pth", ".bin", ".npz"])
def test_every_format_gives_back_the_embedding_by_its_known_name(tmp_path: Path, suffix: str) -> None:
    tensors = {"pos_emb.weight": matrix(4, 3), "tok_emb.weight": matrix(6, 3), "out_head.weight": matrix(9, 3)}
    opened = open_weights(write(tmp_path / f"model{suffix}", tensors))
    assert opened.key == "tok_emb.weight"
    assert torch.equal(opened.tensor, tensors["tok_emb.weight"])


def test_a_single_array_file_is_its_one_tensor(tmp_path: Path) -> None:
    opened = open_weights(write(tmp_path / "emb.npy", {"x": matrix()}))
    assert torch.equal(opened.tensor, matrix())
    assert opened.tensor.numpy().flags.writeable  # a copy: training writes to the weight
    torch.save(matrix(), tmp_path / "bare.pt")
    assert torch.equal(open_weights(tmp_path / "bare.pt").tensor, matrix())


def test_nested_state_dicts_are_searched_with_dotted_keys(tmp_path: Path) -> None:
    torch.save({"model": {"transformer": {"wte.weight": matrix()}}, "step": 7}, tmp_path / "checkpoint.pt")
    opened = open_weights(tmp_path / "checkpoint.pt")
    assert opened.key == "model.transformer.wte.weight"


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64])
def test_half_precision_stays_as_it_is(tmp_path: Path, dtype: torch.dtype) -> None:
    for suffix in (".safetensors", ".pt"):
        opened = open_weights(write(tmp_path / f"m{suffix}", {"wte.weight": matrix(dtype=dtype)}))
        assert opened.tensor.dtype == dtype


def test_nan_and_inf_are_kept_as_torch_shows_them(tmp_path: Path) -> None:
    weight = torch.tensor([[float("nan"), float("inf")], [-float("inf"), 1.0]])
    opened = open_weights(write(tmp_path / "m.safetensors", {"wte.weight": weight}))
    assert "nan" in repr(opened.tensor) and "inf" in repr(opened.tensor)


# -- choosing the tensor -----------------------------------------------------------------------
def test_key_chooses_and_a_missing_key_lists_the_candidates(tmp_path: Path) -> None:
    path = write(tmp_path / "m.safetensors", {"a": matrix(4, 3), "b": matrix(9, 3), "bias": torch.zeros(3)})
    assert open_weights(path, key="a").key == "a"
    with pytest.raises(WeightFileError) as raised:
        open_weights(path, key="c")
    assert raised.value.message.key == "weights.no_key" and "b, a" in str(raised.value)
    assert error_key(path, key="bias") == "weights.not_2d"


def test_several_unknown_candidates_need_a_choice_largest_first(tmp_path: Path) -> None:
    path = write(tmp_path / "m.safetensors", {"a": matrix(4, 3), "b": matrix(9, 3), "bias": torch.zeros(3)})
    with pytest.raises(SeveralTensors) as raised:
        open_weights(path)
    assert [info.key for info in raised.value.candidates] == ["b", "a"]
    assert "--key" in str(raised.value)


@pytest.mark.parametrize(
    "tensor, expected",
    [
        (torch.zeros(6), "weights.not_2d"),
        (torch.zeros(2, 3, 4), "weights.not_2d"),
        (torch.zeros(0, 3), "weights.empty_tensor"),
        (torch.zeros(6, 3, dtype=torch.int64), "weights.not_float"),
    ],
)
def test_a_file_with_one_unusable_tensor_says_what_is_wrong_with_it(tmp_path: Path, tensor, expected) -> None:
    assert error_key(write(tmp_path / "m.safetensors", {"w": tensor})) == expected
    assert error_key(write(tmp_path / "m.pt", {"w": tensor})) == expected


def test_a_meta_tensor_has_no_values_to_show(tmp_path: Path) -> None:
    torch.save({"wte.weight": torch.empty(6, 3, device="meta")}, tmp_path / "m.pt")
    assert error_key(tmp_path / "m.pt") == "weights.meta"


def test_a_sparse_tensor_is_refused(tmp_path: Path) -> None:
    torch.save({"wte.weight": matrix().to_sparse()}, tmp_path / "m.pt")
    assert error_key(tmp_path / "m.pt", key="wte.weight") == "weights.sparse"


# -- bad files ---------------------------------------------------------------------------------
def test_missing_folder_empty_and_unknown_files(tmp_path: Path) -> None:
    assert error_key(tmp_path / "nope.safetensors") == "file.missing"
    assert error_key(tmp_path) == "file.folder"
    (tmp_path / "empty.pt").write_bytes(b"")
    assert error_key(tmp_path / "empty.pt") == "weights.empty_file"
    (tmp_path / "model.txt").write_text("hello")
    assert error_key(tmp_path / "model.txt") == "weights.format"


@pytest.mark.parametrize("suffix", [".safetensors", ".pt", ".bin", ".npy", ".npz"])
def test_random_bytes_and_truncated_files(tmp_path: Path, suffix: str) -> None:
    (tmp_path / f"random{suffix}").write_bytes(np.random.default_rng(0).bytes(4096))
    assert error_key(tmp_path / f"random{suffix}") == "weights.unreadable"
    good = write(tmp_path / f"good{suffix}", {"wte.weight": matrix(60, 30)})
    (tmp_path / f"cut{suffix}").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert error_key(tmp_path / f"cut{suffix}") == "weights.unreadable"


def test_a_malformed_safetensors_header(tmp_path: Path) -> None:
    header = b'{"wte.weight": {"dtype": "F32", "shape": [6, 3], "data_offsets": [0, 9999]}'  # no closing brace
    (tmp_path / "m.safetensors").write_bytes(len(header).to_bytes(8, "little") + header + bytes(72))
    assert error_key(tmp_path / "m.safetensors") == "weights.unreadable"


class Payload:
    """Unpickling this would create the marker file: it must never appear."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (self.marker,))


@pytest.mark.parametrize("suffix", [".pt", ".bin", ".pth"])
def test_a_pickle_that_would_run_code_is_never_run(tmp_path: Path, suffix: str) -> None:
    marker = tmp_path / "pwned"
    torch.save({"wte.weight": matrix(), "evil": Payload(marker)}, tmp_path / f"zip{suffix}")
    assert error_key(tmp_path / f"zip{suffix}") == "weights.unsafe"
    with open(tmp_path / f"raw{suffix}", "wb") as raw:
        pickle.dump(Payload(marker), raw)
    assert error_key(tmp_path / f"raw{suffix}") == "weights.unreadable"  # torch's unpickler stops at its first opcode
    np.save(tmp_path / "objects.npy", np.array([Payload(marker)], dtype=object), allow_pickle=True)
    assert error_key(tmp_path / "objects.npy") == "weights.unreadable"
    assert not marker.exists()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch.jit: how such archives are made
def test_a_torchscript_archive_is_refused(tmp_path: Path) -> None:
    torch.jit.save(torch.jit.script(torch.nn.Embedding(6, 3)), tmp_path / "scripted.pt")
    assert error_key(tmp_path / "scripted.pt") == "weights.torchscript"


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    suffix=st.sampled_from([".safetensors", ".pt", ".npy", ".npz"]),
    cut=st.floats(0, 1),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 7)), max_size=4),
)
def test_mutated_files_give_a_matrix_or_our_error_only(tmp_path: Path, suffix: str, cut: float, flips) -> None:
    data = bytearray(write(tmp_path / f"good{suffix}", {"wte.weight": matrix(12, 5)}).read_bytes())
    for where, bit in flips:
        data[min(len(data) - 1, int(where * len(data)))] ^= 1 << bit
    path = tmp_path / f"mutated{suffix}"
    path.write_bytes(bytes(data[: max(1, int(cut * len(data)))]))
    try:
        opened = open_weights(path)
    except WeightFileError:
        return
    tensor = opened.tensor  # a matrix the app can show: every row readable, inside the file, looked up by torch
    assert tensor.dim() == 2 and tensor.is_floating_point() and opened.nbytes <= path.stat().st_size
    rows, cols = tensor.shape
    assert TensorRows(tensor).row(rows - 1, 0, cols).shape == (cols,)
    layer = torch.nn.Embedding.from_pretrained(tensor)
    assert repr(layer(torch.tensor([0, rows - 1]))).startswith("tensor(")


# -- a real model ------------------------------------------------------------------------------
def test_minilm_opens_on_its_word_embeddings_by_itself(minilm: Path) -> None:
    opened = open_weights(minilm / "model.safetensors")
    assert opened.key == "embeddings.word_embeddings.weight"
    assert tuple(opened.tensor.shape) == (30522, 384) and opened.tensor.dtype == torch.float32


@pytest.mark.parametrize("suffix", [".safetensors", ".pt", ".npy"])
def test_an_unreadable_file(tmp_path: Path, suffix: str, monkeypatch) -> None:
    path = write(tmp_path / f"m{suffix}", {"wte.weight": matrix()})
    real_open = os.open

    def refuse(file, *args, **kwargs):  # as chmod 000 does for anyone but root (tests may run as root)
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)  # every reader opens through tui.core.files.paths
    assert error_key(path) == "file.unreadable"
    with pytest.raises(WeightFileError) as raised:
        open_weights(path)
    assert "Permission denied" in str(raised.value)


def test_a_huge_npz_member_is_refused_from_its_header_before_anything_is_decompressed(tmp_path: Path) -> None:
    """200000 × 5000 float64 zeros compress to a few MB and decompress to 8 GB: only the header is read."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (200000, 5000)})
    with zipfile.ZipFile(tmp_path / "zeros.npz", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("embedding.npy", header.getvalue() + bytes(4096))  # the magic, the header, a little data
    with pytest.raises(WeightFileError) as raised:
        open_weights(tmp_path / "zeros.npz")
    assert raised.value.message.key == "weights.too_big"
    assert "'embedding' has shape (200000, 5000) (1000000000 elements)" in raised.value.message.english()


def test_a_huge_npy_is_refused_before_it_is_copied_into_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.npy"
    with path.open("wb") as file:  # a sparse file: 4 GB on paper, nothing on disk
        np.lib.format.write_array_header_1_0(file, {"descr": "<f4", "fortran_order": False, "shape": (200000, 5000)})
        file.truncate(file.tell() + 200000 * 5000 * 4)
    assert error_key(path) == "weights.too_big"


def test_what_is_not_a_file_on_disk_is_named_for_what_it_is(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.safetensors")
    assert error_key(tmp_path / "pipe.safetensors") == "file.special"  # not "empty (0 bytes)"
    assert error_key(Path("/dev/zero")) == "file.special"
    (tmp_path / "loop.pt").symlink_to(tmp_path / "loop.pt")
    with pytest.raises(WeightFileError) as loop:
        open_weights(tmp_path / "loop.pt")
    assert loop.value.message.key == "file.loop" and "loops" in loop.value.message.english()


def test_a_long_list_of_candidates_says_how_many_more(tmp_path: Path) -> None:
    save_file({f"t{index:04}": torch.ones(2, 2) for index in range(50)}, tmp_path / "many.safetensors")
    with pytest.raises(SeveralTensors) as several:
        open_weights(tmp_path / "many.safetensors")
    assert len(several.value.candidates) == 50 and several.value.message.english().endswith("… (44 more).")


def test_a_safetensors_header_not_padded_to_8_bytes_is_read(tmp_path: Path) -> None:
    """The format allows it; safetensors' own reader takes it (a hand-made mapping refused it)."""
    weight = torch.arange(18, dtype=torch.float32).reshape(6, 3)
    header = json.dumps({"wte.weight": {"dtype": "F32", "shape": [6, 3], "data_offsets": [0, 72]}}).encode()
    assert len(header) % 8
    (tmp_path / "m.safetensors").write_bytes(len(header).to_bytes(8, "little") + header + weight.numpy().tobytes())
    assert torch.equal(open_weights(tmp_path / "m.safetensors").tensor, weight)


def test_torchs_old_format_is_read_whole_with_weights_only(tmp_path: Path) -> None:
    torch.save({"wte.weight": matrix()}, tmp_path / "old.pt", _use_new_zipfile_serialization=False)
    opened = open_weights(tmp_path / "old.pt")
    assert torch.equal(opened.tensor, matrix()) and opened.file is None  # a copy in memory: nothing read from the file
    marker = tmp_path / "pwned"
    torch.save({"wte.weight": matrix(), "evil": Payload(marker)}, tmp_path / "evil.pt", _use_new_zipfile_serialization=False)
    assert error_key(tmp_path / "evil.pt") == "weights.unsafe" and not marker.exists()


def test_a_big_endian_npy_is_converted_and_says_so(tmp_path: Path) -> None:
    np.save(tmp_path / "be.npy", matrix().numpy().astype(">f4"))
    opened = open_weights(tmp_path / "be.npy")
    assert torch.equal(opened.tensor, matrix()) and opened.tensor.dtype == torch.float32
    assert opened.note.key == "weights.swapped" and ".astype('float32')" in opened.code.expression
