"""Ctrl+F: the vocabulary searched as typed (`tui.core.tokens.vocab_search`), the matches listed with their
IDs; Enter goes to the highlighted match's row (the first, from the line). The search is the vocabulary
index's, a few milliseconds a key, so it runs here as the line changes; the index arrives with a view once
a job has built it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, OptionList, Static

from tui.core.explorer.dialogs import GoTo, SearchPane
from tui.core.texts.messages import Message
from tui.core.texts.shown import printable
from tui.core.tokens.vocab_search import NOTHING, Matches
from tui.screens.dialog import PanelScreen

SHOWN = 200  # matches listed; the count says how many there are


class SearchScreen(PanelScreen[SearchPane]):
    """↑ ↓ move through the matches while the line keeps the focus; Enter goes to the highlighted one."""

    BINDINGS = [Binding("down", "move(1)", show=False), Binding("up", "move(-1)", show=False)]

    def __init__(self, pane: SearchPane) -> None:
        super().__init__(pane)
        self.matches = NOTHING

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(printable(self.dialog.prompt)))
            yield Input(id="ask-input")
            yield Static(id="ask-error")
            yield Checkbox(self.dialog.case, id="search-case")
            yield Static(self.dialog.reading, id="search-count", markup=False)
            yield OptionList(id="search-matches")

    def shown(self, before: SearchPane | None, pane: SearchPane) -> None:
        if before is None or before.index is None:
            self._search()

    def action_move(self, step: int) -> None:
        matches = self.query_one(OptionList)
        matches.action_cursor_down() if step > 0 else matches.action_cursor_up()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._search()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._search()

    def _search(self) -> None:
        index = self.dialog.index
        if index is None:
            return
        typed = self.query_one("#ask-input", Input).value
        self.matches = index.search(typed, SHOWN, self.query_one(Checkbox).value)
        label = self.dialog.label
        matches = self.query_one(OptionList)
        matches.clear_options()
        matches.add_options([Text(f"{token_id:<8}{printable(label(token_id) or '')}") for token_id in self.matches.ids])
        matches.highlighted = 0 if self.matches.ids else None
        self.query_one("#search-count", Static).update(self._count(typed, self.matches))

    def _count(self, typed: str, matches: Matches) -> str:
        render = self.dialog.render
        if matches.problem is not None:
            return printable(render(matches.problem))
        if typed and not matches.total:
            return printable(render(Message("search.none", {"query": typed})))
        return render(Message("search.count", {"shown": len(matches.ids), "total": matches.total})) if typed else ""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the line: the highlighted match (the first, unless the list moved)."""
        event.stop()
        highlighted = self.query_one(OptionList).highlighted
        if not self.matches.ids or highlighted is None:
            query = event.value.strip()
            self.query_one("#ask-error", Static).update(Text("✗ " + printable(self.dialog.render(Message("search.none", {"query": query})))))
            return
        self.answer(GoTo(self.matches.ids[highlighted]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.answer(GoTo(self.matches.ids[event.option_index]))
