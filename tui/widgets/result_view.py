"""The lookup result exactly as `print(layer(torch.tensor(ids)))` prints it (or the gradient, or a step's
rows before and after).

On the Line API like the matrix: a new result repaints the lines that changed and nothing else (no child
widget to lay out, and no screen layout: its size is set by CSS, not by the text).

A line wider than the panel is folded onto more rows (as torch breaks its own lines, `wrap.fold`), never
cut: on a narrow terminal `grad_fn=<EmbeddingBackward0>` is read whole, on a row of its own.

It draws its own vertical scroll indicator in its last column instead of Textual's scrollbar, which is a
widget of its own: it would come and go as the result grows past the panel, each time re-laying out the
screen and shifting the text, and it would render again on every typed ID. The wheel and the keys scroll
the result as usual.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.core.explorer.view import ResultPane
from tui.widgets.paint_style import PaintStyle
from tui.widgets.scrolling import scroll_top, thumb
from tui.widgets.textual_internals import FixedExtent
from tui.widgets.wrap import fold

_STALE = Style(dim=True)
THUMB, TRACK = "█", "│"  # different shapes, so the position reads without colour too
INDICATOR = 1  # columns kept for the indicator


class ResultView(PaintStyle, FixedExtent, ScrollView, can_focus=True):
    """torch's own repr, shown literally (never parsed as markup)."""

    COMPONENT_CLASSES = {"result-view--thumb", "result-view--track"}

    DEFAULT_CSS = """
    ResultView { height: 1fr; min-height: 3; overflow-y: hidden; }
    ResultView > .result-view--thumb { color: $scrollbar; }
    ResultView:focus > .result-view--thumb { color: $scrollbar-active; }
    ResultView > .result-view--track { color: $text-disabled; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = ""
        self._lines = [""]
        self._folded: tuple[tuple[str, int], list[str], list[int]] = (("", -1), [""], [0])  # (text, width): rows, each line's first row
        self._stale = False
        self._painting: tuple[int, range] | None = None  # the text width and the thumb, during a paint
        self._shown_line: int | None = None  # the line show_line keeps in view, also when the panel is resized

    def show(self, pane: ResultPane) -> None:
        """A new kind of text (the title says which) starts at its top; the line to follow comes into view."""
        if self.border_title != pane.title:
            self.border_title = pane.title
            self.scroll_home(animate=False, immediate=True)
        self._show_text(pane.text, pane.stale)
        if pane.follow is not None:
            self.show_line(pane.follow)

    def _show_text(self, text: str, stale: bool) -> None:
        """Show `text`; a stale result (the input is currently invalid) is dimmed, not hidden.

        Only the rows from the first one that differs are repainted (a new ID changes the end of the
        repr), or all visible rows when the indicator moved.
        """
        if (text, stale) == (self._text, self._stale):
            return
        width = self._text_width()
        old = self._rows(width)
        thumb_before, restyled = self._thumb(), stale != self._stale
        self._text, self._lines, self._stale, self._shown_line = text, text.split("\n"), stale, None
        rows = self._rows(width)
        first = 0 if restyled else next(
            (y for y, (was, now) in enumerate(zip(old, rows, strict=False)) if was != now), min(len(old), len(rows))
        )
        self.set_class(stale, "-stale")
        self.virtual_size = Size(width + INDICATOR, len(rows))
        if self._thumb() != thumb_before:
            self.refresh(self.size.region)  # every line, as a scroll repaints them; the title stays
        else:
            self.refresh_lines(first, max(len(old), len(rows)) - first)

    def _text_width(self) -> int:
        return max(1, self.scrollable_content_region.width - INDICATOR)

    def _rows(self, width: int) -> list[str]:
        """The text's lines folded at `width`: what the panel's rows show."""
        return self._fold(width)[0]

    def _fold(self, width: int) -> tuple[list[str], list[int]]:
        """The rows at `width`, and the first row of each line; kept for the text and width."""
        if self._folded[0] != (self._text, width):
            rows: list[str] = []
            starts: list[int] = []
            for line in self._lines:
                starts.append(len(rows))
                rows += fold(line, width)
            self._folded = ((self._text, width), rows, starts)
        return self._folded[1], self._folded[2]

    @property
    def text(self) -> str:
        return self._text

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def allow_vertical_scroll(self) -> bool:
        """Scrollable whenever the result is taller than the panel (Textual asks its scrollbar)."""
        return self.max_scroll_y > 0

    def show_line(self, y: int) -> None:
        """Scroll (without animation) just enough for line `y` to be on screen, its last row and then as many
        of its first rows as fit, now and after a resize."""
        self._shown_line = y
        height = self.scrollable_content_region.height
        rows, starts = self._fold(self._text_width())
        if height and 0 <= y < len(starts):
            first, last = starts[y], (starts[y + 1] if y + 1 < len(starts) else len(rows)) - 1
            now = round(self.scroll_offset.y)
            top = scroll_top(last, now, height)
            top = now if top is None else top
            if first < top and last - first < height:
                top = first
            if top != now:
                self.scroll_to(y=top, animate=False, immediate=True)

    def on_resize(self) -> None:
        """Folded again at the new width."""
        self.virtual_size = Size(self._text_width() + INDICATOR, len(self._rows(self._text_width())))
        if self._shown_line is not None:
            self.show_line(self._shown_line)

    def _thumb(self) -> range:
        return thumb(self.scrollable_content_region.height, len(self._rows(self._text_width())), round(self.scroll_offset.y))

    def _geometry(self) -> tuple[int, range]:
        return self._text_width(), self._thumb()

    def render_lines(self, crop: Region) -> list[Strip]:
        """The geometry is read once per paint, not once per line."""
        self._painting = self._geometry()
        try:
            return super().render_lines(crop)
        finally:
            self._painting = None

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width, shown = self._painting or self._geometry()
        style = self.paint_style + _STALE if self._stale else self.paint_style
        rows = self._rows(width)
        text = Strip([Segment(rows[index] if index < len(rows) else "", style)]).adjust_cell_length(width, self.paint_style)
        if not shown:
            return Strip.join([text, Strip.blank(INDICATOR, self.paint_style)])
        mark = Segment(THUMB, self.component_style("result-view--thumb")) if y in shown else Segment(
            TRACK, self.component_style("result-view--track")
        )
        return Strip.join([text, Strip([mark])])
