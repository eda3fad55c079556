"""The foot of the screen: two lines of messages, then the main keys.

One Line-API widget for both: a new message, which comes with nearly every key, repaints two lines of
text and never re-lays out the screen.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from tui.core.explorer.view import Keys
from tui.widgets.paint_style import PaintStyle
from tui.widgets.wrap import Piece, strip, words, wrap

MESSAGE_LINES = 2


class StatusBar(PaintStyle, Widget):
    COMPONENT_CLASSES = {"status-bar--error", "status-bar--keys", "status-bar--key"}

    DEFAULT_CSS = """
    StatusBar { height: 3; }
    StatusBar > .status-bar--error { color: $error; text-style: bold; }
    StatusBar > .status-bar--keys { background: $panel; color: $text-muted; }
    StatusBar > .status-bar--key { text-style: bold reverse; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = ""
        self._error = False
        self._wrapped: tuple[str, int, list[list[Piece]]] = ("", -1, [])
        self._shown: Keys = ()
        self._keys = [(" ^P ", " …")]

    def show_keys(self, keys: Keys) -> None:
        """These commands' keys and short names, in this order, cropped on the right when the terminal is
        narrow; always `^P …` last (the palette has every command)."""
        if keys != self._shown:
            self._shown = keys
            self._keys = [*((f" {key} ", f" {label} ") for _, key, label in keys), (" ^P ", " …")]
            self.refresh(Region(0, MESSAGE_LINES, self.size.width, 1))

    def show(self, message: str, error: bool = False) -> None:
        """Errors carry a ✗ so they read as errors without colour; the text is shown literally (it is
        printable already: no control characters)."""
        text = ("✗ " if error else "") + message
        if (text, error) != (self._text, self._error):
            self._text, self._error = text, error
            self.set_class(error, "-error")
            self.refresh(Region(0, 0, self.size.width, MESSAGE_LINES))

    @property
    def text(self) -> str:
        return self._text

    def render_line(self, y: int) -> Strip:
        width, base = self.size.width, self.paint_style
        if y >= MESSAGE_LINES:
            return self._keys_line(width)
        style = base + self.component_style("status-bar--error") if self._error else base
        lines = self._lines(width - 2)
        if y >= len(lines):
            return Strip.blank(width, base)
        line = strip(lines[y], y == 0, width - 2, style)
        if y == MESSAGE_LINES - 1 and len(lines) > MESSAGE_LINES:  # more than fits: say so
            line = line.crop(0, width - 3).extend_cell_length(width - 3, style)
            line = Strip([*line, Segment("…", style)])
        return Strip([Segment(" ", base), *line, Segment(" ", base)])

    def _lines(self, width: int) -> list[list[Piece]]:
        """The message wrapped at `width`, once per message and width (a paint draws its lines one by one)."""
        if self._wrapped[:2] != (self._text, width):
            self._wrapped = (self._text, width, wrap(words(self._text, Style()), max(1, width)))
        return self._wrapped[2]

    def _keys_line(self, width: int) -> Strip:
        bar = self.paint_style + self.component_style("status-bar--keys")
        key = bar + self.component_style("status-bar--key")
        *commands, more = self._keys
        shown, used = [], cell_len("".join(more))
        for name, label in commands:  # whole keys only, in order, and always `^P …`: the palette has them all
            used += cell_len(name + label)
            if used > width:
                break
            shown.append((name, label))
        segments = [segment for name, label in (*shown, more) for segment in (Segment(name, key), Segment(label, bar))]
        return Strip(segments).crop(0, width).extend_cell_length(width, bar)
