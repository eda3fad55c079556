"""Ask for one line (a row to jump to, a file to open); refuse what cannot be used, and say why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from tui.core.texts.messages import MessageError
from tui.core.texts.shown import printable
from tui.screens.parses import Parses

T = TypeVar("T")


class AskScreen(ModalScreen[T | None], Generic[T]):
    """`parse` turns the typed text into the answer, or raises a `MessageError` that says what is wrong;
    Enter answers, Escape cancels."""

    DEFAULT_CSS = """
    AskScreen { align: center middle; }
    AskScreen > Vertical { width: 70%; max-width: 90; height: auto; border: round $accent; background: $panel; }
    AskScreen #ask-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", show=False)]

    def __init__(self, prompt: str, parse: Callable[[str], T], lang: str, value: str = "", suggester: Suggester | None = None) -> None:
        """`value`: what the line holds at first (the current settings, to edit); `suggester`: completion (paths)."""
        super().__init__()
        self._prompt, self._parse, self._lang, self._value, self._suggester = prompt, parse, lang, value, suggester

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(printable(self._prompt)))  # wraps: a long prompt is read whole
            validators = [Parses(self._parse, self._lang)]
            yield Input(self._value, id="ask-input", validators=validators, validate_on=["submitted"], suggester=self._suggester)
            yield Static(id="ask-error")
            yield from self.below()

    def below(self) -> ComposeResult:
        """What a kind of question shows under the line (the open screen: files and cached models)."""
        yield from ()

    def answer(self, text: str) -> None:
        """Answer with `text` when it parses; else say why under the line."""
        try:
            answer = self._parse(text)
        except MessageError as error:
            self.query_one("#ask-error", Static).update(Text("✗ " + printable(error.message.render(self._lang))))
            return
        self.dismiss(answer)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.answer(event.value.strip())
