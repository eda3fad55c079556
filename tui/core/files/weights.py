"""Embedding matrices from weight files, which may come from strangers: nothing in a file is ever run.

Each format goes through its safe reader only: `.safetensors` through `safetensors.safe_open` (a header,
then the one tensor), `.pt/.pth/.bin` through `torch.load(weights_only=True, mmap=True)` (never a
fallback to `weights_only=False`), `.npy` through `np.load(mmap_mode="r", allow_pickle=False)`, `.npz` by
key with `allow_pickle=False`. Whatever goes wrong comes out as a `WeightFileError` with a catalog
message; nothing else escapes (the `tokenizers`/`safetensors` Rust code can raise a `BaseException`).
"""

from __future__ import annotations

import json
import math
import os
import pickle
import re
import struct
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import torch

from tui.core.files.embedding_names import FORMATS, KNOWN_KEYS
from tui.core.files.file_rows import FileRows, stored
from tui.core.files.limits import MAX_ELEMENTS
from tui.core.files.paths import FileProblem, checked, held, open_regular
from tui.core.files.script_files import ScriptFile
from tui.core.texts.messages import Message, MessageError
from tui.core.texts.shown import human_size

SAFETENSORS_DTYPES = {
    "F16": torch.float16, "BF16": torch.bfloat16, "F32": torch.float32, "F64": torch.float64,
    "F8_E4M3": torch.float8_e4m3fn, "F8_E5M2": torch.float8_e5m2,
}
# torch's float8 types: no embedding lookup, printing or training works in them, so their values are shown as the
# float32 they each are exactly (a copy in memory, within the limit of a copied matrix)
FLOAT8 = tuple(str(dtype).removeprefix("torch.") for dtype in (torch.float8_e4m3fn, torch.float8_e4m3fnuz, torch.float8_e5m2, torch.float8_e5m2fnuz))
NUMPY_DTYPES = {np.dtype("float16"): torch.float16, np.dtype("float32"): torch.float32, np.dtype("float64"): torch.float64}
LEGACY_LIMIT = MAX_ELEMENTS * 4  # bytes of a legacy torch file read whole: Llama 3's matrix in float32
if TYPE_CHECKING:
    from tui.core.files.quantized import QuantizedWeights

T = TypeVar("T")
SINGLE = "array"  # the key of a file that holds one unnamed tensor (.npy, a bare torch.save(tensor))


class WeightFileError(MessageError):
    """A weight file that cannot give an embedding matrix, with a catalog message saying why."""


class SeveralTensors(WeightFileError):
    """No known embedding name and several 2-D floating tensors: someone has to choose (`--key`, a picker)."""

    def __init__(self, path: Path, candidates: list[TensorInfo]) -> None:
        listing = _listing([info.describe() for info in candidates], "; ")
        super().__init__(Message("weights.several", {"path": path, "count": len(candidates), "listing": listing}))
        self.candidates = candidates


@dataclass(frozen=True)
class TensorInfo:
    """What a file's header says about one tensor, before any of its data is read."""

    key: str
    shape: tuple[int, ...]
    dtype: str  # "float32", "bfloat16", "int64", …
    nbytes: int
    sparse: bool = False
    copied: bool = False  # loading reads it into memory whole (.npy, .npz), not lazily from the file
    meta: bool = False  # on torch's "meta" device: a shape, and no values at all
    swapped: bool = False  # stored big-endian: converted to this machine's byte order when loaded
    quantized: float | None = None  # a GGUF block type: its bits per weight (`dtype` names the type)
    refused: Message | None = None  # why its reader cannot give its values (a GGUF type it cannot dequantize)

    def describe(self) -> str:
        return f"{self.key} {tuple(self.shape)} {self.dtype} {human_size(self.nbytes)}"

    def problem(self) -> Message | None:
        """Why this tensor cannot be an embedding matrix; None when it can."""
        params = {"name": self.key, "shape": tuple(self.shape), "dtype": self.dtype}
        if self.meta:
            return Message("weights.meta", params)
        if self.sparse:
            return Message("weights.sparse", params)
        if len(self.shape) != 2:
            return Message("weights.not_2d", {**params, "ndim": len(self.shape)})
        if self.refused is not None:
            return self.refused
        if self.dtype not in ("float16", "bfloat16", "float32", "float64", *FLOAT8) and self.quantized is None:
            return Message("weights.not_float", params)
        if 0 in self.shape:
            return Message("weights.empty_tensor", params)
        if (self.copied or self.dtype in FLOAT8) and math.prod(self.shape) > MAX_ELEMENTS:  # checked before anything is decompressed
            return Message("weights.too_big", {**params, "elements": math.prod(self.shape), "limit": MAX_ELEMENTS})
        return None


