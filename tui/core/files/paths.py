"""The one way a file from outside is opened, and what lies at a path when it is not a file that can be read.

Only a regular file is opened: a FIFO would block `open()` until a writer comes (forever), a device reads
without end. The path is looked at before it is opened, and the opened descriptor is looked at again (a
file swapped for a FIFO in between is still refused), opened without blocking so that even then nothing
waits. Every reader of the app goes through here (`tests/core/test_files_boundary.py` checks), and every
problem comes out as a `FileProblem` whose message names it: missing, a folder, a pipe or device, a link
that loops, a link to nothing, or the system's own words.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import BinaryIO

from tui.core.texts.messages import Message, MessageError


class Kind(Enum):
    FILE = "file"
    MISSING = "missing"
    FOLDER = "folder"
    SPECIAL = "special"  # a pipe, a device, a socket: nothing saved on disk
    LOOP = "loop"  # a symbolic link that leads back to itself
    DANGLING = "dangling"  # a symbolic link to nothing
    UNREADABLE = "unreadable"  # a folder that may not be looked into, a name too long: the system says


class FileProblem(MessageError):
    """A path where a file to read was expected, and what lies there instead (or why it cannot be read)."""


def kind_of(path: str | os.PathLike[str]) -> tuple[Kind, str]:
    """The kind of thing at `path`, and for an unreadable one the system's own words."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return (Kind.DANGLING if os.path.islink(path) else Kind.MISSING), ""
    except OSError as error:
        if error.errno == errno.ELOOP:
            return Kind.LOOP, ""
        return Kind.UNREADABLE, error.strerror or type(error).__name__
    except ValueError:  # a NUL in the name
        return Kind.UNREADABLE, os.strerror(errno.EINVAL)
    if stat.S_ISDIR(mode):
        return Kind.FOLDER, ""
    if not stat.S_ISREG(mode):
        return Kind.SPECIAL, ""
    return Kind.FILE, ""


def problem(path: str | os.PathLike[str], kind: Kind, error: str = "") -> FileProblem:
    """The refusal that names what lies at `path` (a link's target named when it leads nowhere)."""
    params: dict[str, object] = {"path": str(path), "error": error}
    if kind is Kind.DANGLING:
        try:
            params["target"] = os.readlink(path)
        except OSError:  # changed again since it was looked at
            params["target"] = "?"
    return FileProblem(Message(f"file.{kind.value}", params))


def checked(path: str | os.PathLike[str]) -> Path:
    """`path`, when a regular file lies there; else the `FileProblem` that says what does."""
    kind, error = kind_of(path)
    if kind is not Kind.FILE:
        raise problem(path, kind, error)
    return Path(path)


@contextlib.contextmanager
def open_regular(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """`path` opened for reading in binary, when it is a regular file (checked before and after opening)."""
    checked(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:  # gone, or changed, since it was looked at
        kind, said = kind_of(path)
        raise (problem(path, kind, said) if kind is not Kind.FILE else _unreadable(path, error)) from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):  # swapped for something else since it was looked at
        os.close(descriptor)
        raise problem(path, Kind.SPECIAL)
    os.set_blocking(descriptor, True)
    with os.fdopen(descriptor, "rb") as file:
        yield file


@contextlib.contextmanager
def held(path: str | os.PathLike[str]) -> Iterator[str]:
    """A name for `path` opened by `open_regular`, for the readers that take only a name (`safe_open`,
    `torch.load(mmap=True)`, `np.load(mmap_mode=…)`): the descriptor's own name where the system has one
    (`/proc/self/fd/N`, `/dev/fd/N`), so the file read is the one checked, else the path."""
    with open_regular(path) as file:
        for folder in ("/proc/self/fd", "/dev/fd"):
            if os.path.isdir(folder):
                yield f"{folder}/{file.fileno()}"
                return
        yield str(path)


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """A regular file's bytes, whole."""
    with open_regular(path) as file:
        try:
            return file.read()
        except OSError as error:
            raise _unreadable(path, error) from None


def read_text(path: str | os.PathLike[str]) -> str:
    """A regular file's text, whole, as UTF-8 (a `UnicodeDecodeError` says at which byte it is not), its line
    ends read as Python's text mode reads them (`\r\n` and `\r` are `\n`), as the book's scripts open files."""
    return read_bytes(path).decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def read_json(path: str | os.PathLike[str]) -> object:
    """A regular file's JSON (`json_of`)."""
    try:
        text = read_text(path)
    except UnicodeDecodeError as error:
        raise FileProblem(Message("file.json_bad", {"path": str(path), "error": str(error)})) from None
    return json_of(text, path)


def json_of(text: str, path: str | os.PathLike[str]) -> object:
    """The JSON of the file at `path`, whose text is `text`: nesting deeper than Python's recursion limit is
    refused as too deep, any other fault as not valid JSON, with the parser's words."""
    try:
        return json.loads(text)
    except RecursionError:
        raise FileProblem(Message("file.json_deep", {"path": str(path)})) from None
    except ValueError as error:
        raise FileProblem(Message("file.json_bad", {"path": str(path), "error": str(error)})) from None


def _unreadable(path: str | os.PathLike[str], error: OSError) -> FileProblem:
    return problem(path, Kind.UNREADABLE, error.strerror or type(error).__name__)
