"""Snapshot tests (pytest-textual-snapshot): the screen at fixed sizes, compared with reviewed SVGs.

Update after a reviewed change with `pytest tests/snapshots --snapshot-update`.
"""

from textual.pilot import Pilot
from textual.widgets import Input

from tui.app import ExplorerApp
from tui.core.spec import LayerOptions


async def ready(pilot: Pilot) -> None:
    """Wait for the layer, and stop the cursor blinking so every run draws the same frame."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for widget in pilot.app.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


class TestExplorer:
    def test_default_view(self, snap_compare) -> None:
        assert snap_compare(ExplorerApp(lang="en"), terminal_size=(80, 24), run_before=ready)

    def test_book_lookup_80x24(self, snap_compare) -> None:
        assert snap_compare(ExplorerApp(ids="2, 3, 5, 1", lang="en"), terminal_size=(80, 24), run_before=ready)

    def test_book_lookup_160x50(self, snap_compare) -> None:
        assert snap_compare(ExplorerApp(ids="2, 3, 5, 1", lang="en"), terminal_size=(160, 50), run_before=ready)

    def test_error_keeps_the_last_result(self, snap_compare) -> None:
        app = ExplorerApp(ids="2, 3, 5, 1", lang="en")
        assert snap_compare(app, press=[*", 7"], terminal_size=(80, 24), run_before=ready)

    def test_frozen_under_no_grad(self, snap_compare) -> None:
        app = ExplorerApp(ids="2, 3", lang="en")
        assert snap_compare(app, press=["f2", "f3"], terminal_size=(80, 24), run_before=ready)


class TestSpanish:
    def test_spanish_ui(self, snap_compare) -> None:
        assert snap_compare(ExplorerApp(ids="2, 3, 5, 1", lang="es"), terminal_size=(80, 24), run_before=ready)


def after(*keys: str):
    """`run_before` that presses training keys, waiting for the lab's worker after each."""

    async def run(pilot: Pilot) -> None:
        await ready(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    return run


class TestTrainingLab:
    def test_grad_view_after_backward(self, snap_compare) -> None:
        app = ExplorerApp(ids="2, 3, 5, 1, 3", lang="en")
        assert snap_compare(app, terminal_size=(80, 24), run_before=after("f7"))

    def test_after_a_step(self, snap_compare) -> None:
        app = ExplorerApp(ids="2, 3, 5, 1, 3", lang="en")
        assert snap_compare(app, terminal_size=(80, 24), run_before=after("f7", "f8"))

    def test_sparse_grad_160x50(self, snap_compare) -> None:
        app = ExplorerApp(ids="2, 3, 5, 1, 3", lang="en", options=LayerOptions(sparse=True))
        assert snap_compare(app, terminal_size=(160, 50), run_before=after("f7"))
