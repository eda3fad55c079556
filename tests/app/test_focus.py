"""The focus follows the user (issue 23): F5 names the mode it goes to and types in the input, the
neighbours panel's keys act where they are said to, the options dialog applies on Enter and says a cancel,
and k is bounded by the layer open now."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Button, Input, OptionList

from tests.app.conftest import running, screen_text, settled, until
from tests.app.test_meaning_app import answered, minilm_app, neighbours
from tui.app import ExplorerApp
from tui.core.tokens.tokenizer import gpt2
from tui.screens.ask import AskScreen
from tui.screens.open import OpenScreen
from tui.screens.options import OptionsScreen
from tui.widgets.id_input import IdInput
from tui.widgets.matrix_view import MatrixView
from tui.widgets.status_bar import StatusBar
from tui.widgets.textual_internals import send_keys_at_once
from tui.widgets.toggle_bar import ToggleBar


def f5(app: ExplorerApp) -> str:
    """What the key bar names F5, as shown on its line."""
    label = {action: label for action, _, label in app.explorer.view().keys}["toggle_text"]
    assert f"F5  {label}" in screen_text(app).splitlines()[-1]
    return label


async def test_f5_says_where_it_goes_and_the_next_keys_are_typed() -> None:
    app = ExplorerApp(vocab_size=50257, dim=3, tokenizer=gpt2(), lang="en")
    async with running(app) as pilot:
        assert app.explorer.input.text_mode and f5(app) == "IDs"  # in text already: F5 offers IDs
        app.query_one(MatrixView).focus()
        await pilot.press("f5")  # one press, one switch: to IDs, and the input has the focus
        assert not app.explorer.input.text_mode and app.focused is app.query_one(IdInput)
        assert f5(app) == "Text" and "Token IDs" in screen_text(app)
        app.query_one(MatrixView).focus()
        await pilot.press("f5")
        assert app.explorer.input.text_mode and app.focused is app.query_one(IdInput)
        await pilot.press(*"hello")  # text, not commands (`o` would open F6, `l` the positional layer)
        await settled(pilot)
        assert not isinstance(app.screen, OpenScreen) and app.explorer.input.text == "hello"
        assert app.explorer.reading.problem is None and app.explorer.reading.parsed.ids == (31373,)


async def test_neighbours_keys_act_in_the_list_and_the_focused_part_is_marked(minilm: Path) -> None:
    app = minilm_app(minilm, ids="2332")
    async with running(app) as pilot:
        screen = await neighbours(pilot)
        line, found = screen.query_one(Input), screen.query_one(OptionList)
        assert app.focused is found and found.styles.border.top[0] == "heavy" and line.styles.border.top[0] == "round"
        assert "m: metric" in screen_text(app)  # the list's keys
        await answered(pilot, screen, "m")  # a command, not a letter in the line
        assert line.value == "2332" and app.explorer.meaning.metric == "euclidean"
        await pilot.press("shift+tab")
        assert app.focused is line and line.styles.border.top[0] == "heavy" and found.styles.border.top[0] == "round"
        assert "Tab or ↓: to the list, where a m k e p act" in screen_text(app)
        line.value = ""
        await pilot.press("enter")  # nothing asked: said in the panel's words
        await until(pilot, lambda: "Type a token, a token ID or an expression" in screen_text(app))
        assert "--expr" not in screen_text(app)
        line.value = "queen"
        await answered(pilot, screen, "enter")
        assert app.focused is found  # a question asked: its keys act at once
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, AskScreen))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        await pilot.press("shift+tab", "down")  # ↓ from the line reaches the list too
        assert app.focused is found


async def test_options_enter_applies_from_a_switch_and_a_cancel_is_said() -> None:
    app = ExplorerApp(lang="en")
    async with running(app, (100, 34)) as pilot:
        await pilot.press("ctrl+o")
        screen = app.screen
        assert isinstance(screen, OptionsScreen)
        screen.query_one("#flags", ToggleBar).focus()
        await pilot.press("right", "space", "enter")  # Space flips sparse, Enter applies
        await until(pilot, lambda: not isinstance(app.screen, OptionsScreen))
        await settled(pilot)
        assert app.explorer.session.layer.sparse
        await pilot.press("ctrl+o")
        app.screen.query_one("#cancel", Button).focus()
        await pilot.press("enter")
        await until(pilot, lambda: app.query_one(StatusBar).text == "Options cancelled: nothing changed.")
        await pilot.press("ctrl+o")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, OptionsScreen))
        assert app.query_one(StatusBar).text == "Options cancelled: nothing changed." and app.explorer.session.layer.sparse


async def test_k_is_bounded_by_the_layer_open_now(minilm: Path) -> None:
    app = ExplorerApp(lang="en")  # the book's 6 rows: at most 5 neighbours
    async with running(app, (100, 34)) as pilot:
        screen = await neighbours(pilot)
        assert "The 5 nearest neighbours" in screen.dialog.heading
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, AskScreen))
        await answered(pilot, screen, "enter")  # 5, the most this layer has
        await pilot.press("escape")
        app.act(lambda: app.explorer.open(str(minilm)))
        await until(pilot, lambda: app.explorer.session is not None and app.explorer.session.spec.vocab_size == 30522)
        await settled(pilot)
        screen = await neighbours(pilot)
        assert "The 10 nearest neighbours" in screen.dialog.heading and len(screen.dialog.ids) == 10


async def test_keys_right_after_f5_or_tab_go_where_the_focus_went() -> None:
    """A switch and the letters behind it arrive together when the app is busy: the letters follow the
    focus the key gave (F5: into the input; Tab from the input: to the matrix, where they are commands)."""
    app = ExplorerApp(vocab_size=50257, dim=3, tokenizer=gpt2(), lang="en")
    async with running(app) as pilot:
        app.query_one(MatrixView).focus()
        await pilot.pause()
        await asyncio.to_thread(send_keys_at_once, app, "hello", ("f5", "f5"))  # to IDs and back to text
        await until(pilot, lambda: app.explorer.input.text == "hello")
        assert app.explorer.input.text_mode and not isinstance(app.screen, OpenScreen)
        await asyncio.to_thread(send_keys_at_once, app, "p", ("tab",))  # to the matrix: p is the options
        await until(pilot, lambda: isinstance(app.screen, OptionsScreen))
        await settled(pilot)
        assert app.explorer.input.text == "hello"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, OptionsScreen))
