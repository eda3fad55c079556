"""The neighbours panel: what to ask on one line, the rows nearest it below, read in a job with its progress
shown; a newer question cancels the pass still reading."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, ProgressBar, Static

from tui.core.explorer.dialogs import Act, Append, Ask, GoTo, NeighboursPane
from tui.screens.reading import ReadingScreen
from tui.widgets.key_line import KeyLine


class NeighboursScreen(ReadingScreen[NeighboursPane]):
    """Enter in the line asks; in the list, Enter goes to the row (the panel closes), `a` adds its ID to the
    input, `m` switches the metric, `k` asks how many, `e` exports, `p` draws the map. Letters typed in the
    line are text, so the list has the focus whenever there is a question, and the key line says the keys
    of the part that has it."""

    BINDINGS = [
        Binding("down", "focus_list", show=False),  # from the line (the list moves its own highlight)
        Binding("a", "append", show=False),
        Binding("m", "act('next_metric')", show=False),
        Binding("k", "act('ask_k')", show=False),
        Binding("e", "act('export')", show=False),
        Binding("p", "act('map')", show=False),
    ]

    def compose(self) -> ComposeResult:
        pane = self.dialog
        with Vertical() as frame:
            frame.border_title = pane.title
            yield Input(pane.asked, placeholder=pane.placeholder, id="neighbours-asked")
            yield Static(id="neighbours-title", markup=False)
            yield Static(id="neighbours-header", markup=False)
            yield OptionList(id="neighbours-list")
            yield ProgressBar(total=100, show_eta=False)
            yield Static(id="said", markup=False)
            yield KeyLine("", id="neighbours-keys")

    def on_mount(self) -> None:  # after PanelScreen's (Textual calls each class's handler)
        (self.query_one(OptionList) if self.dialog.asked.strip() else self.query_one(Input)).focus()

    def on_descendant_focus(self) -> None:
        self._keys()

    def _keys(self) -> None:
        """The keys of the part with the focus: the line's (letters are text) or the list's (they act)."""
        pane = self.dialog
        in_line = isinstance(self.focused, Input)
        self.query_one("#neighbours-keys", Static).update(pane.line_keys if in_line else pane.list_keys)

    def action_focus_list(self) -> None:
        self.query_one(OptionList).focus()

    def shown(self, before: NeighboursPane | None, pane: NeighboursPane) -> None:
        if before is None or (pane.lines, pane.heading) != (before.lines, before.heading):
            self._answer(pane)
        self.said(pane.said)
        self._keys()

    def _answer(self, pane: NeighboursPane) -> None:
        """The answer: its heading, the columns' header, a line per row found (printable already)."""
        self.query_one("#neighbours-title", Static).update(Text(pane.heading))
        self.query_one("#neighbours-header", Static).update(Text(pane.header))
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Text(line) for line in pane.lines])
        options.highlighted = 0 if pane.lines else None
        self.said(pane.said)
        if pane.lines:
            options.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Ask; with a question asked, the list takes the focus (its keys act at once)."""
        event.stop()
        self.answer(Ask(event.value), close=False)
        if event.value.strip():
            self.query_one(OptionList).focus()

    def _chosen(self) -> int | None:
        highlighted = self.query_one(OptionList).highlighted
        return None if highlighted is None or highlighted >= len(self.dialog.ids) else self.dialog.ids[highlighted]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        chosen = self._chosen()
        if chosen is not None:
            self.answer(GoTo(chosen))

    def action_append(self) -> None:
        chosen = self._chosen()
        if chosen is not None:
            self.answer(Append(chosen), close=False)

    def action_act(self, act: str) -> None:
        self.answer(Act(act), close=False)
