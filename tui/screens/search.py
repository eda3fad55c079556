"""Ctrl+F: the vocabulary searched as typed (`tui.core.tokens.vocab_search`), the matches listed with their IDs;
Enter goes to the highlighted match's row (the first, from the line)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Checkbox, Input, OptionList, Static

from tui.core.texts.messages import Message, MessageError, translate
from tui.core.texts.shown import printable
from tui.core.tokens.vocab import Vocab
from tui.core.tokens.vocab_search import NOTHING, Matches, VocabIndex
from tui.screens.ask import AskScreen

SHOWN = 200  # matches listed; the count says how many there are


class SearchScreen(AskScreen[int]):
    """↑ ↓ move through the matches while the line keeps the focus; Enter goes to the highlighted one."""

    BINDINGS = [Binding("down", "move(1)", show=False), Binding("up", "move(-1)", show=False)]
    DEFAULT_CSS = """
    SearchScreen > Vertical { max-width: 100; }
    SearchScreen #search-count { height: 1; color: $text-muted; }
    SearchScreen OptionList { height: 12; }
    """

    def __init__(self, vocab: Vocab, lang: str) -> None:
        super().__init__(translate(lang, "search.prompt"), self._first, lang)
        self._vocab, self._index, self.matches = vocab, None, NOTHING

    def below(self) -> ComposeResult:
        yield Checkbox(translate(self._lang, "search.case"), id="search-case")
        yield Static(id="search-count", markup=False)
        yield OptionList(id="search-matches")

    def on_mount(self) -> None:
        self.query_one("#search-count", Static).update(translate(self._lang, "search.reading"))
        self._build()

    @work(thread=True, exit_on_error=False)
    def _build(self) -> None:
        """The vocabulary's index, built once (a second at 128k tokens), off the event loop."""
        index = self._vocab.search_index.built()
        self.app.call_from_thread(self._ready, index)

    def _ready(self, index: VocabIndex) -> None:
        self._index = index
        self._search()

    def action_move(self, step: int) -> None:
        matches = self.query_one(OptionList)
        matches.action_cursor_down() if step > 0 else matches.action_cursor_up()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._search()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._search()

    def _search(self) -> None:
        if self._index is None:
            return
        typed = self.query_one("#ask-input", Input).value
        self.matches = self._index.search(typed, SHOWN, self.query_one(Checkbox).value)
        label: Callable[[int], str | None] = self._vocab.label
        matches = self.query_one(OptionList)
        matches.clear_options()
        matches.add_options([Text(f"{token_id:<8}{printable(label(token_id) or '')}") for token_id in self.matches.ids])
        matches.highlighted = 0 if self.matches.ids else None
        self.query_one("#search-count", Static).update(self._count(typed, self.matches))

    def _count(self, typed: str, matches: Matches) -> str:
        if matches.problem is not None:
            return printable(matches.problem.render(self._lang))
        if typed and not matches.total:
            return printable(translate(self._lang, "search.none", query=typed))
        return translate(self._lang, "search.count", shown=len(matches.ids), total=matches.total) if typed else ""

    def _first(self, typed: str) -> int:
        """Enter in the line: the highlighted match (the first, unless the list moved)."""
        highlighted = self.query_one(OptionList).highlighted
        if not self.matches.ids or highlighted is None:
            raise MessageError(Message("search.none", {"query": typed}))
        return self.matches.ids[highlighted]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.matches.ids[event.option_index])
