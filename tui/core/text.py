"""Text from users or files, made safe to show: control characters become visible escapes."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`"a\\x1b[31m"` → `"a\\\\x1b[31m"`: nothing reaches the terminal as a control sequence."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def single_line(text: str) -> str:
    """What the ID input keeps of pasted text: line breaks and tabs become spaces, other controls go."""
    return _CONTROL.sub(lambda match: " " if match.group() in "\t\n\r" else "", text)
