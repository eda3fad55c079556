"""Ask for a row (a token ID) to jump to; refuse anything that is not a row, and say why."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui.core.text import printable


class GotoScreen(ModalScreen[int | None]):
    DEFAULT_CSS = """
    GotoScreen { align: center middle; }
    GotoScreen > Vertical { width: 50; height: auto; border: round $accent; background: $panel; }
    GotoScreen #goto-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", show=False)]

    def __init__(self, rows: int, translate: Callable[..., str]) -> None:
        super().__init__()
        self._rows = rows
        self._translate = translate

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self._translate("goto.prompt", last=self._rows - 1)))
            yield Input(id="goto-input")
            yield Static(id="goto-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text.isdigit() and int(text) < self._rows:
            self.dismiss(int(text))
            return
        message = self._translate("goto.invalid", text=text, last=self._rows - 1)
        self.query_one("#goto-error", Static).update(Text("✗ " + printable(message)))
