"""Scrolling widgets whose size is set by CSS, never by their content."""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widget import Widget


class FixedExtent:
    """A new content extent updates the widget's scrollbars; it does not re-lay out the screen.

    Textual re-lays out the whole screen whenever a widget's virtual (scrollable) size changes, since an
    auto-sized widget would grow with it: a cost that grows with the widgets on screen, paid on every key by
    an input or a result that changes with each key. A widget whose size CSS fixes needs only its own
    scrollbars and scroll offsets updated (a scrollbar that appears or goes still re-lays out). Nor does
    it repaint: the widget repaints what its new content changed (all of a one-line input; the changed
    lines of a result).

    A mixin, listed before the widget class (`class ResultView(FixedExtent, ScrollView)`): it is no
    widget itself, so the widget's CSS and component classes are inherited as before.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)

    def watch_virtual_size(self: Widget, size: Size) -> None:
        self._scroll_update(size)
