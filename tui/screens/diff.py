"""The diff panel: the matrix on screen (A) against B, compared in a job (its progress shown), then its page
(the counts, the change's distribution, the extremes) above the ranked list. Enter on a row shows it in A and
B; r ranks by the next measure, o rotates A onto B first (or not), e exports, p maps, c copies the script
that computes it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, ProgressBar, Static

from tui.core.explorer.dialogs import Act, DiffPane, GoTo
from tui.screens.reading import ReadingScreen
from tui.widgets.key_line import KeyLine


class DiffScreen(ReadingScreen[DiffPane]):
    BINDINGS = [
        Binding("escape,q", "close", show=False),
        Binding("r", "act('rank')", show=False),
        Binding("e", "act('export')", show=False),
        Binding("p", "act('map')", show=False),
        Binding("c", "act('copy')", show=False),
        Binding("o", "act('rotate')", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = Text(self.dialog.title)  # printable already; literal: a path may hold [brackets]
            yield Static(id="diff-page", markup=False)
            yield Static(id="diff-heading", markup=False)
            yield Static(id="diff-header", markup=False)
            yield OptionList(id="diff-list")
            yield ProgressBar(total=100, show_eta=False)
            yield Static(id="said", markup=False)
            yield KeyLine("", id="diff-keys")

    def shown(self, before: DiffPane | None, pane: DiffPane) -> None:
        if before is None or (pane.text, pane.lines, pane.heading) != (before.text, before.lines, before.heading):
            self.query_one("#diff-page", Static).update(Text(pane.text))  # printable already
            self.query_one("#diff-heading", Static).update(Text(pane.heading))
            self.query_one("#diff-header", Static).update(Text(pane.header))
            options = self.query_one(OptionList)
            options.clear_options()
            options.add_options([Text(line) for line in pane.lines])
            options.highlighted = 0 if pane.lines else None
            options.focus()
        self.query_one("#diff-keys", KeyLine).update(pane.keys)
        self.said(pane.said)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None and highlighted < len(self.dialog.ids):
            self.answer(GoTo(self.dialog.ids[highlighted]))

    def action_act(self, act: str) -> None:
        self.answer(Act(act), close=False)
