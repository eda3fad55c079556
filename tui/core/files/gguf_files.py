"""GGUF files, parsed once each: the key/values and tensor infos of the header, the tensors as numpy views over
a copy-on-write memory map (training's writes never reach the file).

The header is read here rather than by llama.cpp's `gguf.GGUFReader`, which makes several numpy views for
every element of every array: seconds for a 128k-token list. This reader follows the same format (versions
2 and 3, either byte order) and takes the tensor types, their block sizes and byte shapes from the `gguf`
package; tests compare what it reads with `GGUFReader`.
"""

from __future__ import annotations

import array
import functools
import os
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tui.core.files.paths import checked, open_regular
from tui.core.texts.messages import Message

if TYPE_CHECKING:
    from gguf import GGMLQuantizationType

MAGIC = b"GGUF"
VERSIONS = (2, 3)
MAX_DIMS = 4  # ggml's GGML_MAX_DIMS
MAX_NESTING = 8  # arrays of arrays: llama.cpp writes none; deeper ones are refused before Python's stack runs out
SCALARS = {0: "u1", 1: "i1", 2: "u2", 3: "i2", 4: "u4", 5: "i4", 6: "f4", 7: "?", 10: "u8", 11: "i8", 12: "f8"}
STRING, ARRAY = 8, 9
ELEMENTS = {"F32": "f4", "F16": "f2", "F64": "f8", "I8": "i1", "I16": "i2", "I32": "i4", "I64": "i8"}  # as GGUFReader
FLOATS = {"F32": "float32", "F16": "float16", "BF16": "bfloat16", "F64": "float64"}  # tensors loaded as they are
INTEGERS = {"I8": "int8", "I16": "int16", "I32": "int32", "I64": "int64"}


@dataclass(frozen=True)
class GGUFTensor:
    """One tensor: its name and type, its shape in rows × columns (GGUF lists the columns first), and its
    data: typed for the float and integer types, bytes (rows × bytes per row) for the others, as
    `GGUFReader` gives them."""

    name: str
    kind: GGMLQuantizationType
    shape: tuple[int, ...]
    n_bytes: int
    data: np.ndarray
    offset: int  # where its data begins in the file


@dataclass(frozen=True)
class GGUFFile:
    """The header's key/values (a scalar array as numpy, a string array as `Texts`) and the tensors."""

    fields: dict[str, object]
    tensors: dict[str, GGUFTensor]


def reader(path: Path) -> GGUFFile:
    """The file, parsed; parsed again only when it has changed (its size or modification time)."""
    stat = os.stat(checked(path))
    return _parsed(Path(path).resolve(), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=2)
def _parsed(path: Path, size: int, modified: int) -> GGUFFile:
    with open_regular(path) as file:
        return parse(np.memmap(file, mode="c"))


