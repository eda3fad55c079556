"""The commands as Textual bindings (the list itself: `tui.core.explorer.commands`)."""

from __future__ import annotations

from textual.binding import Binding

from tui.core.explorer.commands import COMMANDS


def bindings() -> list[Binding]:
    """Bindings for the app; the letter keys only act when the ID input does not have focus."""
    return [Binding(command.keys, command.action, command.label, show=False, id=command.action) for command in COMMANDS]
