"""Text from users or files, made safe to show: characters that act on the terminal or the text's layout
(controls, bidi overrides, zero-width and other format characters) become visible escapes."""

from __future__ import annotations

import re

# Unicode's control (Cc), format (Cf), line and paragraph separator (Zl, Zp) characters: a test checks
# this class against the running Python's own Unicode database.
_HIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def escape(char: str) -> str:
    """`\\x1b`, `\\u202e`, `\\U000e0041`: the character's code, as Python writes it."""
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: str) -> str:
    """`"a\\x1b[31m"` → `"a\\\\x1b[31m"`, a right-to-left override → `\\\\u202e`: nothing reaches the terminal as
    a control sequence or reorders what is around it."""
    return _HIDDEN.sub(lambda match: escape(match.group()), text)


def single_line(text: str) -> str:
    """What the ID input keeps of pasted text: line breaks and tabs become spaces, other hidden characters go."""
    return _HIDDEN.sub(lambda match: " " if match.group() in "\t\n\r" else "", text)


def columns(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows of cells as lines, each column as wide as its widest cell, two spaces apart."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))] if rows else []
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]


VISIBLE = {" ": "␣", "\n": "\\n", "\t": "\\t", "\r": "\\r"}  # whitespace in a token, as shown and typed


def visible(token: str) -> str:
    """Whitespace as `␣ \\n \\t`, other hidden characters (controls, bidi overrides, zero-width and format
    characters) as escapes (`\\x1b`, `\\u202e`): safe and readable in a terminal."""
    return printable("".join(VISIBLE.get(char, char) for char in token))


def human_size(nbytes: int) -> str:
    """1536 → '1.5 KB': sizes in decimal units, as people read them."""
    size = float(nbytes)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")
