"""In Spanish, every screen speaks Spanish: the main view and each dialog and panel, opened by its keys, show
no sentence of the English catalog (the same check as the command line's, `tests/core/test_spanish.py`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file
from textual.pilot import Pilot
from textual.widgets import Input

from tests.app.conftest import running, screen_text, settled, until
from tests.core.test_spanish import ENGLISH, collapsed
from tui.app import ExplorerApp
from tui.core.files.weights import open_weights
from tui.core.tokens.tokenizer import hugging_face
from tui.screens.dialog import DialogScreen
from tui.screens.open import OpenScreen
from tui.widgets.status_bar import StatusBar


async def shown(pilot: Pilot, *keys: str, typed: str | None = None) -> str:
    """What the screen shows after `keys` (and `typed` into the focused line, then Enter), once the work they
    started is done."""
    await pilot.press(*keys)
    if typed is not None:
        pilot.app.screen.query_one("#ask-input").value = typed
        await pilot.press("enter")
    await settled(pilot)  # the explorer's jobs (F6's tree has a loader of its own that never ends)
    return screen_text(pilot.app)


async def closed(pilot: Pilot) -> None:
    """Every dialog over the main view closed."""
    while isinstance(pilot.app.screen, DialogScreen):
        await pilot.press("escape")
        await pilot.pause()


def english_in(texts: list[str]) -> list[str]:
    printed = collapsed("\n".join(texts))
    return [piece for piece in ENGLISH if piece in printed]


def minilm_app(minilm: Path, tmp_path: Path) -> ExplorerApp:
    """MiniLM's matrix and tokenizer, a story cut into windows, two IDs looked up: every panel has something."""
    story = tmp_path / "story.txt"
    story.write_text("The cat sat on the mat, and the dog sat on the log. " * 6, encoding="utf-8")
    tokenizer = hugging_face(minilm / "tokenizer.json")
    return ExplorerApp(weights=open_weights(minilm / "model.safetensors"), tokenizer=tokenizer, text_file=str(story), ids="7592, 2088", lang="es")


async def the_dialogs(pilot: Pilot, tmp_path: Path) -> list[str]:
    """The main view, then each dialog its key opens (help, options, open, about, copy as code, torch's
    refusal, one-hot, a row refused)."""
    texts = [screen_text(pilot.app)]
    for keys in (("f1",), ("ctrl+o",), ("f6",), ("ctrl+n",), ("f4",), ("f7",), ("f12",)):
        texts.append(await shown(pilot, *keys))
        await closed(pilot)
    texts.append(await shown(pilot, "ctrl+g", typed="x"))
    return texts


async def the_panels(pilot: Pilot, tmp_path: Path) -> list[str]:
    """The windows (and their settings refused), the statistics and their map, the search."""
    texts = []
    for keys in (("f11",), ("ctrl+b",), ("ctrl+b", "p")):
        texts.append(await shown(pilot, *keys))
        await closed(pilot)
    texts.append(await shown(pilot, "f11", "s", typed="stride=0"))
    await closed(pilot)
    texts.append(await shown(pilot, "ctrl+f", *"tea"))
    return texts


async def the_neighbours(pilot: Pilot, tmp_path: Path) -> list[str]:
    """The neighbours panel, how many, its map, the other metric, and a question before writing over a file."""
    (tmp_path / "taken.tsv").write_text("kept", encoding="utf-8")
    texts = [await shown(pilot, "ctrl+y")]
    for key in ("k", "p"):  # each over the panel
        texts.append(await shown(pilot, key))
        await pilot.press("escape")
    texts.append(await shown(pilot, "m"))
    texts.append(await shown(pilot, "e", typed=str(tmp_path / "taken.tsv")))
    return texts


async def the_diff(pilot: Pilot, tmp_path: Path) -> list[str]:
    """The compare question, the open panel asking for B, the diff panel against the layer as opened, its map,
    the two rows of an ID, then B and B − A in the matrix."""
    texts = [await shown(pilot, "ctrl+s")]
    texts.append(await shown(pilot, "o"))
    await closed(pilot)
    texts.append(await shown(pilot, "ctrl+s", "a"))
    texts.append(await shown(pilot, "p"))
    await pilot.press("escape")
    texts.append(await shown(pilot, "enter"))
    await closed(pilot)
    texts.append(await shown(pilot, "tab", "i"))
    texts.append(await shown(pilot, "i"))
    return texts


