"""The diff panel driven by keys at 80×24: a second file opened through the open panel's own path line,
compared with MiniLM on screen; Enter on the ranked list goes to the row and shows A's and B's rows and their
difference."""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from textual.widgets import Input, OptionList

from tests.app.conftest import running, screen_text, settled, until
from tui.app import ExplorerApp
from tui.core.files.weights import open_weights
from tui.core.tokens.vocab import load_vocab
from tui.screens.choice import ChoiceScreen
from tui.screens.diff import DiffScreen
from tui.screens.message import MessageScreen
from tui.screens.open import OpenScreen
from tui.widgets.matrix_view import MatrixView

KEY = "embeddings.word_embeddings.weight"


def changed_copy(minilm: Path, folder: Path) -> Path:
    """MiniLM's matrix with rows 2088 (world) and 3000 (paris) scaled: B."""
    weight = load_file(minilm / "model.safetensors")[KEY].clone()
    weight[2088] *= 2
    weight[3000] *= 1.5
    save_file({KEY: weight}, folder / "changed.safetensors")
    return folder / "changed.safetensors"


async def test_a_second_file_compared_then_enter_on_the_list_shows_both_rows(minilm: Path, tmp_path: Path) -> None:
    other = changed_copy(minilm, tmp_path)
    app = ExplorerApp(weights=open_weights(minilm / "model.safetensors"), vocab=load_vocab(minilm / "vocab.txt"), ids="7592", lang="en")
    async with running(app) as pilot:
        await pilot.press("tab", "e")  # a letter is a command once the input has not the focus
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, OpenScreen))
        app.screen.query_one("#ask-input", Input).value = str(other)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen.dialog.lines != ())
        await settled(pilot)
        text = screen_text(app)
        assert "30522 rows aligned by ID: 30520 equal, 2 changed" in text
        assert "Most changed: world (2088)" in text
        listed = app.screen.query_one(OptionList)
        assert app.screen.dialog.ids[:2] == (2088, 3000) and listed.highlighted == 0
        await pilot.press("down", "enter")  # paris
        await until(pilot, lambda: isinstance(app.screen, MessageScreen))
        assert app.main.query_one(MatrixView).cursor_row == 3000
        text = screen_text(app)
        assert "Row 3000 paris: a, b and b − a" in text and "a = A[3000]" in text
        weight = load_file(minilm / "model.safetensors")[KEY]
        shown = app.screen.dialog.text
        assert repr(weight[3000] * 1.5 - weight[3000]) in shown and repr(torch.linalg.vector_norm(weight[3000] * 1.5 - weight[3000])) in shown
