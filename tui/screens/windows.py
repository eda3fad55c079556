"""The windows view (section 2.6): a text's batches one at a time, as the book prints them."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.screens.panel import PanelScreen

SETTINGS = "settings"  # what the screen is dismissed with when other settings are asked for


class WindowsScreen(PanelScreen):
    """← → (or p n) move between batches; Enter dismisses with the batch to look up; s with `SETTINGS`;
    c (F4) copies the batch's code over this screen; Esc closes."""

    BINDINGS = [
        Binding("right,n", "move(1)", show=False),
        Binding("left,p", "move(-1)", show=False),
        Binding("enter", "send", show=False),
        Binding("s", f"dismiss('{SETTINGS}')", show=False),
        Binding("c,f4", "copy", show=False),
    ]

    def __init__(self, title: str, count: int, page: Callable[[int], str], copy: Callable[[int], None]) -> None:
        super().__init__()
        self._title, self._count, self._page, self._copy = title, count, page, copy
        self.index = 0  # the batch on screen
        self._text = Static("")

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = self._title
            yield self._text

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        self._text.update(Text(self._page(self.index)))  # printable already: the page is made so

    def action_move(self, step: int) -> None:
        self.index = max(0, min(self._count - 1, self.index + step))
        self._show()

    def action_send(self) -> None:
        self.dismiss(self.index)

    def action_copy(self) -> None:
        self._copy(self.index)
