"""The lookup result exactly as `print(layer(torch.tensor(ids)))` prints it.

On the Line API like the matrix: a new result repaints the visible lines and nothing else (no child
widget to lay out, and no screen layout: its size is set by CSS, not by the text).
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.widgets.fixed_extent import FixedExtent
from tui.widgets.matrix_view import scroll_top
from tui.widgets.paint_style import PaintStyle

_STALE = Style(dim=True)


class ResultView(PaintStyle, FixedExtent, ScrollView, can_focus=True):
    """torch's own repr, shown literally (never parsed as markup)."""

    DEFAULT_CSS = """
    ResultView { height: 1fr; min-height: 3; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = ""
        self._lines = [""]
        self._stale = False

    def show(self, text: str, stale: bool = False) -> None:
        """Show `text`; a stale result (the input is currently invalid) is dimmed, not hidden.

        Only the lines from the first one that differs are repainted: a new ID changes the end of the repr.
        """
        if (text, stale) == (self._text, self._stale):
            return
        old, lines = self._lines, text.split("\n")
        first = 0 if stale != self._stale else next(
            (y for y, (was, now) in enumerate(zip(old, lines, strict=False)) if was != now), min(len(old), len(lines))
        )
        self._text, self._lines, self._stale = text, lines, stale
        self.set_class(stale, "-stale")
        self.virtual_size = Size(max(map(len, lines)), len(lines))
        self.refresh_lines(first, max(len(old), len(lines)) - first)

    @property
    def text(self) -> str:
        return self._text

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def show_line(self, y: int) -> None:
        """Scroll (without animation) just enough for line `y` to be on screen."""
        height = self.scrollable_content_region.height
        if height:
            top = scroll_top(y, round(self.scroll_offset.y), height)
            if top is not None:
                self.scroll_to(y=top, animate=False, immediate=True)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        style = self.paint_style + _STALE if self._stale else self.paint_style
        line = self._lines[index] if index < len(self._lines) else ""
        return Strip([Segment(line[scroll_x : scroll_x + width], style)]).adjust_cell_length(width, self.paint_style)
