"""A line to type (a row to go to, a k, a path, settings): what cannot be used is refused under the line,
saying why; Enter answers with what the line parses to."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from tui.core.explorer.dialogs import Prompt
from tui.core.texts.shown import printable
from tui.screens.dialog import DialogScreen
from tui.screens.path_suggester import PathSuggester


class AskScreen(DialogScreen[Prompt]):

    def compose(self) -> ComposeResult:
        prompt = self.dialog
        with Vertical():
            yield Static(Text(printable(prompt.prompt)))  # wraps: a long prompt is read whole
            yield Input(prompt.value, id="ask-input", suggester=PathSuggester.offering(prompt.offered) if prompt.paths else None)
            yield Static(id="ask-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.answer_parsed(self.dialog.parse, event.value.strip())


