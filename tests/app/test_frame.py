"""What one typed key costs the screen: one frame, no re-layout, only the lines that changed."""

import pytest
from textual.geometry import Region

from tests.app.conftest import running
from tui.app import ExplorerApp
from tui.widgets.id_input import IdInput
from tui.widgets.result_view import ResultView
from tui.widgets.textual_internals import screen_layouts


@pytest.mark.parametrize("size", [(160, 50), (80, 24)])
async def test_a_typed_id_repaints_without_re_laying_out_the_screen(size: tuple[int, int]) -> None:
    app = ExplorerApp(ids="2, 3, 5")
    async with running(app, size=size) as pilot:  # at 80×24 the result grows past its panel, and back
        with screen_layouts() as layouts:
            await pilot.press(*", 1, 0, 4", *["backspace"] * 9)
        assert app.query_one(ResultView).text.count("\n") == 2  # back to three rows, after six
        assert layouts == []


async def test_a_typed_key_repaints_the_input_text_line_only(monkeypatch) -> None:
    app = ExplorerApp(ids="2, 3")
    async with running(app) as pilot:
        ids_input = app.query_one(IdInput)
        repainted: list[tuple[Region, ...]] = []
        refresh = ids_input.refresh
        monkeypatch.setattr(ids_input, "refresh", lambda *regions, **k: repainted.append(regions) or refresh(*regions, **k))
        await pilot.press(",", "5", "left", "backspace")
        assert ids_input.value == "2, 35" and ids_input.cursor_position == 4
        assert repainted and all(regions == (Region(0, 0, ids_input.content_size.width, 1),) for regions in repainted)


async def test_the_matrix_follows_the_id_under_the_input_cursor() -> None:
    app = ExplorerApp(vocab_size=1000, dim=3, ids="5, 900")
    async with running(app) as pilot:
        matrix = app.query_one("#matrix")
        assert matrix.scroll_offset.y > 800  # the cursor starts after 900
        await pilot.press("home")
        assert matrix.scroll_offset.y <= 5  # on 5 now: its row came back into view
        await pilot.press("end")
        assert matrix.scroll_offset.y > 800


async def test_one_typed_key_runs_the_explorer_and_the_panels_once(monkeypatch) -> None:
    """input → explorer → view → widgets, once per key, with the text and the cursor as they are after it."""
    app = ExplorerApp(ids="2")
    async with running(app) as pilot:
        edits, views = [], []
        edit, show = app.explorer.edit, app.show
        monkeypatch.setattr(app.explorer, "edit", lambda value, cursor: edits.append((value, cursor)) or edit(value, cursor))
        monkeypatch.setattr(app, "show", lambda view: views.append(view) or show(view))
        await pilot.press(",", " ", "3", "left", "backspace")
        assert edits == [("2,", 2), ("2, ", 3), ("2, 3", 4), ("2, 3", 3), ("2,3", 2)]
        assert len(views) == 5 and [view.matrix.follow for view in views] == [2, 2, 3, 3, 3]  # "2,|3": the ID at the cursor is 3