@dataclass(frozen=True)
class WeightFile:
    """The chosen tensor of a weight file, loaded, and the Python that loads it the same way."""

    path: Path
    key: str
    tensor: torch.Tensor
    code: Code
    file: FileRows | None = field(default=None, compare=False)  # the rows read from the file, for a tensor over its pages
    note: Message | None = None  # what was done to the values on the way in, to say once opened
    about: tuple[tuple[str, str], ...] = ()  # (catalog key of a label, value): the file's metadata, the model's config

    @property
    def nbytes(self) -> int:
        return self.tensor.numel() * self.tensor.element_size()

    @property
    def made(self) -> str:
        """How the layer is made of it, as the status line says."""
        return "layer = torch.nn.Embedding.from_pretrained(weight)"

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.tensor.shape)

    @property
    def dtype(self) -> str:
        return str(self.tensor.dtype).removeprefix("torch.")


@dataclass(frozen=True)
class Code:
    """A Python expression that loads the tensor, the imports it needs, and the file it reads, named `WEIGHTS`
    at the script's top (for copy as code)."""

    imports: tuple[str, ...]
    expression: str
    files: tuple[ScriptFile, ...] = ()


@dataclass(frozen=True)
class _Contents:
    """A file's tensors as its header lists them, how to load one, and how to say so in Python."""

    infos: list[TensorInfo]
    load: Callable[[str], torch.Tensor]
    code: Callable[[str], Code]
    file: Callable[[str], FileRows | None] | None  # a tensor over the file's pages: its rows by positional reads
    about: tuple[tuple[str, str], ...] = ()  # what the file says of itself (safetensors' __metadata__)
    blocks: Callable[[str], QuantizedWeights] | None = None  # a quantized tensor, left in its blocks (GGUF)


def open_weights(path: str | Path, key: str | None = None) -> WeightFile | QuantizedWeights:
    """The embedding matrix of a weight file: `key` when given, else a known name, else the only candidate.
    A quantized GGUF tensor stays in its blocks (`QuantizedWeights`)."""
    path = Path(path)

    def load() -> WeightFile | QuantizedWeights:
        contents = _read(path)
        info = choose(path, contents.infos, key)
        if info.quantized is not None and contents.blocks is not None:
            return contents.blocks(info.key)
        float8 = info.dtype in FLOAT8  # converted to float32 in memory: no rows to read from the file
        file = contents.file(info.key) if contents.file is not None and not float8 else None  # before its pages are mapped
        tensor, code = contents.load(info.key), replace(contents.code(info.key), files=(ScriptFile("WEIGHTS", "the weight file", path),))
        note = Message("weights.swapped", {"name": info.key}) if info.swapped else None
        if float8:
            tensor, code = tensor.float(), replace(code, expression=f"{code.expression}.float()")
            note = Message("weights.float8", {"name": info.key, "dtype": info.dtype})
        return WeightFile(path, info.key, tensor, code, file, note, contents.about)

    return _safely(path, load)


