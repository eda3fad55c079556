"""The autograd flags of the result and of `layer.weight`, as read off the real tensors."""

from __future__ import annotations

from rich.style import Style
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from tui.core.explorer.view import Flags
from tui.widgets.paint_style import PaintStyle
from tui.widgets.wrap import Piece, strip, wrap

TITLE = Style(bold=True, underline=True)
NAME = Style(dim=True)
VALUE = Style(bold=True)
STALE = Style(dim=True)
Line = tuple[bool, list[Piece]]  # (the first line of its group, its pieces)


class FlagsView(PaintStyle, Widget):
    """The result's flags, then the weight's, each wrapped under its title (beside the result on wide
    terminals); folded, the weight's title runs on after the result's flags. Every flag is always whole. On the Line API: new flags repaint these lines, and re-lay out the screen only when they
    wrap onto more or fewer lines.
    """

    DEFAULT_CSS = """
    FlagsView { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._groups: tuple[Piece, ...] = ()  # one piece per title and per flag; a title starts a line
        self._wrapped: tuple[tuple[int, bool], list[Line]] = ((-1, False), [])  # the lines at one width, folded or not
        self._folded = False
        self._stale = False

    @property
    def folded(self) -> bool:
        """The titles run on with the flags instead of starting lines: fewer lines (short terminals)."""
        return self._folded

    @folded.setter
    def folded(self, folded: bool) -> None:
        if folded != self._folded:
            self._folded = folded
            self.refresh(layout=True)

    def show(self, flags: Flags, stale: bool = False) -> bool:
        """`stale`: the input is invalid now; these are the last good result's flags, dimmed as it is.
        True when the flags take another number of lines (the screen gives the rows again)."""
        if stale != self._stale:
            self._stale = stale
            self.refresh()
        groups = tuple(
            piece
            for title, group in flags
            for piece in (((title, TITLE),), *(((f"{name}=", NAME), (value, VALUE)) for name, value in group))
        )
        if groups == self._groups:  # typing changes IDs far more often than flags
            return False
        width = self.content_size.width
        old = self._lines(width)
        self._groups, self._wrapped = groups, ((-1, False), [])
        new = self._lines(width)
        if len(new) != len(old):
            self.refresh(layout=True)
            return True
        for y, (was, now) in enumerate(zip(old, new, strict=True)):
            if was != now:  # typically the shape alone
                self.refresh(Region(0, y, self.size.width, 1))
        return False

    def height_at(self, width: int, folded: bool) -> int:
        """How many lines the flags take at `width` (of content), folded or not."""
        return len(self._lines(width, folded))

    def _lines(self, width: int, folded: bool | None = None) -> list[Line]:
        """The flags wrapped at `width`: each title starts a line, its flags follow; folded, only the first."""
        key = (width, self._folded if folded is None else folded)
        if self._wrapped[0] == key:
            return self._wrapped[1]
        lines: list[Line] = []
        group: list[Piece] = []
        for piece in (*self._groups, None):
            if group and (piece is None or (piece[0][1] is TITLE and not key[1])):
                lines += [(index == 0, line) for index, line in enumerate(wrap(group, max(1, width)))]
                group = []
            if piece is not None:
                group.append(piece)
        if folded is None:
            self._wrapped = (key, lines)
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render_line(self, y: int) -> Strip:
        width, style = self.content_size.width, self.paint_style + (STALE if self._stale else Style())
        lines = self._lines(width)
        if y >= len(lines):
            return Strip.blank(width, style)
        first, line = lines[y]
        return strip(line, first, width, style)
