"""The token-ID input."""

from __future__ import annotations

from textual.widgets import Input

from tui.widgets.fixed_extent import FixedExtent


class IdInput(FixedExtent, Input):
    """Textual's Input, whose virtual size follows its text on every key: full width and three rows here,
    so a key repaints the input instead of re-laying out the screen.
    """
