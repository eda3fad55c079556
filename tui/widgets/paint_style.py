"""The widget's styles, read once per paint."""

from __future__ import annotations

from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget


class PaintStyle:
    """`Widget.rich_style` and `get_component_rich_style` combine the styles of every ancestor on each
    call: read in `render_line`, a paint of N lines pays for them N times. A mixin, listed before the widget
    class, that reads each at most once per paint (and not at all when every line comes from Textual's
    line cache).
    """

    _paint_styles: dict[str, Style] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._paint_styles = None
        return super().render_lines(crop)  # type: ignore[misc]

    @property
    def paint_style(self) -> Style:
        """The widget's own style."""
        return self.component_style("")

    def component_style(self: Widget, name: str) -> Style:
        """The style of a component class of the widget (`""`: the widget itself)."""
        if self._paint_styles is None:
            self._paint_styles = {}
        style = self._paint_styles.get(name)
        if style is None:
            style = self._paint_styles[name] = self.get_component_rich_style(name) if name else self.rich_style
        return style
