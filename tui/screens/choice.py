"""A question with a few answers, each on its own key (a dense gradient for a big matrix: allocate it, go
sparse, or cancel). Escape and q always cancel."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.core.explorer.dialogs import Question
from tui.core.texts.shown import printable
from tui.screens.dialog import DialogScreen


class ChoiceScreen(DialogScreen[Question]):
    BINDINGS = [Binding("escape,q", "close", show=False)]

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = self.dialog.title
            yield Static(Text(printable(self.dialog.text)))
            yield Static(Text(self.dialog.choices, style="bold"))

    def on_key(self, event: events.Key) -> None:
        if event.key in self.dialog.keys:
            event.stop()
            self.answer(self.dialog.keys[event.key])
