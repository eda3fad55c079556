"""Ctrl+E in text mode: the steps panel for the word under the input's cursor, typed as a person types; the
input keeps its text and cursor (Ctrl+E is the main screen's, not the input's End), and the rows stay marked."""

from __future__ import annotations

from tests.app.conftest import running, screen_text, settled, until
from tui.app import ExplorerApp
from tui.core.tokens.tokenizer import gpt2
from tui.screens.steps import StepsScreen
from tui.widgets.id_input import IdInput


async def test_ctrl_e_shows_the_steps_of_the_word_under_the_cursor() -> None:
    app = ExplorerApp(vocab_size=50257, dim=3, tokenizer=gpt2(), lang="en")
    async with running(app) as pilot:
        await pilot.press(*"Hello world", "left", "left", "left")  # the cursor in "world"
        await settled(pilot)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, StepsScreen) and app.screen.is_mounted)
        await pilot.pause()
        shown = screen_text(app)
        assert "gpt2: the word under the cursor, step by step" in shown and "word 2: Ġworld" in shown
        assert "bytes: Ġ w o r l d" in shown and "tokens: Ġworld → IDs [995]" in shown
        assert app.explorer.lookup.ids == (15496, 995)  # the looked-up rows, still marked under the panel
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, StepsScreen))
        line = app.query_one(IdInput)
        assert (line.value, line.cursor_position) == ("Hello world", 8) and app.explorer.panel is None


async def test_in_ids_mode_ctrl_e_says_where_steps_are_shown() -> None:
    app = ExplorerApp(vocab_size=50257, dim=3, ids="2, 3", lang="en")
    async with running(app) as pilot:
        await pilot.press("ctrl+e")
        await settled(pilot)
        assert not isinstance(app.screen, StepsScreen) and "A word's steps are shown in text mode (F5)".replace(" ", "") in "".join(screen_text(app).split())  # the status line folds
