"""Choose one tensor of a weight file when its name does not say which is the embedding."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.core.explorer.dialogs import Pick
from tui.core.texts.shown import printable
from tui.screens.dialog import DialogScreen


class PickScreen(DialogScreen[Pick]):
    """The candidates (key, shape, dtype, size), largest first; Enter picks one, Escape none."""


    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(printable(self.dialog.prompt)))  # wraps: a long prompt is read whole
            yield OptionList(*(Option(Text(printable(text)), id=key) for key, text in self.dialog.choices))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.answer(event.option.id)