async def the_steps(pilot: Pilot, tmp_path: Path) -> list[str]:
    """Ctrl+E in IDs mode (where the steps are), then in text mode: a WordPiece word's longest matches, the
    first word and the last, and an empty text."""
    texts = [await shown(pilot, "ctrl+e")]
    await pilot.press("f5", "escape", *"tokenization rocks")
    texts.append(await shown(pilot, "ctrl+e"))
    await closed(pilot)
    texts.append(await shown(pilot, "home", "ctrl+e"))
    await closed(pilot)
    texts.append(await shown(pilot, "escape", "ctrl+e"))
    await closed(pilot)
    texts.append(screen_text(pilot.app))
    assert "palabra 2: rocks" in texts[1] and "palabra 1: tokenization" in texts[2] and "pieza 1: token" in texts[2]
    return texts


async def the_tokenizer_training(pilot: Pilot, tmp_path: Path) -> list[str]:
    """The two questions of a tokenizer trained from a text (a size refused under the line), then the layer it
    made, the story cut again with it."""
    texts = [await shown(pilot, "tab", "j")]
    texts.append(await shown(pilot, typed=str(tmp_path / "story.txt")))
    texts.append(await shown(pilot, typed="12"))
    texts.append(await shown(pilot, typed="280"))
    assert "tokenizador" in texts[0] and "demasiado" in texts[2] and "(280, 384)" in texts[-1]  # then the story cut again into windows says so
    pilot.app.query_one("#ids", Input).value = "the cat"  # text mode, tokenized by what was just learned
    texts.append(await shown(pilot))
    return texts


@pytest.mark.parametrize("visit", [the_dialogs, the_panels, the_neighbours, the_diff, the_steps, the_tokenizer_training])
async def test_every_screen_speaks_spanish(visit: Callable[[Pilot, Path], Awaitable[list[str]]], minilm: Path, tmp_path: Path) -> None:
    app = minilm_app(minilm, tmp_path)
    async with running(app, size=(100, 40)) as pilot:
        texts = await visit(pilot, tmp_path)
    assert len(texts) > 4 and english_in(texts) == []


async def test_the_big_layers_question_and_the_tensor_picker_speak_spanish(tmp_path: Path) -> None:
    torch.manual_seed(0)
    save_file({"a": torch.ones(4, 2), "b": torch.zeros(9, 2)}, tmp_path / "two.safetensors")
    big = ExplorerApp(vocab_size=50257, dim=768, ids="1", lang="es")
    async with running(big, size=(100, 40)) as pilot:
        texts = [await shown(pilot, "f7")]  # a question before a big dense gradient
        await closed(pilot)
        texts.append(await shown(pilot, "f6", typed=str(tmp_path / "two.safetensors")))  # pick a tensor
    assert "denso" in texts[0] and english_in(texts) == []


async def test_the_check_finds_english_on_screen(minilm: Path) -> None:
    app = ExplorerApp(weights=open_weights(minilm / "model.safetensors"), ids="7592", lang="en")
    async with running(app, size=(100, 40)) as pilot:
        text = await shown(pilot, "f7")  # torch refuses: the weight is frozen
    assert english_in([text])


async def test_the_served_open_panel_speaks_spanish(tmp_path: Path, monkeypatch) -> None:
    from tests.app.test_served import class_folder, served_app

    folder = class_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    app = served_app(folder, lang="es")
    async with running(app) as pilot:
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, OpenScreen))
        await pilot.pause()
        texts = [screen_text(app)]
        app.screen.query_one("#ask-input", Input).value = "/etc/passwd"
        await pilot.press("enter")
        await settled(pilot)
        texts.append(screen_text(app))
        assert "no está entre los archivos que esta sesión puede abrir" in app.query_one(StatusBar).text
    assert "Abre uno de los archivos que dio el profesor" in texts[0]
    assert english_in(texts) == []
