"""The windows view (section 2.6): a text's batches one at a time, as the book prints them."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.core.explorer.dialogs import Act, Move, WindowsPane
from tui.screens.dialog import PanelScreen


class WindowsScreen(PanelScreen[WindowsPane]):
    """← → (or p n) move between batches; Enter sends the batch to the lookup; s asks for other settings;
    c (F4) copies the batch's code over this screen; Esc closes."""

    BINDINGS = [
        Binding("escape,q", "close", show=False),
        Binding("right,n", "move(1)", show=False),
        Binding("left,p", "move(-1)", show=False),
        Binding("enter", "act('send')", show=False),
        Binding("s", "act('settings')", show=False),
        Binding("c,f4", "act('copy')", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = self.dialog.title
            yield Static(Text(self.dialog.page), id="windows-page")  # printable already

    def shown(self, before: WindowsPane | None, pane: WindowsPane) -> None:
        if before is not None and pane.page != before.page:
            self.query_one("#windows-page", Static).update(Text(pane.page))

    def action_move(self, step: int) -> None:
        self.answer(Move(step), close=False)

    def action_act(self, act: str) -> None:
        self.answer(Act(act), close=Act(act) is Act.SEND)