def parse(data: np.ndarray) -> GGUFFile:
    """The GGUF file whose bytes are `data`; a ValueError that says what is wrong when they are not one."""
    from gguf import GGML_QUANT_SIZES, GGMLQuantizationType
    from gguf.quants import quant_shape_to_byte_shape

    header = _Header(memoryview(data).cast("B"))
    fields: dict[str, object] = {}
    for _ in range(header.count(header.kv_count, 12, "key/values")):
        key = header.text()
        if key in fields:
            raise ValueError(f"duplicate key {key!r}")
        fields[key] = header.value(header.scalar("u4"))
    infos = [header.tensor_info() for _ in range(header.count(header.tensor_count, 24, "tensors"))]
    alignment = fields.get("general.alignment", 32)
    if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
        raise ValueError(f"general.alignment {alignment!r} is not a power of two")
    start = -(-header.offset // alignment) * alignment
    tensors: dict[str, GGUFTensor] = {}
    for name, dims, raw_kind, offset in infos:
        if name in tensors:
            raise ValueError(f"duplicate tensor {name!r}")
        try:
            kind = GGMLQuantizationType(raw_kind)
        except ValueError:
            raise ValueError(f"tensor {name!r} has an unknown type {raw_kind}") from None
        block, block_bytes = GGML_QUANT_SIZES[kind]
        elements = int(np.prod(dims, dtype=object))
        n_bytes = elements * block_bytes // block
        if start + offset + n_bytes > len(data):
            raise ValueError(f"tensor {name!r} ends past the end of the file ({start + offset + n_bytes} > {len(data)} bytes)")
        shape = tuple(reversed(dims))
        if kind.name in ELEMENTS:
            dtype, stored = np.dtype(ELEMENTS[kind.name]).newbyteorder(header.order), shape
        else:
            dtype, stored = np.dtype(np.uint8), quant_shape_to_byte_shape(shape, kind)
        view = data[start + offset:start + offset + n_bytes].view(dtype).reshape(stored)
        tensors[name] = GGUFTensor(name, kind, shape, n_bytes, view, start + offset)
    return GGUFFile(fields, tensors)


def refusal(tensor: GGUFTensor) -> Message | None:
    """Why `tensor` cannot be shown as an embedding matrix by its type: integers are no embedding, and a
    block type that gguf's Python cannot dequantize (Q8_1, Q8_K, Q1_0, …) cannot be read; None otherwise."""
    kind = tensor.kind.name
    if kind in INTEGERS:
        return Message("weights.not_float", {"name": tensor.name, "shape": tensor.shape, "dtype": INTEGERS[kind]})
    if kind in FLOATS or dequantizable(tensor.kind):
        return None
    supported = ", ".join([*FLOATS, *(other.name for other in type(tensor.kind) if dequantizable(other))])
    return Message("gguf.unsupported", {"name": tensor.name, "kind": kind, "supported": supported})


@functools.cache
def dequantizable(kind: GGMLQuantizationType) -> bool:
    """Whether `gguf.quants.dequantize` reads `kind`'s blocks: one block of zeros tried (the package says
    which types it lacks only by raising NotImplementedError)."""
    from gguf import GGML_QUANT_SIZES
    from gguf.quants import dequantize

    if kind.name in FLOATS or kind.name in INTEGERS:
        return False
    try:
        dequantize(np.zeros((1, GGML_QUANT_SIZES[kind][1]), np.uint8), kind)
    except NotImplementedError:
        return False
    return True


class Texts(Sequence[str]):
    """A string array of the file, decoded as it is read (UTF-8; a malformed byte shows as �)."""

    def __init__(self, buffer: memoryview, starts: array.array, end: int) -> None:
        self._buffer, self._starts, self._end = buffer, starts, end  # each string's first byte; the array's end

    def __len__(self) -> int:
        return len(self._starts)

    def __getitem__(self, index: int) -> str:  # type: ignore[override] - no slices: read them one by one
        start = self._starts[index]
        stop = self._starts[index + 1] - 8 if index + 1 < len(self._starts) else self._end
        return str(self._buffer[start:stop], "utf-8", errors="replace")

    def __iter__(self) -> Iterator[str]:
        buffer, starts = self._buffer, self._starts
        stops = [*(start - 8 for start in starts[1:]), self._end] if starts else []
        for start, stop in zip(starts, stops, strict=True):
            yield str(buffer[start:stop], "utf-8", errors="replace")


class _Header:
    """A cursor over the header's bytes, in the file's byte order; every read is checked against the end."""

    def __init__(self, buffer: memoryview) -> None:
        self.buffer, self.offset = buffer, 0
        if bytes(self._take(4)) != MAGIC:
            raise ValueError("not a GGUF file (its first bytes are not GGUF)")
        version = int.from_bytes(self._take(4), "little")
        self.order = "<" if version & 0xFFFF else ">"  # a file written on a machine of the other byte order
        version = version if self.order == "<" else int.from_bytes(version.to_bytes(4, "little"), "big")
        if version not in VERSIONS:
            raise ValueError(f"GGUF version {version} is not one of {VERSIONS}")
        self.tensor_count, self.kv_count = self.scalar("u8"), self.scalar("u8")

    def _take(self, size: int) -> memoryview:
        end = self.offset + size
        if end > len(self.buffer):
            raise ValueError(f"the file ends inside its header (at byte {len(self.buffer)}, {end} needed)")
        taken, self.offset = self.buffer[self.offset:end], end
        return taken

    def count(self, count: int, least_bytes: int, what: str) -> int:
        """`count` items of at least `least_bytes` each, when the rest of the file can hold them."""
        if count * least_bytes > len(self.buffer) - self.offset:
            raise ValueError(f"{count} {what} cannot fit in the {len(self.buffer) - self.offset} bytes left")
        return count

    def scalar(self, code: str) -> int | float | bool:
        dtype = np.dtype(code).newbyteorder(self.order)
        return np.frombuffer(self._take(dtype.itemsize), dtype)[0].item()

    def text(self) -> str:
        size = self.scalar("u8")
        return str(self._take(self.count(size, 1, "bytes of text")), "utf-8", errors="replace")

    def value(self, kind: int, depth: int = 0) -> object:
        if kind in SCALARS:
            return self.scalar(SCALARS[kind])
        if kind == STRING:
            return self.text()
        if kind != ARRAY:
            raise ValueError(f"unknown value type {kind}")
        item, length = self.scalar("u4"), self.scalar("u8")
        if item in SCALARS:
            dtype = np.dtype(SCALARS[item]).newbyteorder(self.order)
            return np.frombuffer(self._take(self.count(length, dtype.itemsize, "values") * dtype.itemsize), dtype)
        if item == STRING:
            return self._texts(self.count(length, 8, "strings"))
        if depth + 2 > MAX_NESTING:  # this array, the arrays in it, and the `depth` arrays around it
            raise ValueError(f"arrays nested more than {MAX_NESTING} deep")
        return [self.value(item, depth + 1) for _ in range(self.count(length, 12, "arrays"))]

    def _texts(self, count: int) -> Texts:
        """A string array (a 128k-token list, 280k merges) walked for where each string lies; each is decoded
        when it is read."""
        buffer, offset, end = self.buffer, self.offset, len(self.buffer)
        size_of = struct.Struct(f"{self.order}Q").unpack_from
        starts = array.array("q", bytes(8 * count))
        for index in range(count):
            if offset + 8 > end:
                raise ValueError("the file ends inside a string array")
            (size,) = size_of(buffer, offset)
            starts[index] = offset = offset + 8
            offset += size
            if offset > end:
                raise ValueError("the file ends inside a string array")
        self.offset = offset
        return Texts(buffer, starts, offset)

    def tensor_info(self) -> tuple[str, tuple[int, ...], int, int]:
        name = self.text()
        dims = self.scalar("u4")
        if not 1 <= dims <= MAX_DIMS:
            raise ValueError(f"tensor {name!r} has {dims} dimensions (1 to {MAX_DIMS})")
        shape = tuple(self.scalar("u8") for _ in range(dims))
        return name, shape, self.scalar("u4"), self.scalar("u8")
