"""`Panel`: how the app reaches its panels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

from textual.widget import Widget

if TYPE_CHECKING:
    from tui.app import ExplorerApp

W = TypeVar("W", bound=Widget)


class Panel(Generic[W]):
    """The explorer screen's one widget of a type, looked up on first use and kept: the panels are
    composed once, and a DOM query on every typed key is a cost the frame pays for nothing."""

    def __init__(self, kind: type[W]) -> None:
        self.kind = kind

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, app: ExplorerApp, owner: type | None = None) -> W:
        widget = app.__dict__[self.name] = app._explorer.query_one(self.kind)
        return widget
