"""GGUF files read with llama.cpp's own `gguf.GGUFReader`, one reader per file: it parses every key/value
up front (a 128k-token list takes seconds), so the weights and the tokens of a file share one."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gguf import GGUFReader


def reader(path: Path) -> GGUFReader:
    """The file's reader, copy-on-write (training's writes never reach the file); parsed again only when the
    file has changed (its size or modification time)."""
    stat = os.stat(path)
    return _parsed(Path(path).resolve(), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=2)
def _parsed(path: Path, size: int, modified: int) -> GGUFReader:
    import gguf

    return gguf.GGUFReader(path, "c")
