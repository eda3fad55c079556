"""A question with a few answers, each on its own key (a dense gradient for a big matrix: allocate it,
go sparse, or cancel). Escape and q always cancel."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.core.texts.shown import printable
from tui.screens.panel import PanelScreen


class ChoiceScreen(PanelScreen):
    def __init__(self, title: str, text: str, choices: str, keys: Mapping[str, str]) -> None:
        """`keys`: a Textual key name → the answer it dismisses the screen with; `choices` says them."""
        super().__init__()
        self._title, self._text, self._choices, self._keys = title, text, choices, keys

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = self._title
            yield Static(Text(printable(self._text)))
            yield Static(Text(self._choices, style="bold"))

    def on_key(self, event: events.Key) -> None:
        if event.key in self._keys:
            event.stop()
            self.dismiss(self._keys[event.key])
