"""Long work off the event loop: a job that finishes after a newer one started is dropped, never shown."""

import threading
from pathlib import Path

import torch
from safetensors.torch import save_file

from tests.app.conftest import idle, running, screen_text, until
from tui.app import ExplorerApp
from tui.screens.open import OpenScreen
from tui.screens.options import OptionsScreen
from tui.widgets.matrix_view import MatrixView
from tui.widgets.result_view import ResultView


async def test_a_rebuild_that_ends_after_a_file_was_opened_does_not_replace_the_files_layer(
    tmp_path: Path, monkeypatch
) -> None:
    """Ctrl+O asks for padding_idx=1 (a rebuild, held back here); F6 opens a file before it ends. The file's
    layer is what stays on screen, whichever job ends last."""
    import tui.core.chapter.session

    torch.manual_seed(5)
    weight = torch.randn(8, 4)
    save_file({"wte.weight": weight}, tmp_path / "tiny.safetensors")
    rebuilding, release = threading.Event(), threading.Event()
    make = tui.core.chapter.session.EmbeddingSession.__init__

    def held_back(self, spec, *args, **kwargs) -> None:
        if spec.options.padding_idx == 1:  # the rebuild, not the file's layer
            rebuilding.set()
            release.wait(10)
        make(self, spec, *args, **kwargs)

    monkeypatch.setattr(tui.core.chapter.session.EmbeddingSession, "__init__", held_back)
    app = ExplorerApp(ids="2, 3")
    async with running(app) as pilot:
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, OptionsScreen))
        app.screen.query_one("#padding_idx").value = "1"
        app.screen.query_one("#padding_idx").focus()
        await pilot.press("enter")  # apply: the rebuild starts, and waits
        await until(pilot, lambda: rebuilding.is_set())
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, OpenScreen))
        app.screen.query_one("#ask-input").value = str(tmp_path / "tiny.safetensors")
        await pilot.press("enter")
        await until(pilot, lambda: app.explorer.session.weights is not None)  # the file's layer is installed; the rebuild still waits
        release.set()
        await until(pilot, lambda: idle(app))  # the rebuild ended too
        assert "wte.weight · (8, 4) · torch.float32" in screen_text(app)
        assert app.query_one(MatrixView).render_line(8).text.split()[0] == "7"  # 8 rows: the file's
        expected = torch.nn.Embedding.from_pretrained(weight)(torch.tensor([2, 3]))
        assert app.query_one(ResultView).text == repr(expected)
