"""Completion for the open prompt (F6): a path's next entry on disk, or a model id from the local cache; in a
served session, only the names it is offered."""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from pathlib import Path

from textual.suggester import Suggester

from tui.core.texts.shown import printable

SHOWN_ENTRIES = 2000  # entries of one folder looked at: a huge folder must not hold up a key


class PathSuggester(Suggester):
    """Suggests the typed path completed to the first entry (by name, folders ending in `/`, hidden ones only
    when asked for with a dot) of its folder that starts with its last part; else the first cached model id
    that starts with the text (in a served session, `disk=False`: the first offered name). Right arrow takes it. A name that would need escapes to be shown (controls,
    bidi overrides) is never suggested: the line edits the text it shows, and the tree shows it escaped."""

    def __init__(self, model_ids: Sequence[str] = (), disk: bool = True) -> None:
        super().__init__(use_cache=False, case_sensitive=True)  # the disk changes; paths are case-sensitive
        self.model_ids = sorted(model_ids)  # set again once the cache has been scanned
        self.disk = disk  # False: a served session completes only the names it is offered, never the server's disk

    @classmethod
    def offering(cls, offered: Sequence[str] | None) -> PathSuggester:
        """The disk (and the cache's ids, once scanned) when `offered` is None; else only the names offered."""
        return cls() if offered is None else cls(offered, disk=False)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        return (on_disk(value) if self.disk else None) or next((name for name in self.model_ids if name.startswith(value) and name != value and shown_as_is(name)), None)


def on_disk(value: str) -> str | None:
    """`value` completed to the first entry of its folder whose name starts with its last part."""
    head, slash, start = value.rpartition("/")
    folder = Path(head + slash or ".").expanduser()
    try:
        with os.scandir(folder) as scanned:
            entries = sorted(itertools.islice(scanned, SHOWN_ENTRIES), key=lambda entry: entry.name)
    except OSError:
        return None
    for entry in entries:
        hidden = entry.name.startswith(".") and not start.startswith(".")
        if entry.name.startswith(start) and not hidden and shown_as_is(entry.name):
            completed = head + slash + entry.name + ("/" if entry.is_dir() else "")
            if completed != value:
                return completed
    return None


def shown_as_is(name: str) -> bool:
    """Whether `name` reaches the terminal as it is (nothing in it would be shown escaped)."""
    return printable(name) == name
