"""The autograd flags of the result and of `layer.weight`, as read off the real tensors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from tui.widgets.paint_style import PaintStyle
from tui.widgets.wrap import Piece, strip, wrap

if TYPE_CHECKING:  # the session imports torch, which the first frame must not wait for
    from tui.core.session import Lookup

TITLE = Style(bold=True, underline=True)
NAME = Style(dim=True)
VALUE = Style(bold=True)


class FlagsView(PaintStyle, Widget):
    """The result's flags, then the weight's, each wrapped under its title (beside the result on wide
    terminals). On the Line API: new flags repaint these lines, and re-lay out the screen only when they
    wrap onto more or fewer lines.
    """

    DEFAULT_CSS = """
    FlagsView { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._groups: tuple[Piece, ...] = ()  # one piece per title and per flag; a title starts a line
        self._lines: list[tuple[bool, list[Piece]]] = []  # (starts a group, pieces), at the current width

    def show(self, lookup: Lookup, result_label: str, weight_label: str) -> None:
        groups = tuple(
            piece
            for title, flags in ((result_label, lookup.flags()), (weight_label, lookup.weight.flags()))
            for piece in (((title, TITLE),), *(((f"{name}=", NAME), (str(value), VALUE)) for name, value in flags))
        )
        if groups == self._groups:  # typing changes IDs far more often than flags
            return
        self._groups = groups
        old, self._lines = self._lines, self._wrap(self.content_size.width)
        if len(self._lines) != len(old):
            self.refresh(layout=True)
            return
        for y, (was, now) in enumerate(zip(old, self._lines, strict=True)):
            if was != now:  # typically the shape alone
                self.refresh(Region(0, y, self.size.width, 1))

    def _wrap(self, width: int) -> list[tuple[bool, list[Piece]]]:
        lines: list[tuple[bool, list[Piece]]] = []
        group: list[Piece] = []
        for piece in (*self._groups, None):
            if group and (piece is None or piece[0][1] is TITLE):
                lines += [(index == 0, line) for index, line in enumerate(wrap(group, max(1, width)))]
                group = []
            if piece is not None:
                group.append(piece)
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._wrap(width))

    def on_resize(self) -> None:
        self._lines = self._wrap(self.content_size.width)

    def render_line(self, y: int) -> Strip:
        width, style = self.content_size.width, self.paint_style
        if y >= len(self._lines):
            return Strip.blank(width, style)
        first, line = self._lines[y]
        return strip(line, first, width, style)
