"""In Spanish, every screen speaks Spanish: the main view and each dialog and panel, opened by its keys, show
no sentence of the English catalog (the same check as the command line's, `tests/core/test_spanish.py`)."""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import save_file
from textual.pilot import Pilot

from tests.app.conftest import running, screen_text, settled
from tests.core.test_spanish import ENGLISH, collapsed
from tui.app import ExplorerApp
from tui.core.files.weights import open_weights
from tui.core.tokens.tokenizer import hugging_face
from tui.screens.dialog import DialogScreen


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


async def test_every_screen_speaks_spanish(minilm: Path, tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("The cat sat on the mat, and the dog sat on the log. " * 6, encoding="utf-8")
    (tmp_path / "taken.tsv").write_text("kept", encoding="utf-8")
    tokenizer = hugging_face(minilm / "tokenizer.json")
    app = ExplorerApp(weights=open_weights(minilm / "model.safetensors"), tokenizer=tokenizer, text_file=str(story), ids="7592, 2088", lang="es")
    texts: list[str] = []
    async with running(app, size=(100, 40)) as pilot:
        await settled(pilot)
        texts.append(screen_text(app))  # the main view
        for keys in (("f1",), ("ctrl+o",), ("f6",), ("ctrl+n",), ("f4",), ("f7",), ("f12",), ("f11",), ("ctrl+b",), ("ctrl+b", "p")):
            texts.append(await shown(pilot, *keys))
            await closed(pilot)
        texts.append(await shown(pilot, "ctrl+g", typed="x"))  # refused: what is valid
        await closed(pilot)
        texts.append(await shown(pilot, "ctrl+f", *"tea"))
        await closed(pilot)
        texts.append(await shown(pilot, "f11", "s", typed="stride=0"))
        await closed(pilot)
        texts.append(await shown(pilot, "ctrl+y"))
        for key in ("k", "p"):  # how many, the map: each over the panel
            texts.append(await shown(pilot, key))
            await pilot.press("escape")
        texts.append(await shown(pilot, "m"))  # the other metric
        texts.append(await shown(pilot, "e", typed=str(tmp_path / "taken.tsv")))  # asks before writing over
        await closed(pilot)
    torch.manual_seed(0)
    save_file({"a": torch.ones(4, 2), "b": torch.zeros(9, 2)}, tmp_path / "two.safetensors")
    big = ExplorerApp(vocab_size=50257, dim=768, ids="1", lang="es")
    async with running(big, size=(100, 40)) as pilot:
        texts.append(await shown(pilot, "f7"))  # a question before a big dense gradient
        await closed(pilot)
        texts.append(await shown(pilot, "f6", typed=str(tmp_path / "two.safetensors")))  # pick a tensor
    assert len(texts) == 21 and english_in(texts) == []


async def test_the_check_finds_english_on_screen(minilm: Path) -> None:
    app = ExplorerApp(weights=open_weights(minilm / "model.safetensors"), ids="7592", lang="en")
    async with running(app, size=(100, 40)) as pilot:
        text = await shown(pilot, "f7")  # torch refuses: the weight is frozen
    assert english_in([text])
