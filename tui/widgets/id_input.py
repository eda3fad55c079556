"""The token-ID input."""

from __future__ import annotations

from textual.geometry import Region
from textual.reactive import Reactive
from textual.widgets import Input
from textual.widgets.input import Selection

from tui.widgets.fixed_extent import FixedExtent


class IdInput(FixedExtent, Input):
    """Textual's Input, with two changes to what one typed key repaints.

    Its virtual size follows its text on every key: full width and three rows here, so a key repaints
    the input instead of re-laying out the screen (FixedExtent). And a key repaints the text line
    alone: Input's `value` and `selection` repaint the whole widget, so the frame and its title were
    drawn again on every key, about a third of the input's share of the frame. A change of style (focus)
    still repaints all of it.
    """

    value: Reactive[str] = Reactive("", init=False, repaint=False)
    selection: Reactive[Selection] = Reactive(Selection.cursor(0), repaint=False)

    def watch_value(self) -> None:
        self._repaint_text()

    def watch_selection(self) -> None:
        self._repaint_text()

    def _repaint_text(self) -> None:
        self.refresh(Region(0, 0, self.content_size.width, 1))
