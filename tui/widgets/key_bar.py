"""The footer: the main keys, in the reader's language, from the one list of commands."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widgets import Static

from tui.commands import COMMANDS


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar { height: 1; background: $panel; color: $text-muted; }
    """

    def show(self, translate: Callable[[str], str]) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for command in COMMANDS:
            text.append(f" {command.display.split()[0]} ", style="bold reverse")
            text.append(f" {translate(command.label)}  ")
        text.append(" ^P ", style="bold reverse")
        text.append(" …")
        self.update(text)
