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


def read(app: ExplorerApp) -> bool:
    """No pass reads the matrix any more, and the panel shows what the last one found."""
    screen = app.screen
    return not app.explorer.jobs.running and isinstance(screen, NeighboursScreen) and screen.dialog.said.progress is None


async def neighbours(pilot: Pilot) -> NeighboursScreen:
    """Ctrl+Y, then wait for the panel's first answer: a pass over the rows, in a job."""
    await pilot.press("ctrl+y")
    await until(pilot, lambda: read(pilot.app))
    return pilot.app.screen


async def answered(pilot: Pilot, screen: NeighboursScreen, *keys: str) -> None:
    """Press `keys` on the neighbours panel, then wait for its next answer (a view shown since, and its pass
    done)."""
    before = screen.dialog
    await pilot.press(*keys)
    await until(pilot, lambda: screen.dialog is not before and read(pilot.app))


async def test_neighbours_of_the_input_id_then_an_expression_go_to_a_row_and_add_one(minilm: Path) -> None:
    app = minilm_app(minilm, ids="2332")
    async with running(app) as pilot:
        screen = await neighbours(pilot)
        assert screen.query_one(Input).value == "2332"
        assert "of 'king' (ID 2332) by cosine similarity" in screen.dialog.heading
        assert app.focused is screen.query_one(OptionList) and screen.query_one(OptionList).option_count == 10
        await pilot.press("shift+tab")
        screen.query_one(Input).value = "king - man + woman"
        await answered(pilot, screen, "enter")
        queen = screen.dialog.ids[0]
        assert app.explorer.vocab.label(queen) == "queen"
        await pilot.press("a")  # queen's ID to the input; the panel stays open
        await until(pilot, lambda: f"ID {queen} added" in screen_text(app))
        assert app.explorer.input.text == f"2332, {queen}" and app.screen is screen
        await answered(pilot, screen, "m")  # Euclidean now
        assert "by Euclidean distance" in screen.dialog.heading and app.explorer.meaning.metric == "euclidean"
        await pilot.press("k")
        app.screen.query_one(Input).value = "3"
        await answered(pilot, screen, "enter")
        assert len(screen.dialog.ids) == 3
        second = screen.dialog.ids[1]
        await pilot.press("down", "enter")  # go to the second row found
        await pilot.pause()
        assert app.query_one(MatrixView).cursor_row == second and app.screen is app.main
        assert app.explorer.view().status.text.startswith(f"Row {second}: the token ")


async def test_a_word_not_in_the_vocabulary_is_said_and_the_last_answer_kept(minilm: Path) -> None:
    app = minilm_app(minilm, ids="2332")
    async with running(app) as pilot:
        screen = await neighbours(pilot)
        before = screen.dialog.ids
        await pilot.press("shift+tab")
        screen.query_one(Input).value = "zzqqxx"
        await answered(pilot, screen, "enter")
        assert "'zzqqxx' is not in the vocabulary." in screen_text(app) and screen.dialog.ids == before


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
        assert "Los 10 vecinos más cercanos de 'king' (ID 2332) según similitud coseno" in app.screen.dialog.heading
        assert "Vecinos más cercanos" in screen_text(app)


async def test_a_row_added_while_a_pass_reads_the_matrix_is_looked_up_after_it() -> None:
    """`a` in the neighbours panel while a pass reads the matrix: with max_norm, the lookup renormalises rows
    in place, so it waits until the pass is done; nothing writes to the matrix under a pass."""
    import threading

    import torch

    from tui.core.chapter.spec import LayerOptions

    app = ExplorerApp(vocab_size=30, dim=4, ids="1", options=LayerOptions(max_norm=1.0), lang="en")
    async with running(app) as pilot:
        session = app.explorer.session
        hold, entered, release = threading.Event(), threading.Event(), threading.Event()
        read_rows = session.read_rows

        def held(start: int, stop: int) -> torch.Tensor:
            """Rows as the layer gives them; a pass (not the screen) waits here while `hold` is set."""
            if hold.is_set() and threading.current_thread() is not threading.main_thread():
                entered.set()
                release.wait(10)
            return read_rows(start, stop)

        session.read_rows = held
        screen = await neighbours(pilot)
        assert screen.query_one(OptionList).option_count == 10
        hold.set()
        await pilot.press("m")  # another metric: a new pass, which waits inside its reading
        await until(pilot, entered.is_set)
        before = session.layer.weight.detach().clone()
        await pilot.press("a")  # the highlighted row to the input, while the pass reads
        await until(pilot, lambda: "," in app.query_one("#ids").value)
        added = int(app.query_one("#ids").value.split(", ")[-1])
        assert added != 1 and before[added].norm() > 1.0  # a row max_norm would change
        assert torch.equal(session.layer.weight.detach(), before)  # nothing wrote to the matrix under the pass
        release.set()
        await until(pilot, lambda: read(app))
        assert app.explorer.lookup.ids == (1, added)  # looked up once the pass was done
        assert session.layer.weight.detach()[added].norm() <= 1.0 + 1e-6


async def test_an_unexpected_error_in_a_pass_is_said_in_its_panel_and_logged(monkeypatch) -> None:
    """A pass that raises what nobody expected: the panel's bar goes, its line and the status line say the
    error in the reader's language, the traceback goes to the log, and the app lives on."""
    from textual.widgets import ProgressBar

    from tui.core.meaning.passes import Meaning

    logged: list[str] = []
    textual_log = ExplorerApp.log

    class Log:
        """Textual's logger, its errors kept here too."""

        def __init__(self, app: ExplorerApp) -> None:
            self._log = textual_log.fget(app)

        def __getattr__(self, name: str) -> object:
            return getattr(self._log, name)

        def __call__(self, *args: object, **kwargs: object) -> None:
            self._log(*args, **kwargs)

        def error(self, text: str) -> None:
            logged.append(text)

    monkeypatch.setattr(ExplorerApp, "log", property(Log))
    monkeypatch.setattr(Meaning, "ask", lambda *args, **kwargs: 1 / 0)
    app = ExplorerApp(ids="2", lang="es")
    async with running(app) as pilot:
        screen = await neighbours(pilot)
        assert not screen.query_one(ProgressBar).display
        assert "Algo salió mal (ZeroDivisionError: division by zero)" in screen_text(app)
        assert logged and "ZeroDivisionError" in logged[0] and "Traceback" in logged[0]
        await pilot.press("escape")
        await pilot.pause()
        assert "ZeroDivisionError" in app.explorer.view().status.text and app.is_running
