"""The widget's style, read once per paint."""

from __future__ import annotations

from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget


class PaintStyle:
    """`Widget.rich_style` combines the styles of every ancestor on each call: read in `render_line`, a
    paint of N lines pays for it N times. A mixin, listed before the widget class, whose `paint_style`
    reads it at most once per paint (and not at all when every line comes from Textual's line cache).
    """

    _paint_style: Style | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._paint_style = None
        return super().render_lines(crop)  # type: ignore[misc]

    @property
    def paint_style(self: Widget) -> Style:
        if self._paint_style is None:
            self._paint_style = self.rich_style
        return self._paint_style
