"""The weight matrix on Textual's Line API: only visible cells are ever formatted.

A DataTable keeps a Python object per cell and renders whole rows, which takes minutes and gigabytes
at GPT-2 size (ARCHITECTURE.md). Here `render_line` slices the visible columns of one row from a numpy
view, and finished lines are cached by everything that changes them. The header row and the label
column stay put while the body scrolls. Looked-up rows carry a `▶` marker, their positions, and a
bold reverse style, so they stand out without colour.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.core.explorer.view import MatrixPane, RowSource
from tui.widgets.paint_style import PaintStyle
from tui.widgets.scrolling import scroll_top

CELL_WIDTH = 10  # " " + 9 characters: "-999.9999" or "-1.23e+05"
POSITIONS_WIDTH = 10  # "×3 @1,4,7…"
BATCH_POSITIONS_WIDTH = 16  # "×2 @(0,0),(1,1)", places in a batch
SHORT_POSITIONS = 4  # "@3", "Δ@12": the marks column while no row is marked more than that
TOKEN_WIDTH = 14  # "␣hello", "[CLS]", "##ing": long tokens end in "…"
NOTE_WIDTH = 9  # a row's note: "0.6371", "1.234e-05"
MARKER = "▶ "


def format_cell(value: float) -> str:
    """A value at torch's print precision, 9 characters wide."""
    if -1000 < value < 10000:
        return f"{value:9.4f}"
    return f"{value:9.2e}"


def positions_label(positions: tuple[int, ...], prefix: str = "", row_length: int | None = None) -> str:
    """`@2` for one lookup; `×3 @1,4,7` when the same ID was looked up several times; in a batch of rows
    `row_length` long, each place as (batch row, position): `@(1,0)`. After a prefix that says what else
    happened to the row (`Δ` changed, `∇` has gradient)."""
    places = [f"({p // row_length},{p % row_length})" if row_length else str(p) for p in positions[:4]]
    text = prefix
    if len(positions) == 1:
        text += f"@{places[0]}"
    elif positions:
        text += f"×{len(positions)} @" + ",".join(places)
    widest = BATCH_POSITIONS_WIDTH if row_length else POSITIONS_WIDTH
    return text if len(text) <= widest else text[: widest - 1] + "…"


