"""A memory-mapped weight file, watched.

A `.safetensors` or `.pt` tensor lies over the file's own pages. If the file is written to in place, the
rows on screen change under the app; if it is cut short, reading a page past its new end kills the
process (SIGBUS). So the file's identity is kept from when it was opened, and checked (one `stat`) before
rows are read. A new file at the same path (written elsewhere and renamed, as checkpoints are) or a
deleted one is harmless: the mapping keeps the old file's pages.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from tui.core.texts.messages import Message, MessageError


class WeightFileChanged(MessageError):
    """The file under a weight's pages changed in place on disk: its rows are not read any more."""


class Change(Enum):
    NONE = "none"
    REPLACED = "replaced"  # another file at the path, or none: the mapped pages are still the opened file's
    WRITTEN = "written"  # the same file, changed in place: its pages cannot be trusted, nor read safely


@dataclass(frozen=True)
class Snapshot:
    size: int
    mtime_ns: int
    inode: int
    device: int

    @classmethod
    def take(cls, path: Path) -> Snapshot | None:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_dev)


class FileWatch:
    """The file as it was when opened; `check` says what has become of it since."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.opened = Snapshot.take(path)
        self.now = self.opened  # as last checked

    def check(self) -> Change:
        self.now = Snapshot.take(self.path)
        opened, now = self.opened, self.now
        if now == opened:
            return Change.NONE
        if now is None or opened is None or (now.inode, now.device) != (opened.inode, opened.device):
            return Change.REPLACED
        return Change.WRITTEN


class MappedRows:
    """Whether rows mapped from a file may still be read: not once the file changed in place (checked on each
    call, one `stat`; a file cut short would kill the process when a page past its end is read)."""

    def __init__(self, watch: FileWatch | None) -> None:
        self.watch = watch
        self.detached = False  # the file changed in place: its rows are never read again

    def readable(self) -> bool:
        if self.watch is not None and not self.detached and self.watch.check() is Change.WRITTEN:
            self.detached = True
        return not self.detached

    def check(self) -> None:
        """Raise `WeightFileChanged` before anything reads or writes the rows, if they are unsafe."""
        if self.readable():
            return
        from tui.core.texts.shown import human_size

        before, after = self.watch.opened.size, self.watch.now.size if self.watch.now else 0
        key = "weights.cut" if after != before else "weights.written"
        params = {"file": self.watch.path.name, "before": human_size(before), "after": human_size(after)}
        raise WeightFileChanged(Message(key, params))
