"""Which screen shows which dialog or panel of the explorer."""

from __future__ import annotations

from tui.core.explorer.dialogs import (
    Code,
    Dialog,
    Help,
    NeighboursPane,
    Notice,
    OpenPane,
    Options,
    Pane,
    Pick,
    Prompt,
    Question,
    Report,
    SearchPane,
    StatisticsPane,
    VectorMap,
    WindowsPane,
)
from tui.screens.ask import AskScreen
from tui.screens.choice import ChoiceScreen
from tui.screens.code import CodeScreen
from tui.screens.dialog import DialogScreen, PanelScreen
from tui.screens.help import HelpScreen
from tui.screens.map import MapScreen
from tui.screens.message import MessageScreen
from tui.screens.neighbours import NeighboursScreen
from tui.screens.open import OpenScreen
from tui.screens.options import OptionsScreen
from tui.screens.pick import PickScreen
from tui.screens.search import SearchScreen
from tui.screens.statistics import StatisticsScreen
from tui.screens.windows import WindowsScreen

SCREENS: dict[type, type[DialogScreen]] = {
    Notice: MessageScreen,
    Report: MessageScreen,
    Question: ChoiceScreen,
    Prompt: AskScreen,
    Pick: PickScreen,
    Code: CodeScreen,
    Help: HelpScreen,
    Options: OptionsScreen,
    VectorMap: MapScreen,
}
PANELS: dict[type, type[PanelScreen]] = {
    NeighboursPane: NeighboursScreen,
    StatisticsPane: StatisticsScreen,
    WindowsPane: WindowsScreen,
    SearchPane: SearchScreen,
    OpenPane: OpenScreen,
}


def screen_for(dialog: Dialog | Pane) -> DialogScreen:
    """A new screen showing `dialog`."""
    return {**SCREENS, **PANELS}[type(dialog)](dialog)
