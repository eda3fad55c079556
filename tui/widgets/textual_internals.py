"""Every use of a private or re-declared Textual API, in one place.

Textual re-lays out the whole screen whenever a widget's virtual (scrollable) size changes, and an Input
repaints its frame and title on every key. For widgets whose size CSS fixes, both are work a typed key
pays for nothing, so the input and the result avoid them here, with what Textual keeps private.
`tests/app/test_textual_contract.py` states what each relies on: a Textual upgrade that changes one
fails there, by name, rather than somewhere in the app.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from textual import events
from textual.app import App
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input
from textual.widgets.input import Selection

from tui.bursts import Gatherer


class FixedExtent:
    """A new content extent updates the widget's scrollbars and scroll offsets; it does not re-lay out the
    screen (only an auto-sized widget would grow with it), nor repaint: the widget repaints what its new
    content changed.

    Relies on: `Widget.virtual_size` being a reactive that may be re-declared, and `Widget._scroll_update`
    (what Textual's own watcher calls before it asks for a layout). A mixin, listed before the widget class.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)

    def watch_virtual_size(self: Widget, size: Size) -> None:
        self._scroll_update(size)


class TextLineInput(FixedExtent, Input):
    """Textual's Input, where a key repaints only the line of text: the frame and the title are drawn again
    on a change of style (focus), not on every key.

    Relies on: Input's `value` and `selection` being reactives that may be re-declared with
    `repaint=False`, while Input's own `_watch_value` and `_watch_selection` still run.
    """

    value: Reactive[str] = Reactive("", init=False, repaint=False)
    selection: Reactive[Selection] = Reactive(Selection.cursor(0), repaint=False)

    def watch_value(self) -> None:
        self._repaint_text()

    def watch_selection(self) -> None:
        self._repaint_text()

    def _repaint_text(self) -> None:
        self.refresh(Region(0, 0, self.content_size.width, 1))

    def type_keys(self, text: str) -> None:
        """Type `text` as that many printable keys would, in one edit: over the selection, the cursor kept
        solid while typing (not blinking, which would repaint the whole frame twice a second).

        Relies on: `Input._restart_blink`, what Input's own key handler calls first.
        """
        self._restart_blink()
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)


@contextmanager
def screen_layouts() -> Iterator[list[Screen]]:
    """Record every screen layout while the block runs (tests: a typed key must not re-lay out the screen).

    Relies on: `Screen._refresh_layout` doing each layout.
    """
    layouts: list[Screen] = []
    refresh_layout = Screen._refresh_layout

    def recorded(screen: Screen, *args: object, **kwargs: object) -> None:
        layouts.append(screen)
        refresh_layout(screen, *args, **kwargs)

    Screen._refresh_layout = recorded  # type: ignore[method-assign]
    try:
        yield layouts
    finally:
        Screen._refresh_layout = refresh_layout  # type: ignore[method-assign]


KEY_NAMES = {",": "comma", " ": "space", "[": "left_square_bracket", "]": "right_square_bracket"}


def send_keys_at_once(app: App, text: str, first: tuple[str, ...] = ()) -> None:
    """Deliver the keys named `first` (`f5`, `tab`), then `text`, as key presses with no pause between them,
    gathered in bursts as the terminal's driver gathers a paste without bracketed paste (tests). Digits,
    letters, commas, spaces and brackets.

    Relies on: `App._driver.send_message`, the way the terminal driver hands the app each key.
    """
    send = Gatherer(app._driver.send_message)
    for name in first:
        event = events.Key(name, None)
        event.set_sender(app)
        send(event)
    for char in text:
        event = events.Key(KEY_NAMES.get(char, char), char)
        event.set_sender(app)
        send(event)
