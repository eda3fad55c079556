"""Ask for one line (a row to jump to, a file to open); refuse what cannot be used, and say why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui.core.text import printable

T = TypeVar("T")


class AskScreen(ModalScreen[T | None], Generic[T]):
    """`check` turns the typed text into the answer, or into the message that says what is wrong."""

    DEFAULT_CSS = """
    AskScreen { align: center middle; }
    AskScreen > Vertical { width: 70%; max-width: 90; height: auto; border: round $accent; background: $panel; }
    AskScreen #ask-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", show=False)]

    def __init__(self, prompt: str, check: Callable[[str], tuple[T | None, str | None]]) -> None:
        super().__init__()
        self._prompt = prompt
        self._check = check

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(printable(self._prompt)))
            yield Input(id="ask-input")
            yield Static(id="ask-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        answer, problem = self._check(event.value.strip())
        if problem is None:
            self.dismiss(answer)
        else:
            self.query_one("#ask-error", Static).update(Text("✗ " + printable(problem)))
