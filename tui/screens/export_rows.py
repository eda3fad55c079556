"""Rows exported from a panel: the path asked for (completed as typed), the file written, a file already
there written over only when the user says so; what happened said through the panel's `say`."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App

from tui.core.files.export import ExportExists
from tui.core.texts.messages import MessageError, translate
from tui.screens.ask import AskScreen
from tui.screens.choice import ChoiceScreen
from tui.screens.path_suggester import PathSuggester

OVERWRITE_KEYS = {"y": "yes", "n": "no"}


def export_rows(app: App, lang: str, prompt: str, export: Callable[[str, bool], str], say: Callable[[str, bool], None]) -> None:
    """Ask where, then `export(path, overwrite)`; `say(text, error)` tells how it went."""

    def written(path: str | None, overwrite: bool = False) -> None:
        if not path:
            return
        try:
            say(export(path, overwrite), False)
        except ExportExists as error:
            question = ChoiceScreen(translate(lang, "neighbours.panel.overwrite"), error.message.render(lang), translate(lang, "neighbours.overwrite_choices"), OVERWRITE_KEYS)
            app.push_screen(question, lambda answer: written(path, overwrite=True) if answer == "yes" else None)
        except MessageError as error:
            say(error.message.render(lang), True)

    app.push_screen(AskScreen(prompt, str, lang, suggester=PathSuggester(())), written)
