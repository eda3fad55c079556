"""ARCHITECTURE.md names every module under `tui/` where it lies, and no module that is not there."""

from __future__ import annotations

import re
from pathlib import Path

import tui

PACKAGE = Path(tui.__file__).parent
ARCHITECTURE = PACKAGE.parent / "ARCHITECTURE.md"
NAME = re.compile(r"\b[\w]+\.(?:py|tcss)\b")


def named() -> set[str]:
    """The files the tree in ARCHITECTURE.md names, as paths under `tui/`: a line ending in `/` opens a
    folder at its indent; the names before a line's description (two spaces on) lie in the folder above it."""
    tree = ARCHITECTURE.read_text(encoding="utf-8").split("```")[1]
    folders: list[tuple[int, str]] = []
    names: set[str] = set()
    for line in tree.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        folders = [(depth, folder) for depth, folder in folders if depth < indent]
        entry = re.split(r"\s{2,}", line.strip())[0]
        if entry.endswith("/"):
            folders.append((indent, entry.rstrip("/")))
            continue
        inside = "/".join(folder for _, folder in folders[1:])  # under tui/
        names |= {f"{inside}/{name}".lstrip("/") for name in NAME.findall(entry)}
    return names


def test_every_module_is_named_where_it_lies() -> None:
    files = {str(path.relative_to(PACKAGE)) for pattern in ("*.py", "*.tcss") for path in PACKAGE.rglob(pattern) if path.name != "__init__.py"}
    assert files - named() == set(), "not in ARCHITECTURE.md"
    assert named() - files == set(), "named in ARCHITECTURE.md, not in tui/"
