"""A weight file's layer: `nn.Embedding.from_pretrained`, looked up, printed by `lookup`, copied as code."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from tests.core.test_weights import Payload
from tui.core.chapter.session import EmbeddingSession
from tui.core.chapter.spec import LayerSpec
from tui.core.files.weights import open_weights
from tui.core.tokens.parse import parse_ids


def weight() -> torch.Tensor:
    torch.manual_seed(7)
    return torch.randn(10, 4)


def files(folder: Path) -> list[Path]:
    """The same matrix in every format, under a name each format's search has to find."""
    save_file({"wte.weight": weight(), "wpe.weight": torch.zeros(3, 4)}, folder / "m.safetensors")
    torch.save({"model": {"tok_emb.weight": weight()}, "epoch": 3}, folder / "m.pt")
    np.save(folder / "m.npy", weight().numpy())
    np.savez(folder / "m.npz", embedding=weight().numpy())
    return [folder / name for name in ("m.safetensors", "m.pt", "m.npy", "m.npz")]


def opened(path: Path) -> EmbeddingSession:
    weights = open_weights(path)
    return EmbeddingSession(LayerSpec.of_file(weights), weights)


def test_the_layer_is_from_pretrained_frozen_as_torch_makes_it(tmp_path: Path) -> None:
    for path in files(tmp_path):
        session = opened(path)
        lookup = session.lookup(parse_ids("9, 0, 9"))
        assert lookup.text == repr(torch.nn.Embedding.from_pretrained(weight())(torch.tensor([9, 0, 9])))
        assert session.frozen and not lookup.weight.requires_grad
        session.set_frozen(False)
        assert session.lookup(parse_ids("1")).grad_fn == "EmbeddingBackward0"


def test_lookup_command_opens_a_weight_file(tmp_path: Path, cli) -> None:
    path = files(tmp_path)[0]
    done = cli("lookup", "--weights", str(path), "9", "0")
    assert done.returncode == 0, done.stderr
    layer = torch.nn.Embedding.from_pretrained(weight())
    assert repr(layer.weight) in done.stdout
    assert repr(layer(torch.tensor([9, 0]))) in done.stdout
    assert "from_pretrained(wte.weight)" in done.stdout
    assert cli("lookup", "--weights", str(path), "10").returncode == 2  # 10 rows: IDs 0..9


@pytest.mark.parametrize("command", [(), ("lookup", "1")])
def test_a_bad_weight_file_is_one_line_and_exit_2_before_any_screen(tmp_path: Path, command, cli) -> None:
    marker = tmp_path / "pwned"
    torch.save({"wte.weight": weight(), "x": Payload(marker)}, tmp_path / "evil.pt")
    for args, expected in [
        (("--weights", str(tmp_path / "evil.pt")), "weights_only=True"),
        (("--weights", str(tmp_path / "missing.safetensors")), "no such file"),
        (("--weights", str(files(tmp_path)[0]), "--key", "nope"), "no tensor 'nope'"),
    ]:
        done = cli(*command, *args)
        assert done.returncode == 2 and expected in done.stderr and done.stderr.count("\n") == 1, done.stderr
        assert "Traceback" not in done.stderr
    assert not marker.exists()


def test_lookup_finds_the_vocabulary_beside_the_weights(cli, minilm: Path) -> None:
    done = cli("lookup", "--weights", str(minilm / "model.safetensors"), "101", "7592", "1010")
    assert done.returncode == 0, done.stderr
    assert "tokens: [CLS] hello ," in done.stdout
    bad = minilm.parent.parent / "no-vocab.txt"
    assert cli("lookup", "--vocab", str(bad), "1").returncode == 2


def test_bad_ids_are_still_refused_before_torch_is_imported() -> None:
    code = "import sys, tui.cli; print(tui.cli.main(['lookup', 'abc']), 'torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == ["2", "False"]


def test_lookup_text_with_gpt2_sizes_the_layer_to_its_vocabulary(cli) -> None:
    from tests.core.test_tokenizer import GPT2_IDS, GPT2_TEXT

    done = cli("lookup", "--tokenizer", "gpt2", "--text", GPT2_TEXT)
    assert done.returncode == 0, done.stderr
    assert f"ids: {list(GPT2_IDS)}" in done.stdout
    assert "tokens: Hello | , | ␣do | ␣you" in done.stdout
    torch.manual_seed(123)
    layer = torch.nn.Embedding(50257, 3)
    assert repr(layer(torch.tensor(GPT2_IDS))) in done.stdout


def test_lookup_text_with_the_books_tokenizer(tmp_path: Path, cli) -> None:
    (tmp_path / "verdict.txt").write_text("I HAD always thought Jack Gisburn rather a cheap genius.", encoding="utf-8")
    done = cli("lookup", "--vocab-from-text", str(tmp_path / "verdict.txt"), "--text", "Jack, a genius.")
    assert done.returncode == 0, done.stderr
    assert "tokens: Jack | <|unk|> (,) | a | genius | ." in done.stdout
    assert "shape=(5, 3)" in done.stdout  # 11 words and punctuation, then <|endoftext|> and <|unk|>:
    assert "layer.weight: Parameter=True  shape=(13, 3)" in done.stdout


def test_text_without_a_tokenizer_says_how_to_get_one(cli) -> None:
    done = cli("lookup", "--text", "hello")
    assert done.returncode == 2 and "Text needs a tokenizer: --tokenizer gpt2" in done.stderr


def test_a_tokenizer_that_is_not_a_tokenizer_json_is_one_line(cli, minilm: Path) -> None:
    vocab_txt = minilm / "vocab.txt"
    done = cli("lookup", "--tokenizer", str(vocab_txt), "--text", "hello")
    assert done.returncode == 2 and "not a Hugging Face tokenizer.json" in done.stderr and "Traceback" not in done.stderr


def test_layer_options_are_checked_against_the_files_rows(cli, minilm: Path) -> None:
    weights = str(minilm / "model.safetensors")
    done = cli("--padding-idx", "100", "lookup", "--weights", weights, "100")  # refused against 6 rows before
    assert done.returncode == 0, done.stderr
    assert "shape=(30522, 384)" in done.stdout
    done = cli("--padding-idx", "40000", "lookup", "--weights", weights, "1")
    assert done.returncode == 2 and "padding_idx must be a whole number from -30522 to 30521 (got 40000)" in done.stderr


def test_a_files_layer_trains_with_unfreeze_and_size_options_are_refused_with_it(cli, tmp_path: Path) -> None:
    path = files(tmp_path)[0]
    assert "element 0 of tensors does not require grad" in cli("lookup", "--weights", str(path), "1", "--backward", "sum").stderr
    done = cli("--unfreeze", "lookup", "--weights", str(path), "1", "--backward", "sum")
    assert done.returncode == 0, done.stderr
    assert "rows with gradient: [1]" in done.stdout
    done = cli("--dim", "8", "--seed", "1", "lookup", "--weights", str(path), "1")
    assert done.returncode == 2 and "--dim, --seed cannot apply with --weights" in done.stderr
