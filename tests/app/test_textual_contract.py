"""What the widgets rely on in Textual beyond its documented use (tui/widgets/textual_internals.py, and
IdInput's reliance on Input.replace), stated: an upgrade that changes it fails here."""

import importlib.metadata
import inspect
import tomllib
from pathlib import Path

from textual import events
from textual.app import App, ComposeResult
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.widget import Widget
from textual.widgets import Input

from tui.widgets.textual_internals import FixedExtent, TextLineInput, screen_layouts


def test_textual_is_the_version_the_fence_was_checked_against() -> None:
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    pinned = next(dep for dep in pyproject["project"]["dependencies"] if dep.startswith("textual=="))
    assert pinned == f"textual=={importlib.metadata.version('textual')}"


def test_the_private_names_exist_as_used() -> None:
    assert list(inspect.signature(Widget._scroll_update).parameters) == ["self", "virtual_size"]
    assert isinstance(inspect.getattr_static(Widget, "virtual_size"), Reactive)
    for name in ("value", "selection"):
        assert isinstance(inspect.getattr_static(Input, name), Reactive)
    assert callable(Input._watch_value) and callable(Input._watch_selection)  # still run beside ours
    assert list(inspect.signature(Input._restart_blink).parameters) == ["self"]
    assert "size" in inspect.signature(Screen._refresh_layout).parameters


class Extent(FixedExtent, ScrollView):
    DEFAULT_CSS = "Extent { height: 5; }"

    def on_mount(self) -> None:
        self.virtual_size = Size(40, 20)  # taller than the widget from the start: its scrollbar is there


class Fenced(App[None]):
    def compose(self) -> ComposeResult:
        yield TextLineInput(id="input")
        yield Extent(id="extent")


async def test_a_fixed_extent_scrolls_without_a_layout_and_a_key_repaints_one_line() -> None:
    app = Fenced()
    async with app.run_test(size=(40, 10)) as pilot:
        extent, field = app.query_one(Extent), app.query_one(TextLineInput)
        field.focus()
        await pilot.pause()
        repainted: list[tuple[Region, ...]] = []
        refresh = field.refresh
        field.refresh = lambda *regions, **kwargs: repainted.append(regions) or refresh(*regions, **kwargs)
        with screen_layouts() as layouts:
            extent.virtual_size = Size(40, 50)
            await pilot.press("a", "b")
            await pilot.pause()
        assert layouts == [] and extent.max_scroll_y == 50 - extent.scrollable_content_region.height  # nothing re-laid out
        assert field.value == "ab" and field.cursor_position == 2  # Input's own watchers still ran
        assert repainted and all(regions == (Region(0, 0, field.content_size.width, 1),) for regions in repainted)
        with screen_layouts() as layouts:
            field.styles.height = 5  # a real layout is seen
            await pilot.pause()
        assert layouts


class CountingInput(Input):
    replaced = 0

    def replace(self, text: str, start: int, end: int) -> None:
        self.replaced += 1
        super().replace(text, start, end)


class Typing(App[None]):
    def compose(self) -> ComposeResult:
        yield CountingInput()


async def test_every_edit_of_an_inputs_text_goes_through_replace() -> None:
    """IdInput calls the explorer once per edit from `Input.replace` (a public method)."""
    app = Typing()
    async with app.run_test() as pilot:
        field = app.query_one(CountingInput)
        field.focus()
        await pilot.press("a", "b", "c", "backspace", "left", "delete", "ctrl+w")
        field.post_message(events.Paste("2, 3"))
        await pilot.pause()
        assert field.value == "2, 3" and field.replaced == 7  # 3 characters, backspace, delete, ctrl+w, the paste

