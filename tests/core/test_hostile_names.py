"""Names from files and users (tensor, file and folder names, model ids) reach the terminal printable through
every subcommand: no escape sequence, title change, bidi override, NUL or C1 control in the bytes written."""

import string
from pathlib import Path

import numpy as np
import torch
from gguf import GGMLQuantizationType, GGUFWriter
from gguf.quants import quantize
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.torch import save_file

from tests.core.test_models import cached
from tui.core.texts.shown import printable

# An escape sequence, a title change (OSC), bidi overrides and isolates, NUL, a C1 control, Rich markup.
HOSTILE = "x\x1b[31mred\x1b]0;pwned\x07\u202eabc\u2066d\u2069\x00\x85\x9b[bold]b[/bold]"
ON_DISK = HOSTILE.replace("\x00", "").replace("/", "")  # what a file name can hold
PIECES = ["\x1b[2J", "\x1b]0;title\x07", "\u202e", "\u2066", "\u2069", "\x00", "\x85", "\x9b", "\r", "\t", "[bold]", "[/]", "\u200b", "\ufeff"]


def raw(text: str) -> list[str]:
    """The characters of `text` that would act on a terminal (anything `printable` escapes), line breaks aside."""
    return sorted({char for char in text if char != "\n" and printable(char) != char})


def quantized_gguf(path: Path, name: str) -> Path:
    """A GGUF file whose only tensor, Q8_0 blocks, is called `name`."""
    writer = GGUFWriter(path, "llama")
    blocks = quantize(np.random.default_rng(1).standard_normal((6, 64)).astype(np.float32), GGMLQuantizationType.Q8_0)
    writer.add_tensor(name, blocks, raw_shape=blocks.shape, raw_dtype=GGMLQuantizationType.Q8_0)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


names = st.lists(st.sampled_from(PIECES) | st.text(string.ascii_letters, min_size=1, max_size=3), min_size=1, max_size=6).map("".join)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names)
def test_lookup_prints_a_quantized_tensors_name_printable(tmp_path: Path, cli, name: str) -> None:
    path = quantized_gguf(tmp_path / "model.gguf", name)
    done = cli("--weights", str(path), "lookup", "1")
    assert done.returncode == 0, done.stderr
    assert raw(done.stdout + done.stderr) == [] and printable(name) in done.stdout


def test_every_subcommand_writes_hostile_names_printable(tmp_path: Path, cli, monkeypatch) -> None:
    folder = tmp_path / ON_DISK
    folder.mkdir()
    weights = folder / f"{ON_DISK}.safetensors"
    save_file({HOSTILE: torch.randn(8, 4), "other": torch.randn(5, 4)}, weights)
    gguf = quantized_gguf(folder / f"{ON_DISK}.gguf", HOSTILE)
    (folder / "vocab.txt").write_text("\n".join([ON_DISK, *"abcdefg"]) + "\n", encoding="utf-8")
    cache = tmp_path / "cache"
    cached(cache, f"org/{ON_DISK}", {"model.safetensors": weights})
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    runs = [
        cli("--weights", str(gguf), "lookup", "1"),
        cli("--weights", str(weights), "--key", HOSTILE, "--vocab", str(folder / "vocab.txt"), "lookup", "0", "1"),
        cli("--weights", str(weights), "lookup", "1"),  # two tensors: the refusal lists their names
        cli("--weights", str(folder / "missing.gguf"), "lookup", "1"),
        cli("--weights", str(weights), "--key", HOSTILE, "--vocab", str(folder / "vocab.txt"), "neighbours", "0", "--k", "3"),
        cli("--weights", str(weights), "--key", HOSTILE, "--vocab", str(folder / "vocab.txt"), "neighbours", "0", "--k", "3", "--format", "tsv"),
        cli("--weights", str(weights), "--key", HOSTILE, "--vocab", str(folder / "vocab.txt"), "neighbours", ON_DISK, "--k", "3"),  # a token of the vocabulary
        cli("models", str(folder), str(gguf)),
        cli("models"),  # the cache: a model id made of a folder's name
        cli("windows", "--text-file", str(folder / "missing.txt")),
        cli("lookup", "--text", HOSTILE, "--tokenizer", str(folder / "tokenizer.json")),
        cli("bpe", "--tokenizer", "gpt2", "--text", HOSTILE, "--steps"),
        cli("bpe", "--tokenizer", str(folder / "tokenizer.json"), "--text", HOSTILE, "--steps"),
    ]
    written = "".join(done.stdout + done.stderr for done in runs)
    assert raw(written.replace("\t", " ")) == []  # TSV columns are tabs; the names hold none
    assert printable(HOSTILE) in written and printable(f"org/{ON_DISK}") in written
    assert [done.returncode for done in runs] == [0, 0, 2, 2, 0, 0, 0, 0, 0, 2, 2, 0, 2]


@given(name=names)
def test_a_sentence_never_carries_a_name_raw_in_either_language(name: str) -> None:
    from tui.core.texts.messages import LANGUAGES, Message

    for lang in LANGUAGES:
        for said in (Message("file.missing", {"path": Path(name.replace("\x00", ""))}), Message("weights.no_key", {"path": "f", "name": name, "choices": name})):
            assert raw(said.render(lang)) == [] and printable(name.replace("\x00", "") if said.key == "file.missing" else name) in said.render(lang)
