"""Which screen shows which dialog or panel of the explorer. Each screen's module is imported when it is
first shown: the first frame does not wait for the widgets only dialogs use (a directory tree, a select)."""

from __future__ import annotations

import importlib

from tui.core.explorer.dialogs import (
    Code,
    Dialog,
    DiffPane,
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
    StepsPane,
    VectorMap,
    WindowsPane,
)
from tui.screens.dialog import DialogScreen

SCREENS: dict[type, str] = {  # the dialog's type → the module and class of its screen
    Notice: "message.MessageScreen",
    Report: "message.MessageScreen",
    Question: "choice.ChoiceScreen",
    Prompt: "ask.AskScreen",
    Pick: "pick.PickScreen",
    Code: "code.CodeScreen",
    Help: "help.HelpScreen",
    Options: "options.OptionsScreen",
    VectorMap: "map.MapScreen",
    NeighboursPane: "neighbours.NeighboursScreen",
    StatisticsPane: "statistics.StatisticsScreen",
    WindowsPane: "windows.WindowsScreen",
    SearchPane: "search.SearchScreen",
    OpenPane: "open.OpenScreen",
    DiffPane: "diff.DiffScreen",
    StepsPane: "steps.StepsScreen",
}


def screen_class(kind: type) -> type[DialogScreen]:
    """The screen that shows dialogs (or panels) of type `kind`."""
    module, name = SCREENS[kind].rsplit(".", 1)
    return getattr(importlib.import_module(f"tui.screens.{module}"), name)


def screen_for(dialog: Dialog | Pane) -> DialogScreen:
    """A new screen showing `dialog`."""
    return screen_class(type(dialog))(dialog)
