"""At 60×20, the smallest size the README's main view is meant for, every toggle, flag and result line is
on screen whole: folded onto more lines, never cut at the edge or under the result's scroll indicator."""

import re
from pathlib import Path

import pytest

from tests.app.conftest import running, screen_text, settled, until
from tests.app.test_meaning_app import minilm_app, neighbours
from tui.app import ExplorerApp
from tui.widgets.key_line import SEPARATOR, KeyLine, folded
from tui.widgets.result_view import THUMB, TRACK

SIZES = [(60, 20), (80, 24)]
FLAGS = ("shape=(4, 3)", "dtype=torch.float32", "requires_grad=True", "grad_fn=<EmbeddingBackward0>", "is_leaf=False")
WEIGHT_FLAGS = ("Parameter=True", "shape=(6, 3)", "is_leaf=True")
TOGGLES = ("[ ] Freeze weight (F2)", "[ ] torch.no_grad() (F3)", "show weight.grad (^T)")


def whole(app: ExplorerApp) -> str:
    """What every main view says, whole: the toggles, the result's and the weight's flags; and no row of
    the result running into its scroll indicator. The screen's text."""
    text = screen_text(app)
    for part in (*TOGGLES, *FLAGS, *WEIGHT_FLAGS):
        assert part in text, part
    result = app.main.result
    rows = [result.render_line(y).text for y in range(result.scrollable_content_region.height)]
    assert not [row for row in rows if re.search(rf"\S[{THUMB}{TRACK}]$", row)], rows  # a gap before the indicator
    return text


@pytest.mark.parametrize("size", SIZES)
async def test_the_main_view_after_a_lookup_is_whole(size: tuple[int, int]) -> None:
    app = ExplorerApp(ids="2, 3, 5, 1")
    async with running(app, size=size) as pilot:
        await settled(pilot)
        text = whole(app)
        assert "grad=None" in text
        assert "grad_fn=<EmbeddingBackward0>)" in text  # the result's own last line, folded onto a row of its own at 60


@pytest.mark.parametrize("size", SIZES)
async def test_the_main_view_after_backward_is_whole(size: tuple[int, int]) -> None:
    app = ExplorerApp(ids="2, 3, 5, 1")
    async with running(app, size=size) as pilot:
        await settled(pilot)
        await pilot.press("f7")
        await until(pilot, lambda: app.explorer.session.layer.weight.grad is not None)
        await settled(pilot)
        text = whole(app)
        assert "grad=(6, 3)" in text


async def test_the_result_folds_at_the_panels_width_and_unfolds_when_wider() -> None:
    app = ExplorerApp(ids="2, 3, 5, 1")
    async with running(app, size=(60, 20)) as pilot:
        await settled(pilot)
        result = app.main.result
        rows = [result.render_line(y).text for y in range(result.scrollable_content_region.height)]
        assert rows[-1].rstrip(THUMB + TRACK).strip() == "grad_fn=<EmbeddingBackward0>)"
        await pilot.resize_terminal(100, 30)
        await until(pilot, lambda: result.size.width == 100)
        await pilot.pause()
        assert any(result.render_line(y).text.rstrip(THUMB + TRACK).rstrip().endswith("]], grad_fn=<EmbeddingBackward0>)") for y in range(result.size.height))


async def test_a_click_on_the_second_line_of_toggles_flips_its_switch() -> None:
    app = ExplorerApp(ids="2, 3")
    async with running(app, size=(60, 20)) as pilot:
        await settled(pilot)
        await pilot.press("f7")
        await until(pilot, lambda: app.explorer.session.layer.weight.grad is not None)
        await settled(pilot)
        toggles = app.main.toggles
        assert toggles.size.height == 2
        shown = toggles.value("grad")  # backward shows the gradient
        await pilot.click(toggles, offset=(4, 1))  # `[x] show weight.grad`, on the line below
        await until(pilot, lambda: toggles.value("grad") is not shown)
        assert not toggles.value("freeze") and not toggles.value("no_grad")


def test_keys_fold_between_items() -> None:
    keys = "Enter: ask · a: add its ID · p: map · Esc: close"
    assert folded(keys, 30) == ["Enter: ask · a: add its ID", "p: map · Esc: close"]
    assert folded(keys, 5) == ["Enter: ask", "a: add its ID", "p: map", "Esc: close"]  # too narrow: an item a line
    assert folded(keys, 200) == [keys]


@pytest.mark.parametrize("size", SIZES)
async def test_the_neighbours_keys_are_whole(minilm: Path, size: tuple[int, int]) -> None:
    app = minilm_app(minilm, ids="2332")
    async with running(app, size=size) as pilot:
        screen = await neighbours(pilot)
        keys = screen.query_one("#neighbours-keys", KeyLine)
        lines = keys.render().plain.split("\n")
        assert len(lines) == keys.size.height and all(len(line) <= keys.size.width for line in lines)
        shown = screen.dialog.list_keys  # the list has the focus: a question was asked
        assert [item for line in lines for item in line.split(SEPARATOR)] == shown.split(SEPARATOR)
