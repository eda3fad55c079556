"""The neighbours and statistics panels and the map, driven by keys at 80×24."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from tests.app.conftest import idle, running, screen_text, until
from tui.app import ExplorerApp
from tui.core.files.weights import open_weights
from tui.core.tokens.vocab import load_vocab
from tui.screens.map import MapScreen
from tui.screens.neighbours import NeighboursScreen
from tui.screens.statistics import StatisticsScreen
from tui.widgets.matrix_view import MatrixView


def minilm_app(minilm: Path, **settings: object) -> ExplorerApp:
    return ExplorerApp(weights=open_weights(minilm / "model.safetensors"), vocab=load_vocab(minilm / "vocab.txt"), **{"lang": "en", **settings})


async def neighbours(pilot: Pilot) -> NeighboursScreen:
    """Ctrl+Y, then wait for the panel's first answer: a pass over the rows, off the event loop."""
    await pilot.press("ctrl+y")
    await until(pilot, lambda: isinstance(pilot.app.screen, NeighboursScreen) and pilot.app.screen.page is not None)
    return pilot.app.screen


async def answered(pilot: Pilot, screen: NeighboursScreen, *keys: str) -> None:
    """Press `keys` on the neighbours panel, then wait for its next answer."""
    before = screen.page
    await pilot.press(*keys)
    await until(pilot, lambda: screen.page is not before)


async def test_neighbours_of_the_input_id_then_an_expression_go_to_a_row_and_add_one(minilm: Path) -> None:
    app = minilm_app(minilm, ids="2332")
    async with running(app) as pilot:
        screen = await neighbours(pilot)
        assert screen.query_one(Input).value == "2332"
        assert screen.page is not None and "of 'king' (ID 2332) by cosine similarity" in screen.page.title
        assert app.focused is screen.query_one(OptionList) and screen.query_one(OptionList).option_count == 10
        await pilot.press("shift+tab")
        screen.query_one(Input).value = "king - man + woman"
        await answered(pilot, screen, "enter")
        queen = screen.page.ids[0]
        assert app.explorer.vocab.label(queen) == "queen"
        await pilot.press("a")  # queen's ID to the input; the panel stays open
        await pilot.pause()
        assert app.explorer.text == f"2332, {queen}" and app.screen is screen and f"ID {queen} added" in screen_text(app)
        await answered(pilot, screen, "m")  # Euclidean now
        assert "by Euclidean distance" in screen.page.title and screen.page.answer.neighbours.metric == "euclidean"
        await pilot.press("k")
        app.screen.query_one(Input).value = "3"
        await answered(pilot, screen, "enter")
        assert len(screen.page.ids) == 3
        second = screen.page.ids[1]
        await pilot.press("down", "enter")  # go to the second row found
        await pilot.pause()
        assert app.query_one(MatrixView).cursor_row == second and app.screen is app.main_screen
        assert app.explorer.view().status.text.startswith(f"Row {second}: the token ")


async def test_a_word_not_in_the_vocabulary_is_said_and_the_last_answer_kept(minilm: Path) -> None:
    app = minilm_app(minilm, ids="2332")
    async with running(app) as pilot:
        screen = await neighbours(pilot)
        before = screen.page
        await pilot.press("shift+tab")
        screen.query_one(Input).value = "zzqqxx"
        await pilot.press("enter")
        await until(pilot, lambda: "'zzqqxx' is not in the vocabulary." in screen_text(app))
        assert screen.page is before


async def test_the_map_and_the_statistics_open_from_their_keys(minilm: Path, tmp_path: Path) -> None:
    app = minilm_app(minilm, ids="7592, 2088")
    async with running(app) as pilot:
        await neighbours(pilot)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen) and "PC1 · " in screen_text(app) and "▶hello" in screen_text(app)
        await pilot.press("escape", "e")
        await pilot.pause()
        app.screen.query_one(Input).value = str(tmp_path / "near.tsv")
        await pilot.press("enter")
        await pilot.pause()
        assert (tmp_path / "near.tsv").read_text(encoding="utf-8").startswith("id\ttoken\trank\tcosine\td0")
        await pilot.press("escape", "escape")
        await pilot.press("ctrl+b")
        await until(pilot, lambda: isinstance(app.screen, StatisticsScreen) and app.screen.is_mounted and idle(app))  # its pass, started on mount, ended
        shown = screen_text(app)
        assert "Statistics of the weight matrix (30522 × 384)" in shown and "Smallest norms: [MASK] (103)" in shown
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen) and "A sample of 300 of 30522 rows (seed 123)" in screen_text(app)


async def test_the_panels_speak_spanish(minilm: Path) -> None:
    app = minilm_app(minilm, ids="2332", lang="es")
    async with running(app) as pilot:
        await neighbours(pilot)
        assert "Los 10 vecinos más cercanos de 'king' (ID 2332) según similitud coseno" in app.screen.page.title
        assert "Vecinos más cercanos" in screen_text(app)
