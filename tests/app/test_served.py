"""A session started by `embedding-explorer serve`: F6 offers what the teacher gave and nothing of the server's
disk, and copy-as-code's `s` hands the script to the browser (`App.deliver_text`) instead of writing it."""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import save_file
from textual.widgets import DirectoryTree, Input, OptionList

from tests.app.conftest import running, screen_text, settled, until
from tui.app import ExplorerApp
from tui.core.explorer.explorer import Setup
from tui.core.files.access import Access
from tui.core.texts.shown import printable
from tui.screens.code import CodeScreen
from tui.screens.open import OpenScreen
from tui.widgets.status_bar import StatusBar

HOSTILE = "red\x1b[31m\u202e"  # a file name that would colour the terminal and reverse its text


def class_folder(tmp_path: Path) -> Path:
    """A --files folder (a weight file, a text, a name only escapes can show) beside the server's own files."""
    folder = tmp_path / "class"
    folder.mkdir()
    torch.manual_seed(3)
    save_file({"wte.weight": torch.randn(8, 4)}, folder / "tiny.safetensors")
    (folder / "the-verdict.txt").write_text("I HAD always thought Jack Gisburn", encoding="utf-8")
    (folder / f"{HOSTILE}.txt").write_text("x", encoding="utf-8")
    save_file({"wte.weight": torch.zeros(3, 2)}, tmp_path / "server-only.safetensors")
    return folder


def served_app(folder: Path, lang: str = "en") -> ExplorerApp:
    return ExplorerApp(Setup.of(ids="2, 3", lang=lang, access=Access.of(str(folder), ["gpt2"])))


async def test_f6_offers_only_the_given_names_and_the_folders_files(tmp_path: Path, monkeypatch) -> None:
    folder = class_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    app = served_app(folder)
    async with running(app) as pilot:
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, OpenScreen))
        await pilot.pause()
        assert not app.screen.query(DirectoryTree)  # no tree of the server's folders
        offered = app.screen.query_one("#open-offered", OptionList)
        names = [str(offered.get_option_at_index(index).prompt) for index in range(offered.option_count)]
        assert names == ["gpt2", printable(str(folder / f"{HOSTILE}.txt")), str(folder / "the-verdict.txt"), str(folder / "tiny.safetensors")]
        text = screen_text(app)
        assert "server-only" not in text and "\x1b" not in text and "\u202e" not in text
        line = app.screen.query_one("#ask-input", Input)
        assert await line.suggester.get_suggestion(str(tmp_path) + "/s") is None  # the disk is never completed
        assert await line.suggester.get_suggestion("gp") == "gpt2"
        line.value = str(tmp_path / "server-only.safetensors")
        await pilot.press("enter")
        await settled(pilot)
        status = app.query_one(StatusBar).text
        assert "is not among the files this session may open" in status and app.explorer.spec.vocab_size == 6
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, OpenScreen))
        await pilot.pause()
        app.screen.query_one("#open-offered", OptionList).focus()
        await pilot.press("end", "enter")  # the last one offered: the weight file
        await settled(pilot)
        await until(pilot, lambda: app.explorer.spec.vocab_size == 8)


async def test_s_in_the_copied_code_downloads_it_and_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    folder = class_folder(tmp_path)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    app = served_app(folder)
    delivered: list[tuple[str, str | None]] = []
    monkeypatch.setattr(app, "deliver_text", lambda stream, save_filename=None, **_: delivered.append((stream.read(), save_filename)))
    async with running(app, size=(160, 40)) as pilot:
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, CodeScreen))
        await pilot.pause()
        assert app.clipboard == ""  # the browser's terminal has no clipboard: nothing claims it went there
        assert "Press s to download it as embedding_layer.py" in screen_text(app) and "clipboard" not in screen_text(app)
        await pilot.press("s")
        await until(pilot, lambda: app.screen is app.main)
        assert delivered == [(app.explorer.code_script(), "embedding_layer.py")]
        assert "on its way to your browser as embedding_layer.py" in app.query_one(StatusBar).text
    assert list(cwd.iterdir()) == []
