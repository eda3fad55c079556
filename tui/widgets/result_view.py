"""The lookup result exactly as `print(layer(torch.tensor(ids)))` prints it.

On the Line API like the matrix: a new result repaints the visible lines and nothing else (no child
widget to lay out), and the layout changes only when the text's extent does.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

_STALE = Style(dim=True)


class ResultView(ScrollView, can_focus=True):
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
        """Show `text`; a stale result (the input is currently invalid) is dimmed, not hidden."""
        if (text, stale) == (self._text, self._stale):
            return
        self._text, self._lines, self._stale = text, text.split("\n"), stale
        self.set_class(stale, "-stale")
        self.virtual_size = Size(max(map(len, self._lines)), len(self._lines))
        self.refresh()

    @property
    def text(self) -> str:
        return self._text

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        style = self.rich_style + _STALE if self._stale else self.rich_style
        line = self._lines[index] if index < len(self._lines) else ""
        return Strip([Segment(line[scroll_x : scroll_x + width], style)]).adjust_cell_length(width, self.rich_style)
