"""Frames for a terminal whose encoding lacks the app's characters (an ASCII or Latin-1 locale,
`PYTHONIOENCODING=ascii`): each character the encoding cannot write becomes an ASCII look-alike of the
same width (`█` → `#`, `▶` → `>`, a border's `─` → `-`, `á` → `a`) instead of an escape such as `\\u2588`
that would break every line. Textual writes each frame to `sys.__stderr__`; `use_look_alikes` sets that
stream's encoding error handler, a public part of Python's codecs.
"""

from __future__ import annotations

import codecs
import sys
import unicodedata
from typing import TextIO

from rich.cells import cell_len

HANDLER = "embedding-explorer-look-alikes"
SAMPLE = "█▶✗…·─│"  # characters every screen of the app draws
LOOK_ALIKES = {
    "▔": "-", "▁": "_", "▀": "#", "▄": "#", "█": "#", "▇": "#", "▆": "#", "▅": "#", "▃": "_", "▂": "_",
    "▊": "|", "▋": "|", "▌": "|", "▍": "|", "▎": "|", "▏": "|", "▐": "|", "▉": "|",
    "▶": ">", "►": ">", "◀": "<", "▼": "v", "▲": "^", "→": ">", "←": "<", "↓": "v", "↑": "^",
    "✗": "x", "✓": "v", "×": "x", "·": ".", "…": ".", "␣": "_", "Δ": "D", "∇": "V", "≠": "#", "≥": ">", "≤": "<",
    "—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "«": '"', "»": '"', "¿": "?", "¡": "!",
}


def look_alike(char: str) -> str:
    """An ASCII stand-in for `char`, as many cells wide as it is."""
    width = cell_len(char)
    if char in LOOK_ALIKES:
        return LOOK_ALIKES[char]
    base = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
    if base.isascii() and len(base) == width:
        return base
    name = unicodedata.name(char, "")
    if name.startswith("BOX DRAWINGS"):  # the borders Textual draws
        horizontal, vertical = "HORIZONTAL" in name, "VERTICAL" in name
        return "-" if horizontal and not vertical else "|" if vertical and not horizontal else "+"
    if name.startswith("BRAILLE PATTERN"):  # the spinner
        return "*"
    return "?" * width


def _replace(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return "".join(look_alike(char) for char in error.object[error.start : error.end]), error.end


codecs.register_error(HANDLER, _replace)


def use_look_alikes(stream: TextIO | None = None) -> bool:
    """Write look-alikes to `stream` (Textual's, `sys.__stderr__`) when its encoding cannot write the
    app's characters; True when it had to."""
    stream = sys.__stderr__ if stream is None else stream
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        SAMPLE.encode(encoding)
    except UnicodeEncodeError:
        stream.reconfigure(errors=HANDLER)
        return True
    return False
