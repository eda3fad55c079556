"""The copied script, shown: people see what went to the clipboard (and can copy it by hand); `s` saves it
to a file, or in a served session downloads it."""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.core.explorer.dialogs import Choice, Code
from tui.screens.dialog import DialogScreen


class CodeScreen(DialogScreen[Code]):
    BINDINGS = [Binding("enter,escape,q", "close", show=False), Binding("s", "save", show=False)]

    def compose(self) -> ComposeResult:
        code = self.dialog
        with VerticalScroll() as scroll:
            scroll.border_title = code.title
            yield Static(Text(code.explanation))
            if code.shown == code.script:
                yield Static(Syntax(code.script, "python", theme="ansi_dark", word_wrap=True))
            else:  # the start of a huge script, not highlighted
                yield Static(Text(code.shown))

    def on_mount(self) -> None:
        if self.dialog.clipboard:
            self.app.copy_to_clipboard(self.dialog.script)

    def action_save(self) -> None:
        self.answer(Choice.SAVE)
