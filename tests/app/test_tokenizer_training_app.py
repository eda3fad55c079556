"""A BPE tokenizer trained at the keyboard: j, a text file, a vocabulary size; the layer it makes, labelled by
its tokens, and text typed with it; a size refused under the line."""

from pathlib import Path

from textual.widgets import Input

from tests.app.conftest import running, screen_text, settled, until
from tui.app import ExplorerApp
from tui.core.tokens.bpe_training import BPETokenizer
from tui.screens.ask import AskScreen
from tui.widgets.status_bar import StatusBar

TEXT = "the cat sat on the mat; the cat ate the rat. " * 20


async def answer(pilot, text: str) -> None:
    """Type `text` into the open prompt and press Enter."""
    await until(pilot, lambda: isinstance(pilot.app.screen, AskScreen))
    pilot.app.screen.query_one("#ask-input", Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_j_trains_a_tokenizer_whose_layer_and_text_mode_follow(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(TEXT, encoding="utf-8")
    app = ExplorerApp(ids="2, 3", lang="en")
    async with running(app) as pilot:
        await pilot.press("tab", "j")  # a letter is a command once the input has not the focus
        await answer(pilot, str(story))
        await answer(pilot, "12")
        assert isinstance(app.screen, AskScreen) and "too small" in screen_text(app)  # refused under the line
        await answer(pilot, "280")
        await settled(pilot)
        await until(pilot, lambda: "merges learned" in app.query_one(StatusBar).text)
        assert "(280, 3)" in screen_text(app)
        expected = BPETokenizer()
        expected.train(TEXT, 280)
        assert app.explorer.input.text_mode
        app.query_one("#ids", Input).value = "the rat"
        ids = expected.encode("the rat", allowed_special=("<|endoftext|>",))
        await until(pilot, lambda: f"IDs {ids}" in app.query_one(StatusBar).text)
        assert app.explorer.lookup.parsed.ids == tuple(ids)
