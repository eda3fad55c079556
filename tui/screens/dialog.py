"""The one road for dialogs: every screen over the main view shows one dialog (or panel) of the explorer's
and answers it with `answer`, which hands `(dialog, answer)` to the app as an `Answered` message; the app
gives it to `Explorer.answer`. The frame they share, and each one's layout, are in `dialog.tcss`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.core.explorer.dialogs import Answer, Dialog, Pane, Refused
from tui.core.texts.shown import printable
from tui.messages import Answered
from tui.screens.main import SMALLEST

D = TypeVar("D", bound=Dialog | Pane)


class DialogScreen(ModalScreen[None], Generic[D]):
    """A dialog over the main view: Esc answers None (closed)."""

    BINDINGS = [Binding("escape", "close", show=False)]

    def __init__(self, dialog: D) -> None:
        super().__init__()
        self.dialog = dialog

    def on_resize(self, event: events.Resize) -> None:
        """Below the main view's smallest size the dialog hides too (widgets squeezed to no width fail to
        lay out their lines); the main view's line under it says what size is needed."""
        self.set_class(event.size.width < SMALLEST[0] or event.size.height < SMALLEST[1], "-too-small")

    def answer(self, answer: Answer, close: bool = True) -> None:
        """Hand the answer to the app; `close`: the dialog goes (a panel's key may leave it open)."""
        self.app.post_message(Answered(self.dialog, answer))
        if close:
            self.dismiss()

    def action_close(self) -> None:
        self.answer(None)

    def answer_parsed(self, parse: Callable[[str], Answer], text: str) -> None:
        """Answer with what `parse` makes of `text`; what it refuses is said under the line (`#ask-error`),
        the line marked invalid (Input's own `-invalid` look)."""
        try:
            answer = parse(text)
        except Refused as refused:
            self.query_one("#ask-input", Input).add_class("-invalid")
            self.query_one("#ask-error", Static).update(Text("✗ " + printable(refused.text)))
            return
        self.answer(answer)


class PanelScreen(DialogScreen[D]):
    """A panel: open until closed, shown again with each view of the explorer (`show`); subclasses repaint
    what changed in `shown`."""

    def on_mount(self) -> None:
        self.shown(None, self.dialog)

    def show(self, pane: D) -> None:
        """The panel as the explorer has it now."""
        before, self.dialog = self.dialog, pane
        if self.is_mounted:
            self.shown(before, pane)

    def shown(self, before: D | None, pane: D) -> None:
        """Repaint what differs between `before` (None: nothing shown yet) and `pane`."""