def header(path: str | Path, key: str | None = None) -> TensorInfo:
    """What the file says about the tensor `open_weights` would open, its values never read (a
    safetensors header; a torch file's tensors mapped, not loaded)."""
    path = Path(path)
    return _safely(path, lambda: choose(path, _read(path).infos, key))


def _safely(path: Path, read: Callable[[], T]) -> T:
    """`read()`, whatever it raises turned into a `WeightFileError` that says what is wrong with the file."""
    try:
        return read()
    except WeightFileError:
        raise
    except FileProblem as error:  # what lies at the path, or a file cut while it was read
        raise WeightFileError(error.message) from None
    except pickle.UnpicklingError as error:  # torch's weights-only unpickler: code it would not run, or garbage
        refused = re.search(r"\bGLOBAL\s+([\w.]+)", str(error))  # torch's words: "Unsupported global: GLOBAL x.y", "unsupported GLOBAL x.y"
        if refused is not None:
            raise WeightFileError(Message("weights.unsafe", {"path": path, "name": refused[1]})) from error
        raise WeightFileError(Message("weights.unreadable", {"path": path, "error": _said(error)})) from error
    except BaseException as error:  # noqa: BLE001 - the Rust readers panic with BaseExceptions
        if isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise WeightFileError(Message("weights.unreadable", {"path": path, "error": _said(error)})) from error


def choose(path: Path, infos: list[TensorInfo], key: str | None) -> TensorInfo:
    """The tensor to show: `key`; else a known embedding name; else the only 2-D floating tensor."""
    by_key = {info.key: info for info in infos}
    usable = sorted((info for info in infos if info.problem() is None), key=lambda info: -info.nbytes)
    if key is not None:
        if key not in by_key:
            choices = _listing([info.key for info in usable], ", ")
            raise WeightFileError(Message("weights.no_key", {"path": path, "name": key, "choices": choices}))
        problem = by_key[key].problem()
        if problem is not None:
            raise WeightFileError(problem)
        return by_key[key]
    for known in KNOWN_KEYS:
        if known in by_key:  # the embedding by its name: what is wrong with it is said, no other tensor taken
            problem = by_key[known].problem()
            if problem is not None:
                raise WeightFileError(problem)
            return by_key[known]
    if len(usable) == 1:
        return usable[0]
    if usable:
        raise SeveralTensors(path, usable)
    if len(infos) == 1:  # say what is wrong with the one tensor there is
        raise WeightFileError(infos[0].problem() or Message("weights.none", {"path": path, "listing": "-"}))
    listing = _listing([info.describe() for info in infos], "; ")
    raise WeightFileError(Message("weights.none", {"path": path, "listing": listing}))


