"""Greedy wrapping of styled pieces into lines of a width, for the small Line-API text widgets.

A piece never breaks across lines (one that is wider than the line is cropped when drawn), so the number
of lines is known without rendering anything: a widget can tell whether new text changes its height.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

Piece = tuple[tuple[str, Style], ...]  # one unbreakable run of styled text
INDENT = "  "  # continuation lines start here, so they read as part of the line above


def wrap(pieces: Iterable[Piece], width: int) -> list[list[Piece]]:
    """Lines of pieces: a space between pieces, a new line (indented) when the next one does not fit."""
    lines: list[list[Piece]] = [[]]
    used = 0
    for piece in pieces:
        size = sum(cell_len(text) for text, _ in piece)
        if lines[-1] and used + 1 + size > width:
            lines.append([])
            used = len(INDENT)
        elif lines[-1]:
            used += 1
        lines[-1].append(piece)
        used += size
    return lines


def words(text: str, style: Style) -> list[Piece]:
    """Each word of a plain text as its own piece."""
    return [((word, style),) for word in text.split()]


def strip(line: list[Piece], first: bool, width: int, style: Style) -> Strip:
    """One wrapped line drawn `width` cells wide on `style`."""
    segments = [] if first else [Segment(INDENT, style)]
    for index, piece in enumerate(line):
        if index:
            segments.append(Segment(" ", style))
        segments.extend(Segment(text, style + piece_style) for text, piece_style in piece)
    return Strip(segments).crop(0, width).extend_cell_length(width, style)


def fold(line: str, width: int) -> list[str]:
    """A line of plain text in rows of at most `width` cells, as torch breaks its own lines: after the last
    space that fits (a word wider than the row is broken in it); each row after the first starts with the
    line's own indentation, so a folded `grad_fn=<…>` reads as torch prints it on a line of its own."""
    lead = len(line) - len(line.lstrip(" "))
    indent = " " * lead if lead * 2 < width else ""
    rows: list[str] = []
    rest, start = line, lead
    while len(rest) > width:
        cut = rest.rfind(" ", start + 1, width + 1)
        head, rest = (rest[:cut], rest[cut + 1 :]) if cut > start else (rest[:width], rest[width:])
        rows.append(head.rstrip(" "))
        rest, start = indent + rest.lstrip(" "), len(indent)
    rows.append(rest)
    return rows
