"""A centred, bordered, scrollable panel over the app: the look shared by help and copy-as-code."""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import ModalScreen


class PanelScreen(ModalScreen[object]):  # each panel says what it is dismissed with
    DEFAULT_CSS = """
    PanelScreen { align: center middle; }
    PanelScreen > VerticalScroll {
        width: 95%; max-width: 100; height: auto; max-height: 90%;
        border: round $accent; padding: 0 1; background: $panel;
    }
    """
    BINDINGS = [Binding("escape,q", "dismiss", show=False)]
