"""What a session may read, and where what it writes goes. A session in a terminal (local) reads any path and
writes files, as a script would. A session started by `embedding-explorer serve` (served) belongs to a
stranger in a browser: it reads only what the teacher gave — the files and models named on the command line,
and the files under the `--files` folder — and writes nothing on the server (its files are handed to the
browser as downloads instead)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tui.core.files.embedding_names import FORMATS
from tui.core.texts.messages import Message, MessageError

SERVED = "EMBEDDING_EXPLORER_SERVED"  # set by the server for each session it starts: the --files folder, or ""
LABEL_FILES = (".json", ".txt")  # tokenizers, vocabularies and texts: F6 opens them for the rows on screen, `j` trains from them
MODEL_FILES = ("config.json", "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin")  # a model folder: opened whole
OPENED_WHOLE = (*MODEL_FILES, "bpe_merges.txt")  # a model folder, or a tokenizer `bpe --train` saved
OFFERED_ENTRIES = 500  # entries of the --files folder offered at most: a huge folder must not hold up a key
OFFERED_DEPTH = 4  # folders below --files walked at most
LOOKED_AT = 20_000  # entries looked at in the walk, offered or not


@dataclass(frozen=True)
class Access:
    """Local (`Access()`): every path. Served: the names given (`names`, as typed on the command line: model ids,
    `gpt2`), the resolved files and folders given (`given`: anything under a given folder, a model's), and
    anything under `folder` once resolved (a link leading out of it, or `..`, leads nowhere allowed). The
    folder is kept as given, so what is offered reads as the teacher named it."""

    served: bool = False
    names: tuple[str, ...] = ()
    given: tuple[Path, ...] = ()
    folder: Path | None = None

    @classmethod
    def of(cls, served: str | None, given: Iterable[str | Path] = (), roots: Iterable[Path] = ()) -> Access:
        """From the environment's `EMBEDDING_EXPLORER_SERVED` value (None: a local session) and what the
        command line named (`given`: paths or model names; `roots`: folders opened for them, a cached model's)."""
        if served is None:
            return cls()
        names = tuple(dict.fromkeys(str(name) for name in given))
        paths = tuple(_resolved(path) for path in (*names, *roots) if Path(path).expanduser().exists())  # a model id is a name
        return cls(True, names, tuple(dict.fromkeys(path for path in paths if path is not None)), Path(served) if served else None)

    def allows(self, text: str) -> bool:
        """Whether the path or name `text` may be read."""
        if not self.served or text in self.names:
            return True
        path = _resolved(text)
        if path is None:
            return False
        folder = None if self.folder is None else _resolved(self.folder)
        roots = (*self.given, *(() if folder is None else (folder,)))
        return any(path.is_relative_to(root) for root in roots)

    def checked(self, text: str) -> str:
        """`text`, when it may be read; else a `MessageError` that says what is allowed."""
        if not self.allows(text):
            raise MessageError(self.refusal(text))
        return text

    def refusal(self, text: str) -> Message:
        """Why `text` is not read, and what is: the names given, the folder's files, both, or nothing."""
        given, folder = ", ".join(self.names), str(self.folder) if self.folder is not None else None
        key = {(True, True): "refused_folder", (True, False): "refused", (False, True): "refused_in_folder", (False, False): "refused_none"}
        return Message(f"access.{key[bool(given), folder is not None]}", {"path": text, "given": given, "folder": folder})

    def offered(self) -> tuple[str, ...]:
        """What the open panel offers a served session: the names given, then the folder's files F6 opens or `j`
        trains from (and model folders, whole), by name, walked within bounds; hidden ones skipped."""
        if not self.served:
            return ()
        found = list(self.names)
        if self.folder is not None:
            found += [name for name in _walk(self.folder) if name not in found and self.allows(name)]
        return tuple(found)


def _resolved(path: str | Path) -> Path | None:
    """`path` with links and `..` followed; None when it cannot be (a link that loops)."""
    try:
        return Path(path).expanduser().resolve()
    except (OSError, RuntimeError):
        return None


def _walk(folder: Path) -> list[str]:
    """The folder's openable entries (paths under it, folders first at each level, by name), breadth first."""
    found: list[str] = []
    level, looked = [folder], 0
    for _ in range(OFFERED_DEPTH + 1):
        below: list[Path] = []
        for parent in level:
            try:
                with os.scandir(parent) as scanned:
                    entries = sorted((entry for entry, _ in zip(scanned, range(LOOKED_AT - looked))), key=lambda entry: entry.name)
            except OSError:
                continue
            looked += len(entries)
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                path = Path(entry.path)
                try:
                    is_folder = entry.is_dir(follow_symlinks=False)  # a linked folder is not walked: it may lead out
                except OSError:
                    continue
                if is_folder and any((path / name).is_file() for name in OPENED_WHOLE):
                    found.append(str(path))  # a model or a saved tokenizer: opened whole, not browsed
                elif is_folder:
                    below.append(path)
                elif path.suffix in (*FORMATS, *LABEL_FILES):
                    found.append(str(path))
                if len(found) >= OFFERED_ENTRIES or looked >= LOOKED_AT:
                    return found
        level = below
    return found
