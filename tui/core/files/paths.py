"""What lies at a path someone gave: a regular file, or what else (so a message can say so)."""

from __future__ import annotations

import os
import stat
from enum import Enum
from pathlib import Path


class Kind(Enum):
    FILE = "file"
    MISSING = "missing"
    FOLDER = "folder"
    SPECIAL = "special"  # a pipe, a device, a socket: nothing saved on disk
    UNREADABLE = "unreadable"  # a link that loops, a folder that may not be looked into


def kind_of(path: Path) -> tuple[Kind, str]:
    """The kind of thing at `path`, and for an unreadable one the system's own words."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return Kind.MISSING, ""
    except OSError as error:
        return Kind.UNREADABLE, error.strerror or type(error).__name__
    if stat.S_ISDIR(mode):
        return Kind.FOLDER, ""
    if not stat.S_ISREG(mode):
        return Kind.SPECIAL, ""
    return Kind.FILE, ""
