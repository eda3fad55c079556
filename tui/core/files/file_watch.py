"""A weight file, watched: replaced, or changed in place since it was opened.

A file written to in place would change the rows on screen under the app, so its identity is kept from
when it was opened and checked (one `stat`) before rows are read (`tui.core.files.file_rows`). A new file
at the same path (written elsewhere and renamed, as checkpoints are) or a deleted one is harmless: the
descriptor and the mapping keep the old file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from tui.core.texts.messages import MessageError


class WeightFileChanged(MessageError):
    """The weight's file was cut or written in place on disk: its rows are not read any more."""


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
