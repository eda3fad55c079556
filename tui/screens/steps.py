"""The steps panel (Ctrl+E in text mode): how the word under the input's cursor became its tokens."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.core.explorer.dialogs import StepsPane
from tui.screens.dialog import PanelScreen


class StepsScreen(PanelScreen[StepsPane]):
    """The word's steps, scrolled with the arrows when they are many; Esc (or q) closes."""

    BINDINGS = [Binding("escape,q", "close", show=False)]

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = self.dialog.title
            yield Static(Text(self.dialog.page), id="steps-page")  # printable already

    def shown(self, before: StepsPane | None, pane: StepsPane) -> None:
        if before is not None and pane.page != before.page:
            self.query_one("#steps-page", Static).update(Text(pane.page))
