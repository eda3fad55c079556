"""Something that needs reading, over the app, which stays as it was: a refusal (a file that could not be
opened, torch's own words as a lesson), or a computation's report (code and what torch printed), whose
script `c` (F4) copies over it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.core.explorer.dialogs import Choice, Notice, Report
from tui.core.texts.shown import printable
from tui.screens.dialog import DialogScreen


class MessageScreen(DialogScreen[Notice | Report]):
    BINDINGS = [Binding("enter,escape,q", "close", show=False), Binding("c,f4", "copy", show=False)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return isinstance(self.dialog, Report) and self.dialog.script is not None if action == "copy" else True

    def action_copy(self) -> None:
        self.answer(Choice.COPY, close=False)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = Text(self.dialog.title)  # literal: a token such as [PAD] is not markup
            if isinstance(self.dialog, Notice):  # one paragraph, marked ✗
                yield Static(Text("✗ " + printable(self.dialog.text)))
            else:  # lines kept as they are
                yield Static(Text("\n".join(printable(line) for line in self.dialog.text.splitlines())))