class MatrixView(PaintStyle, ScrollView, can_focus=True):
    """Rows = token IDs, columns = embedding dimensions."""

    COMPONENT_CLASSES = {
        "matrix-view--header",
        "matrix-view--label",
        "matrix-view--looked-up",
        "matrix-view--cursor",
    }

    DEFAULT_CSS = """
    MatrixView {
        background: $surface;
        scrollbar-size-horizontal: 0;  /* the header's column numbers and arrows say where the view is */
    }
    MatrixView > .matrix-view--header { text-style: bold; color: $text-muted; }
    MatrixView > .matrix-view--label { color: $text-muted; }
    MatrixView > .matrix-view--looked-up { text-style: bold reverse; color: $accent; }
    MatrixView > .matrix-view--cursor { text-style: underline; }
    MatrixView:focus > .matrix-view--cursor { text-style: bold underline; background: $boost; }
    """

    BINDINGS = [
        Binding("up", "cursor_by(-1)", show=False),
        Binding("down", "cursor_by(1)", show=False),
        Binding("pageup", "cursor_page(-1)", show=False),
        Binding("pagedown", "cursor_page(1)", show=False),
        Binding("home", "cursor_to(0)", show=False),
        Binding("end", "cursor_to(-1)", show=False),
        Binding("left", "columns_by(-1)", show=False),
        Binding("right", "columns_by(1)", show=False),
        Binding("enter", "choose", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, repaint=False, init=False)

    @dataclass
    class RowChosen(Message):
        """Enter (or a double click) on a row: its token ID."""

        row: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._source: RowSource | None = None
        self._labels: dict[int, str] = {}
        self._positions: Mapping[int, tuple[int, ...]] = {}
        self._prefixes: Mapping[int, str] = {}
        self._id_width = 2
        self._positions_width = 0  # 0, SHORT_, POSITIONS_ or BATCH_POSITIONS_WIDTH: as wide as the marks have needed
        self._label_width = 0
        self._token: Callable[[int], str | None] | None = None  # a row's token, from a vocabulary
        self._notes: Callable[[int], str] | None = None  # a row's note in a column of its own
        self._notes_title = ""
        self._lines: LRUCache[tuple, Strip] = LRUCache(1024)
        self._shown_row = 0  # the row the view keeps on screen
        self._version = -1  # the source's values as formatted in the cached lines

    # -- data --------------------------------------------------------------------------------
    def show(self, pane: MatrixPane) -> None:
        """Show what the pane says; only what differs from what is shown is drawn again."""
        title = str(self.border_title or "")
        if title != pane.title:
            self.border_title = Text(pane.title)  # literal: a shape such as [6, 3] is not markup
        source = self._source
        if source is None or (source.rows, source.cols) != (pane.rows.rows, pane.rows.cols):
            self.set_source(pane.rows)
        elif source is not pane.rows or self._version != pane.version:
            self.set_values(pane.rows)
        self._version = pane.version
        if self._token != pane.tokens:  # a bound method: equal when of the same vocabulary
            self.set_tokens(pane.tokens)
        if (self._notes, self._notes_title) != (pane.notes, pane.notes_title):
            self._notes, self._notes_title = pane.notes, pane.notes_title
            self._lay_out_labels()
        self.set_marks(pane.positions, pane.prefixes, pane.row_length)
        if pane.follow is not None:
            self.show_row(pane.follow)

    def set_source(self, source: RowSource) -> None:
        """Show a new matrix (rows × cols)."""
        self._source = source
        self._labels, self._positions, self._prefixes, self._positions_width = {}, {}, {}, 0
        self._id_width = max(2, len(str(source.rows - 1)))
        self._lay_out_labels()
        self.cursor_row = 0

    def set_tokens(self, token: Callable[[int], str | None] | None) -> None:
        """Show each row's token (already made visible: no control characters) next to its ID."""
        self._token = token
        self._lay_out_labels()

    def _lay_out_labels(self) -> None:
        token = TOKEN_WIDTH + 1 if self._token else 0
        positions = self._positions_width + 1 if self._positions_width else 0
        notes = NOTE_WIDTH + 1 if self._notes else 0
        self._label_width = len(MARKER) + self._id_width + 1 + token + positions + notes
        if self._source is not None:
            self.virtual_size = Size(self._label_width + self._source.cols * CELL_WIDTH, self._source.rows + 1)
        self._lines.clear()
        self.refresh()

    def set_values(self, source: RowSource) -> None:
        """The same rows with other values (weight.grad, or the weight after a step): the cursor, the
        scroll and the marks stay; every line is formatted again."""
        self._source = source
        self._lines.clear()
        self.refresh()

    def set_marks(
        self, positions: Mapping[int, tuple[int, ...]], prefixes: Mapping[int, str], row_length: int | None = None
    ) -> None:
        """Mark the looked-up rows, and the rows with a prefix (changed, or with gradient); repaint only
        the rows whose mark changed."""
        if positions is self._positions and prefixes is self._prefixes:  # a comma or a space was typed
            return
        self._positions, self._prefixes = positions, prefixes
        labels = {row: positions_label(positions.get(row, ()), prefix, row_length) for row, prefix in prefixes.items()}
        labels.update((row, positions_label(found, prefixes.get(row, ""), row_length)) for row, found in positions.items())
        old = self._labels
        self._labels = labels
        longest = max(map(len, labels.values()), default=0)
        width = next((width for width in (0, SHORT_POSITIONS, POSITIONS_WIDTH) if longest <= width), BATCH_POSITIONS_WIDTH)
        if width > self._positions_width:  # the columns move (at most twice a layer): every line again
            self._positions_width = width
            self._lay_out_labels()
            return
        for row in old.keys() | labels.keys():
            if old.get(row) != labels.get(row):
                self.refresh_line(row + 1)

    def show_row(self, row: int) -> None:
        """Scroll (without animation) just enough for `row` to be on screen."""
        self._shown_row = row
        if not self.scrollable_content_region.height:  # not laid out yet: on_resize will
            return
        visible = max(1, self.scrollable_content_region.height - 1)
        top = scroll_top(row, round(self.scroll_offset.y), visible)
        if top is not None:
            self.scroll_to(y=top, animate=False, immediate=True)

    @property
    def marked_rows(self) -> frozenset[int]:
        return frozenset(self._labels)

    # -- cursor ------------------------------------------------------------------------------
    def validate_cursor_row(self, row: int) -> int:
        rows = self._source.rows if self._source else 1
        return max(0, min(row, rows - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.refresh_line(old + 1)
        self.refresh_line(new + 1)
        self.show_row(new)

    def action_cursor_by(self, delta: int) -> None:
        self.cursor_row += delta

    def action_cursor_page(self, direction: int) -> None:
        self.cursor_row += direction * max(1, self.scrollable_content_region.height - 1)

    def action_cursor_to(self, row: int) -> None:
        self.cursor_row = row if row >= 0 else (self._source.rows - 1 if self._source else 0)

    def action_columns_by(self, delta: int) -> None:
        self.scroll_to(x=self.scroll_offset.x + delta * CELL_WIDTH, animate=False)

    def action_choose(self) -> None:
        if self._source is not None:
            self.post_message(self.RowChosen(self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1 and self._source is not None:
            self.cursor_row = round(self.scroll_offset.y) + event.y - 1
            if event.chain == 2:
                self.action_choose()

    def on_resize(self) -> None:
        self.show_row(self._shown_row)

    def on_focus(self) -> None:
        self.refresh_line(self.cursor_row + 1)

    def on_blur(self) -> None:
        self.refresh_line(self.cursor_row + 1)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()

    # -- rendering ---------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if self._source is None:
            return Strip.blank(width, self.paint_style)
        whole = max(0, (width - self._label_width) // CELL_WIDTH)  # columns that fit whole
        first_col = min(-(-round(self.scroll_offset.x) // CELL_WIDTH), max(0, self._source.cols - whole))  # the last one reachable
        count = whole + 1
        if y == 0:
            return self._header(first_col, count, width)
        row = round(self.scroll_offset.y) + y - 1
        if row >= self._source.rows:
            return Strip.blank(width, self.paint_style)
        label = self._labels.get(row)
        is_cursor = row == self.cursor_row
        key = (row, first_col, width, label, is_cursor, is_cursor and self.has_focus)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._row(row, first_col, count, width, label, is_cursor)
            self._lines[key] = strip
        return strip

    def _header(self, first_col: int, count: int, width: int) -> Strip:
        """The column numbers; `←` and `→` where more columns lie beyond the view, in place of a scrollbar."""
        stop = min(first_col + count, self._source.cols)
        before = "← " if first_col > 0 else " " * len(MARKER)
        label = before + "ID".rjust(self._id_width) + (" token" if self._token else "")
        if self._notes:
            label = label.ljust(self._label_width - NOTE_WIDTH - 1) + f"{self._notes_title:>{NOTE_WIDTH}}"
        cells = "".join(f" {col:>9}" for col in range(first_col, stop))
        shown = self._label_width + len(cells)
        if shown > width or stop < self._source.cols:  # the last column is cut, or more follow
            cells = cells[: max(0, width - self._label_width - 2)] + " →"
        style = self.component_style("matrix-view--header")
        return Strip([Segment(label.ljust(self._label_width), style), Segment(cells, style)]).adjust_cell_length(
            width, self.paint_style
        )

    def _row(self, row: int, first_col: int, count: int, width: int, label: str | None, is_cursor: bool) -> Strip:
        stop = min(first_col + count, self._source.cols)
        values = self._source.row(row, first_col, stop).tolist()
        cells = "".join(" " + format_cell(value) for value in values)
        marker = MARKER if label else " " * len(MARKER)
        token = ""
        if self._token is not None:  # exactly TOKEN_WIDTH cells: a long token ends in "…", wide characters count two
            token = Content(self._token(row) or "·").truncate(TOKEN_WIDTH, ellipsis=True, pad=True).plain + " "
        positions = f"{(label or ''):<{self._positions_width}} " if self._positions_width else ""
        note = f"{self._notes(row):>{NOTE_WIDTH}} " if self._notes else ""
        text = f"{marker}{row:>{self._id_width}} {token}{positions}{note}"
        base = self.paint_style
        label_style = self.component_style("matrix-view--label")
        cell_style = base
        if label:
            label_style = cell_style = self.component_style("matrix-view--looked-up")
        if is_cursor:
            cursor = self.component_style("matrix-view--cursor")
            label_style, cell_style = label_style + cursor, cell_style + cursor
        return Strip([Segment(text, label_style), Segment(cells, cell_style)]).adjust_cell_length(width, base)
