"""Nothing from outside breaks the running app or reaches its screen raw: hostile file, folder, tensor and
model names on every screen that shows them; a terminal shrunk under F6; thousands of digits; a tokenizer
whose regex backtracks without end."""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import save_file
from textual.widgets import DirectoryTree, Input, OptionList

from tests.app.conftest import running, screen_text, settled, until
from tests.app.test_meaning_app import answered, neighbours
from tests.core.test_hostile_names import HOSTILE, ON_DISK, quantized_gguf, raw
from tests.core.test_models import cached
from tui.app import ExplorerApp
from tui.core.files.weights import open_weights
from tui.core.texts.shown import printable
from tui.core.tokens.vocab import load_vocab
from tui.screens.open import OpenScreen
from tui.screens.path_suggester import PathSuggester
from tui.screens.pick import PickScreen
from tui.screens.search import SearchScreen


def shown(app: ExplorerApp) -> str:
    """The screen's text, checked: nothing in it would act on a terminal."""
    text = screen_text(app)
    assert raw(text) == [], text
    return text


async def test_hostile_names_are_shown_escaped_on_every_screen(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "files"
    (folder / ON_DISK).mkdir(parents=True)
    weights = folder / f"{ON_DISK}.safetensors"
    save_file({HOSTILE: torch.randn(8, 4), "other": torch.randn(5, 4)}, weights)
    gguf = quantized_gguf(folder / "q.gguf", HOSTILE)
    (folder / "vocab.txt").write_text("\n".join([ON_DISK, *"abcdefg"]) + "\n", encoding="utf-8")
    cached(tmp_path / "cache", f"org/{ON_DISK}", {"model.safetensors": weights})
    monkeypatch.chdir(folder)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    app = ExplorerApp(weights=open_weights(gguf), vocab=load_vocab(folder / "vocab.txt"), ids="0, 1", lang="en")
    async with running(app, size=(160, 50)) as pilot:
        await settled(pilot)
        assert printable(HOSTILE) in shown(app)  # the status and the matrix title name the tensor
        for key, screen in (("ctrl+n", None), ("f4", None), ("ctrl+f", SearchScreen)):  # about, copy as code, find
            await pilot.press(key)
            await until(pilot, lambda: app.screen is not app.main)
            if screen is SearchScreen:
                await pilot.press(*"x")
                await pilot.pause()
            shown(app)
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is app.main)
        await neighbours(pilot)  # the vocabulary's hostile token among the rows
        shown(app)
        await pilot.press("escape")
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, OpenScreen) and app.screen.query_one(OptionList).option_count > 0)
        await until(pilot, lambda: len(app.screen.query_one(DirectoryTree).root.children) >= 3)
        await pilot.pause()
        text = shown(app)
        escaped = printable(ON_DISK)[:40]  # as much as the narrowest column shows
        assert f"📁 {escaped}" in text and f"org/{escaped}"[:30] in text  # the tree, the cached models
        assert "\\x9b[bold]b" in text  # never markup
        line = app.screen.query_one("#ask-input", Input)
        line.focus()
        await pilot.press("x")  # the names that start with x need escapes: not offered to be edited as they show
        await pilot.pause()
        shown(app)
        assert await PathSuggester().get_suggestion("x") is None and line.value == "x"
        line.value = str(weights)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))  # two tensors: the choice lists their names
        shown(app)


async def test_a_served_sessions_offered_files_are_shown_escaped(tmp_path: Path, monkeypatch) -> None:
    from tui.core.explorer.explorer import Setup
    from tui.core.files.access import Access

    folder = tmp_path / "class"
    (folder / ON_DISK).mkdir(parents=True)
    save_file({"wte.weight": torch.randn(8, 4)}, folder / ON_DISK / f"{ON_DISK}.safetensors")
    monkeypatch.chdir(tmp_path)
    app = ExplorerApp(Setup.of(ids="0", lang="en", access=Access.of("class", [ON_DISK])))
    async with running(app, size=(160, 50)) as pilot:
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, OpenScreen))
        await pilot.pause()
        text = shown(app)
        assert printable(f"class/{ON_DISK}/{ON_DISK}.safetensors")[:60] in text and "\\x9b[bold]b" in text  # never markup
        line = app.screen.query_one("#ask-input", Input)
        assert await line.suggester.get_suggestion("cla") is None  # only names shown as they are are completed


async def test_f6_over_an_empty_cache_survives_the_terminal_shrinking(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty"))
    monkeypatch.chdir(tmp_path)
    app = ExplorerApp(lang="en")
    async with running(app) as pilot:
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, OpenScreen) and app.screen.query_one(OptionList).option_count > 0)
        for size in ((40, 10), (20, 5), (10, 3), (5, 2), (3, 1), (1, 1), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
        assert app.is_running and isinstance(app.screen, OpenScreen)
        await until(pilot, lambda: "Weight file (.safetensors" in screen_text(app))  # shown again once it fits
        assert [str(option.prompt) for option in app.screen.query_one(OptionList).options] == ["No models in the Hugging Face cache."]


async def test_an_id_of_thousands_of_digits_asked_for_neighbours_is_refused(tmp_path: Path) -> None:
    app = ExplorerApp(lang="en")
    async with running(app) as pilot:
        screen = await neighbours(pilot)
        await pilot.press("shift+tab")
        screen.query_one(Input).value = "9" * 5000
        await answered(pilot, screen, "enter")
        assert app.is_running and "has no row: valid IDs are 0..5." in screen_text(app)


async def test_a_tokenizer_that_panics_on_a_text_is_said_in_the_status(tmp_path: Path) -> None:
    from tests.core.test_tokenizer_panic import backtracking_tokenizer

    tokenizer = backtracking_tokenizer(tmp_path / "tokenizer.json")
    app = ExplorerApp(vocab_size=3, tokenizer=tokenizer, lang="en")
    async with running(app) as pilot:
        if not app.explorer.input.text_mode:
            await pilot.press("f5")
        app.main.ids_input.value = "a" * 30 + "!"
        await settled(pilot)
        assert app.is_running and app.explorer.view().status.error
        assert "could not cut this text" in app.explorer.view().status.text