# -- the readers ---------------------------------------------------------------------------------
def _read(path: Path) -> _Contents:
    checked(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise WeightFileError(Message("weights.format", {"path": path, "formats": ", ".join(FORMATS)}))
    if path.stat().st_size == 0:
        raise WeightFileError(Message("weights.empty_file", {"path": path}))
    if suffix == ".safetensors":
        return _read_safetensors(path)
    if suffix == ".npy":
        return _read_npy(path)
    if suffix == ".npz":
        return _read_npz(path)
    if suffix == ".gguf":
        return _read_gguf(path)
    return _read_torch(path)


def _read_safetensors(path: Path) -> _Contents:
    from safetensors import safe_open

    infos = []
    with held(path) as name, safe_open(name, framework="pt") as file:
        metadata = file.metadata() or {}
        for key in file.keys():  # noqa: SIM118 - safe_open is no mapping
            part = file.get_slice(key)
            shape, code = tuple(part.get_shape()), part.get_dtype()
            dtype = SAFETENSORS_DTYPES.get(code)
            name = str(dtype).removeprefix("torch.") if dtype else code.lower()
            itemsize = dtype.itemsize if dtype else 1
            infos.append(TensorInfo(key, shape, name, math.prod(shape) * itemsize))

    def load(key: str) -> torch.Tensor:
        """Over a private memory map of the file: pages are read when rows are looked at or looked up, so a
        1 GB matrix costs the rows on screen, and training's writes stay in memory, never in the file."""
        with held(path) as name, safe_open(name, framework="pt") as file:
            return file.get_tensor(key)

    def code(key: str) -> Code:
        opened = 'safe_open(WEIGHTS, framework="pt")'
        return Code(("from safetensors import safe_open",), f"{opened}.get_tensor({key!r})")

    def file(key: str) -> FileRows:
        """The tensor's bytes: 8 + the header's length + its `data_offsets` (safe_open checked them)."""
        with open_regular(path) as opened:
            (length,) = struct.unpack("<Q", opened.read(8))
            begin = json.loads(opened.read(length))[key]["data_offsets"][0]
        info = next(info for info in infos if info.key == key)
        (rows, cols), dtype = info.shape, getattr(torch, info.dtype)
        return FileRows(path, 8 + length + begin, (rows, cols), cols * dtype.itemsize, stored(dtype), dtype)

    about = tuple(("about.metadata", f"{name}={value}") for name, value in sorted(metadata.items()))
    return _Contents(infos, load, code, file, about=about)


def _read_gguf(path: Path) -> _Contents:
    """llama.cpp's format (`tui.core.files.gguf_files`): a copy-on-write memory map (training's writes stay in
    memory), the tensors as the header lists them, in rows × columns. F32, F16 and BF16 tensors load as they
    are; quantized ones are named with their type and bits per weight."""
    import gguf

    from tui.core.files import gguf_files

    try:
        parsed = gguf_files.reader(path)
    except (OSError, ValueError) as error:  # bad counts, offsets past the end, unknown types, a cut file
        raise WeightFileError(Message("gguf.unreadable", {"path": path, "error": _said(error).rstrip(".")})) from error
    tensors = parsed.tensors
    infos = []
    for tensor in tensors.values():
        kind, refused = tensor.kind, gguf_files.refusal(tensor)
        dtype = gguf_files.FLOATS.get(kind.name) or gguf_files.INTEGERS.get(kind.name) or kind.name.lower()
        block, block_bytes = gguf.GGML_QUANT_SIZES[kind]
        bits = None if kind.name in gguf_files.FLOATS or refused is not None else 8 * block_bytes / block
        infos.append(TensorInfo(tensor.name, tensor.shape, dtype, tensor.n_bytes, quantized=bits, refused=refused))

    def load(key: str) -> torch.Tensor:
        tensor = tensors[key]
        native = tensor.data if tensor.data.dtype.isnative else tensor.data.astype(tensor.data.dtype.newbyteorder("="))
        data = torch.from_numpy(native)  # a big-endian file's values are copied into this machine's order
        return data.view(torch.bfloat16) if tensor.kind.name == "BF16" else data

    def code(key: str) -> Code:
        found = f"next(t for t in GGUFReader(WEIGHTS, 'c').tensors if t.name == {key!r})"
        view = ".view(torch.bfloat16)" if tensors[key].kind.name == "BF16" else ""
        return Code(("from gguf import GGUFReader",), f"torch.from_numpy({found}.data){view}")

    about = [("about.gguf", f"{name}={_field_value(parsed.fields[name])}") for name in _gguf_about(parsed.fields)]
    about.append(("about.gguf_head", "output.weight" if "output.weight" in tensors else "token_embd.weight (tie_word_embeddings)"))
    by_key = {info.key: info for info in infos}

    def blocks(key: str) -> QuantizedWeights:
        from tui.core.files.quantized import QuantizedWeights, quantized_rows

        tensor, info = tensors[key], by_key[key]
        return QuantizedWeights(key, tensor.kind.name, info.shape, info.quantized, quantized_rows(path, tensor), about=tuple(about))

    def file(key: str) -> FileRows:
        tensor = tensors[key]
        rows, cols = tensor.shape
        dtype = getattr(torch, gguf_files.FLOATS[tensor.kind.name])
        order = ">" if tensor.data.dtype.byteorder == ">" else "<"
        return FileRows(path, tensor.offset, (rows, cols), cols * dtype.itemsize, stored(dtype, order), dtype)

    return _Contents(infos, load, code, file, about=tuple(about), blocks=blocks)


def _gguf_about(fields: Mapping[str, object]) -> list[str]:
    """The key/values worth reading: the architecture and name, context length, embedding size, file type,
    tokenizer model; not the token lists."""
    architecture = fields.get("general.architecture", "")
    wanted = ("general.architecture", "general.name", "general.file_type", f"{architecture}.context_length",
              f"{architecture}.embedding_length", f"{architecture}.vocab_size", "tokenizer.ggml.model")
    return [name for name in wanted if name in fields]


def _field_value(value: object) -> object:
    """A key/value as the about panel shows it: a short array in full, a long one by its length (Python's
    words, the same in every language)."""
    if isinstance(value, np.ndarray | Sequence) and not isinstance(value, str):
        return f"[…] (len {len(value)})" if len(value) > 8 else list(value.tolist() if isinstance(value, np.ndarray) else value)
    return value


def _read_npy(path: Path) -> _Contents:
    with held(path) as name:
        array = np.load(name, mmap_mode="r", allow_pickle=False)
    info = _numpy_info(SINGLE, tuple(array.shape), array.dtype)
    code = Code(("import numpy as np",), f"torch.from_numpy({_native('np.load(WEIGHTS)', info)})")
    return _Contents([info], lambda key: _from_numpy(array), lambda key: code, None)


def _read_npz(path: Path) -> _Contents:
    """Each member's shape and dtype from its header: nothing is decompressed until one is chosen (a few MB
    of compressed zeros can hold gigabytes)."""
    with open_regular(path) as file, zipfile.ZipFile(file) as archive:
        infos = [_npz_member(archive, name) for name in archive.namelist() if name.endswith(".npy")]

    by_key = {info.key: info for info in infos}

    def load(key: str) -> torch.Tensor:
        with open_regular(path) as file, np.load(file, allow_pickle=False) as archive:
            return _from_numpy(archive[key])

    def code(key: str) -> Code:
        loaded = f"np.load(WEIGHTS)[{key!r}]"
        return Code(("import numpy as np",), f"torch.from_numpy({_native(loaded, by_key[key])})")

    return _Contents(infos, load, code, None)


def _npz_member(archive: zipfile.ZipFile, name: str) -> TensorInfo:
    with archive.open(name) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(member)
        else:
            shape, _, dtype = np.lib.format.read_array_header_2_0(member)
    return _numpy_info(name.removesuffix(".npy"), shape, dtype)


def _numpy_info(key: str, shape: tuple[int, ...], dtype: np.dtype) -> TensorInfo:
    swapped = not dtype.isnative  # big-endian on this machine: the values are converted when loaded
    torch_dtype = NUMPY_DTYPES.get(dtype.newbyteorder("=") if swapped else dtype)
    name = str(torch_dtype).removeprefix("torch.") if torch_dtype else str(dtype)
    return TensorInfo(key, tuple(shape), name, math.prod(shape) * dtype.itemsize, copied=True, swapped=swapped)


def _native(expression: str, info: TensorInfo) -> str:
    """The copied script's array in this machine's byte order, as the app converts it."""
    return f"{expression}.astype({info.dtype!r})" if info.swapped else expression


def _from_numpy(array: np.ndarray) -> torch.Tensor:
    """A writable copy in this machine's byte order: a memory map of the file is read-only, training writes
    to the weight, and torch takes native byte order only."""
    return torch.from_numpy(np.array(array, dtype=array.dtype.newbyteorder("=")))


def _read_torch(path: Path) -> _Contents:
    with held(path) as name:
        legacy = not zipfile.is_zipfile(name)  # torch's old format: read into memory whole, it cannot be mapped
        if legacy and os.stat(name).st_size > LEGACY_LIMIT:
            size, limit = human_size(os.stat(name).st_size), human_size(LEGACY_LIMIT)
            raise WeightFileError(Message("weights.legacy_too_big", {"path": path, "size": size, "limit": limit}))
        if not legacy:
            with zipfile.ZipFile(name) as archive:
                if any("/code/" in member or member.endswith("constants.pkl") for member in archive.namelist()):
                    raise WeightFileError(Message("weights.torchscript", {"path": path}))
        with warnings.catch_warnings():  # torch's warnings about pickle protocols would land on the screen
            warnings.simplefilter("ignore")
            loaded = torch.load(name, map_location="cpu", weights_only=True, mmap=not legacy)
    found = {".".join(parts) or SINGLE: (parts, tensor) for parts, tensor in _tensors(loaded)}
    tensors = {key: tensor for key, (_, tensor) in found.items()}

    def code(key: str) -> Code:
        indexing = "".join(f"[{part!r}]" for part in found[key][0])
        return Code((), f"torch.load(WEIGHTS, weights_only=True){indexing}")

    infos = [
        TensorInfo(
            key,
            tuple(tensor.shape),
            str(tensor.dtype).removeprefix("torch."),
            tensor.numel() * tensor.element_size(),
            sparse=tensor.layout != torch.strided,
            meta=tensor.is_meta,
        )
        for key, tensor in tensors.items()
    ]
    if legacy:
        return _Contents(infos, tensors.__getitem__, code, None)
    base = _mapped_at(path, tensors.values())

    def file(key: str) -> FileRows | None:
        tensor = tensors[key]
        if base is None or tensor.dim() != 2 or tensor.stride() != (tensor.shape[1], 1):
            tensors[key] = tensor = tensor.clone()  # where its bytes lie is unknown: a copy in memory, read now
            return None
        rows, cols = tensor.shape
        return FileRows(path, tensor.data_ptr() - base, (rows, cols), cols * tensor.element_size(), stored(tensor.dtype), tensor.dtype)

    return _Contents(infos, tensors.__getitem__, code, file)


def _mapped_at(path: Path, tensors: Iterable[torch.Tensor]) -> int | None:
    """Where `torch.load(mmap=True)` mapped the file: the address every storage lies at, less its record's
    offset in the (uncompressed) zip; None when no one address fits them all."""
    offsets = set()
    with open_regular(path) as opened, zipfile.ZipFile(opened) as archive:
        for record in archive.infolist():
            if record.compress_type == zipfile.ZIP_STORED and "/data/" in record.filename:
                opened.seek(record.header_offset)
                name_length, extra_length = struct.unpack("<HH", opened.read(30)[26:30])
                offsets.add(record.header_offset + 30 + name_length + extra_length)
    bases: set[int] | None = None
    for tensor in tensors:
        if tensor.is_meta or tensor.layout != torch.strided or not tensor.untyped_storage().nbytes():
            continue
        fits = {tensor.untyped_storage().data_ptr() - offset for offset in offsets}
        bases = fits if bases is None else bases & fits
    return next(iter(bases)) if bases is not None and len(bases) == 1 else None


def _tensors(value: object, parts: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], torch.Tensor]]:
    """Every tensor in what `torch.load` returned, with the keys that lead to it (a bare tensor: none)."""
    if isinstance(value, torch.Tensor):
        yield parts, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _tensors(item, (*parts, str(key)))


def _listing(items: list[str], separator: str, shown: int = 6) -> str | Message:
    """The first few, and how many more there are: `a; b; c; … (4994 more)`."""
    if len(items) <= shown:
        return separator.join(items) or "-"
    return Message("weights.more", {"shown": separator.join(items[:shown]), "separator": separator, "count": len(items) - shown})


def _said(error: BaseException) -> str:
    """An exception as one short line: its type and the first line of its message."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200]}" if text else type(error).__name__
