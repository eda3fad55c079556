"""Choose one tensor of a weight file when its name does not say which is the embedding."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.core.texts.shown import printable


class PickScreen(ModalScreen[str | None]):
    """The candidates (key, shape, dtype, size), largest first; Enter picks one, Escape none."""

    DEFAULT_CSS = """
    PickScreen { align: center middle; }
    PickScreen > Vertical { width: 80%; max-width: 110; height: auto; max-height: 80%; border: round $accent; background: $panel; }
    PickScreen OptionList { height: auto; max-height: 20; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", show=False)]

    def __init__(self, prompt: str, choices: list[tuple[str, str]]) -> None:
        """`choices`: (key, how it is described)."""
        super().__init__()
        self._prompt = prompt
        self._choices = choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(printable(self._prompt)))  # wraps: a long prompt is read whole
            yield OptionList(*(Option(Text(printable(text)), id=key) for key, text in self._choices))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
