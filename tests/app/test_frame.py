"""What one typed key costs the screen: one frame, no re-layout, only the lines that changed."""

from textual.screen import Screen

from tests.app.conftest import running
from tui.app import ExplorerApp
from tui.widgets.result_view import ResultView


async def test_a_typed_id_repaints_without_re_laying_out_the_screen(monkeypatch) -> None:
    layouts: list[Screen] = []
    refresh_layout = Screen._refresh_layout
    monkeypatch.setattr(Screen, "_refresh_layout", lambda self, *a, **k: layouts.append(self) or refresh_layout(self, *a, **k))
    app = ExplorerApp(ids="2, 3, 5")
    async with running(app, size=(160, 50)) as pilot:  # the result fits: no scrollbar comes or goes
        layouts.clear()
        await pilot.press(*", 1", "backspace", "4", "backspace", "backspace", "backspace")
        assert app.query_one(ResultView).text.count("\n") == 2  # back to three rows, after four
        assert layouts == []


async def test_the_matrix_follows_the_id_under_the_input_cursor() -> None:
    app = ExplorerApp(vocab_size=1000, dim=3, ids="5, 900")
    async with running(app) as pilot:
        matrix = app.query_one("#matrix")
        assert matrix.scroll_offset.y > 800  # the cursor starts after 900
        await pilot.press("home")
        assert matrix.scroll_offset.y <= 5  # on 5 now: its row came back into view
        await pilot.press("end")
        assert matrix.scroll_offset.y > 800
