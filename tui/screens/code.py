"""Shows the copied script, so people see what went to the clipboard (and can copy it by hand)."""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.screens.panel import PanelScreen


class CodeScreen(PanelScreen):
    """Dismissed with "save" when `s` asks for the script in a file."""

    BINDINGS = [Binding("enter", "dismiss", show=False), Binding("s", "save", show=False)]

    def __init__(self, script: str, shown: str, title: str, explanation: str) -> None:
        """`script` went to the clipboard; `shown` is what the panel shows of it (all, or its start)."""
        super().__init__()
        self.script = script
        self._shown, self._title, self._explanation = shown, title, explanation

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = self._title
            yield Static(Text(self._explanation))
            if self._shown == self.script:
                yield Static(Syntax(self.script, "python", theme="ansi_dark", word_wrap=True))
            else:  # the start of a huge script, not highlighted
                yield Static(Text(self._shown))

    def action_save(self) -> None:
        self.dismiss("save")
