"""Something that needs reading, over the app, which stays as it was: a refusal (a file that could not be
opened, torch's own words as a lesson), or a computation's report (code and what torch printed)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.core.texts.shown import printable
from tui.screens.panel import PanelScreen


class MessageScreen(PanelScreen):
    BINDINGS = [Binding("enter", "dismiss", show=False), Binding("c,f4", "copy", show=False)]

    def __init__(self, title: str, message: str, *, error: bool = True, copy: Callable[[], None] | None = None) -> None:
        """`error`: one paragraph marked ✗; else lines kept as they are (a report). `copy`: what c (F4) does,
        a report's script copied over this screen; without it, c does nothing here."""
        super().__init__()
        self._title, self._error, self._copy = title, error, copy
        self.message = message

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self._copy is not None if action == "copy" else True

    def action_copy(self) -> None:
        self._copy()

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = self._title
            if self._error:
                yield Static(Text("✗ " + printable(self.message)))
            else:
                yield Static(Text("\n".join(printable(line) for line in self.message.splitlines())))
