"""The main view: the weight matrix, the input, the toggles, the result and its flags, the status with its
keys. The screen owns their layout (`main.tcss` beside it, and the rows given by priority on every resize),
the commands' bindings and the focus order; each key becomes one explorer action through `act`."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tui.commands import bindings
from tui.core.explorer.explorer import Explorer
from tui.core.explorer.input_line import MAX_INPUT
from tui.core.explorer.view import View
from tui.widgets.flags_view import FlagsView
from tui.widgets.id_input import IdInput
from tui.widgets.loading_panel import LoadingPanel
from tui.widgets.matrix_view import MatrixView
from tui.widgets.result_view import ResultView
from tui.widgets.status_bar import StatusBar
from tui.widgets.toggle_bar import Toggle, ToggleBar

WIDE = 120  # from this many columns on, the result and the flags sit side by side
BELOW_MATRIX = 22  # rows kept for the input, toggles, result, flags, status and keys on tall terminals
TITLE = 1  # the matrix's title bar, its top border
INPUT_ROWS, STATUS_ROWS = 3, 3  # the input in its frame; the status and the keys
RESULT_ROWS = 5  # the result's title and four lines: the book's whole result
MATRIX_ROWS = 3  # the title, the header and a row
SMALLEST = (50, 15)  # columns and rows below which the panels cannot be read

Act = Callable[[Callable[[], View]], None]


class MainScreen(Screen[None]):
    """`torch.manual_seed(seed); layer = torch.nn.Embedding(vocab_size, dim)`, looked up live."""

    # The keys that move the focus act before the keys behind them are dealt out to a widget (`on_burst`):
    # priority bindings run as the app takes the key, not after the focused widget has passed it up.
    BINDINGS = [
        *bindings(),
        Binding("tab", "focus_next", show=False, priority=True),
        Binding("shift+tab", "focus_previous", show=False, priority=True),
        Binding("f5", "toggle_text", show=False, priority=True),
        Binding("ctrl+e", "show_steps", show=False, priority=True),  # text mode's key: the input would take it as End
    ]
    ALLOW_IN_MAXIMIZED_VIEW = "#status"  # the keys stay in sight

    def __init__(self, explorer: Explorer, act: Act) -> None:
        """`act(action)`: run an explorer action and show its view (the app's one road)."""
        super().__init__()
        self.explorer, self.act = explorer, act

    def compose(self) -> ComposeResult:
        explorer, view = self.explorer, self.explorer.view()
        t = explorer.t
        self.loading_panel = LoadingPanel(view.loading or "", explorer.loading_line, id="loading")
        self.matrix = MatrixView(id="matrix", classes="-not-yet")  # shown once the layer is made
        self.ids_input = IdInput(self._edited, self._too_long, view.input.value, view.input.placeholder, max_length=MAX_INPUT, id="ids")
        self.ids_input.border_title = view.input.title
        labels = (t("toggle.freeze") + " (F2)", t("toggle.no_grad") + " (F3)", t("toggle.view"))
        toggles = tuple(Toggle(name, label) for name, label in zip(("freeze", "no_grad", "grad"), labels, strict=True))
        self.toggles = ToggleBar(toggles, view.toggles, id="toggles", disabled=True)
        self.result = ResultView(id="result")
        self.flags = FlagsView(id="flags")
        self.status = StatusBar(id="status")
        self.too_small = Static("", id="too-small", markup=False)
        yield from (self.loading_panel, self.matrix, self.ids_input, self.toggles, self.result, self.flags, self.status, self.too_small)

    def on_mount(self) -> None:
        self.watch(self, "maximized", lambda: self._fit(*self.app.size), init=False)  # also Esc
        self.ids_input.focus()
        self.call_after_refresh(self.act, self.explorer.start)  # torch imports in its job once the first frame is out

    def on_resize(self, event: events.Resize) -> None:
        self._fit(*event.size)

    def _fit(self, width: int, height: int) -> None:
        """Rows go by priority: the input, the toggles (on as many lines as their names need) and the
        result first, then the flags, whole (folded: the titles run on, when short of rows), then the matrix.
        Wide terminals put the flags beside the result; below `SMALLEST`, one line says what size is
        needed. A maximized matrix has every row."""
        self.set_class(width >= WIDE, "-wide")
        too_small = width < SMALLEST[0] or height < SMALLEST[1]
        self.set_class(too_small, "-too-small")
        if not too_small and self.focused is None:  # hidden while too small, the panels lost the focus
            self.ids_input.focus()
        self.too_small.update(self.explorer.t("screen.too_small", width=width, height=height, columns=SMALLEST[0], rows=SMALLEST[1]))
        fixed = INPUT_ROWS + len(self.toggles.lines(width - self.toggles.styles.gutter.width)) + STATUS_ROWS
        matrix = TITLE + max((height - TITLE) // 3, height - BELOW_MATRIX)
        flags_width = width - self.flags.styles.gutter.width
        folded = width < WIDE and height - fixed - RESULT_ROWS - matrix < self.flags.height_at(flags_width, False)
        self.flags.folded = folded
        left = height - fixed - RESULT_ROWS - (0 if width >= WIDE else self.flags.height_at(flags_width, folded))
        fitted = max(MATRIX_ROWS, min(matrix, left))
        self.matrix.styles.max_height = None if self.maximized is self.matrix else fitted

    def show(self, view: View) -> None:
        """Hand each panel its part of the view; each repaints only what differs."""
        if view.loading is None and self.loading_panel.is_attached:
            self.loading_panel.stop()
        if view.matrix is not None:
            self.matrix.remove_class("-not-yet")
            self.matrix.show(view.matrix)
        self.ids_input.show(view.input)
        self.toggles.show(view.toggles, view.toggles_enabled)
        self.result.show(view.result)
        if self.flags.show(view.flags, view.result.stale):
            self._fit(*self.app.size)
        self.status.show(view.status.text, view.status.error)
        self.status.show_keys(view.keys)
        if view.go_to is not None:
            self.matrix.cursor_row = view.go_to
            self.matrix.focus()

    # -- keys and widget messages -----------------------------------------------------------
    def _edited(self, value: str, cursor: int) -> None:
        self.act(lambda: self.explorer.edit(value, cursor))

    def _too_long(self) -> None:
        self.act(self.explorer.input_too_long)

    def on_toggle_bar_changed(self, event: ToggleBar.Changed) -> None:
        self.act(lambda: self.explorer.set_toggle(event.name, event.value))

    def on_matrix_view_row_chosen(self, event: MatrixView.RowChosen) -> None:
        self.act(lambda: self.explorer.append_id(event.row))

    def action_focus_next(self) -> None:
        self._focus_step(1)

    def action_focus_previous(self) -> None:
        self._focus_step(-1)

    def _focus_step(self, step: int) -> None:
        """Tab goes input → matrix → result → toggles, the order of the lesson (what you type, the rows it
        picks, what comes out, then the switches)."""
        order = [panel for panel in (self.ids_input, self.matrix, self.result, self.toggles) if panel.focusable]
        if self.maximized is not None or not order:
            super().action_focus_next() if step > 0 else super().action_focus_previous()
            return
        here = order.index(self.focused) if self.focused in order else -step
        self.set_focus(order[(here + step) % len(order)])  # now: keys already queued behind Tab follow it

    def action_toggle_maximize(self) -> None:
        """The focused panel (the matrix or the result; the result from anywhere else) takes the screen,
        with the status and its keys below; again, or Esc, gives the other panels back."""
        if self.maximized is not None:
            self.minimize()
        else:
            panel = self.focused if self.focused is self.matrix else self.result
            panel.focus()  # keys go to what is on screen (Esc gives the screen back, not clear the input)
            self.maximize(panel)

    def action_neighbours(self) -> None:
        """Of the row under the matrix's cursor when the matrix has the focus, else of the input's ID."""
        row = self.matrix.cursor_row if self.focused is self.matrix else None
        self.act(lambda: self.explorer.neighbours(row))

    def action_toggle_freeze(self) -> None:
        self.act(lambda: self.explorer.toggle("freeze"))

    def action_toggle_no_grad(self) -> None:
        self.act(lambda: self.explorer.toggle("no_grad"))

    def action_toggle_view(self) -> None:
        self.act(lambda: self.explorer.toggle("grad"))

    def action_show_windows(self) -> None:
        self.act(self.explorer.show_windows)

    def action_show_steps(self) -> None:
        self.act(self.explorer.show_steps)

    def action_statistics(self) -> None:
        self.act(self.explorer.statistics)

    def action_compare(self) -> None:
        self.act(self.explorer.compare)

    def action_show_compared(self) -> None:
        self.act(self.explorer.show_compared)

    def action_train_tokenizer(self) -> None:
        self.act(self.explorer.train_tokenizer)

    def action_show_about(self) -> None:
        self.act(self.explorer.about)

    def action_switch_matrix(self) -> None:
        self.act(self.explorer.switch_matrix)

    def action_one_hot(self) -> None:
        self.act(self.explorer.one_hot)

    def action_toggle_text(self) -> None:
        """Switch IDs ↔ text and type in the input at once (letters elsewhere are commands)."""
        self.act(self.explorer.toggle_text)
        if self.maximized is None:
            self.set_focus(self.ids_input)  # now, not after the keys already on their way (`_focus_step`)

    def action_copy_code(self) -> None:
        self.act(self.explorer.copy_code)

    def action_backward(self) -> None:
        self.act(self.explorer.backward)

    def action_step(self) -> None:
        self.act(self.explorer.step)

    def action_zero_grad(self) -> None:
        self.act(self.explorer.zero_grad)

    def action_undo_step(self) -> None:
        self.act(self.explorer.undo)

    def action_reset_weights(self) -> None:
        self.act(self.explorer.reset)

    def action_training_options(self) -> None:
        self.act(self.explorer.options)

    def action_open_weights(self) -> None:
        self.act(self.explorer.ask_open)

    def action_goto_row(self) -> None:
        self.act(self.explorer.ask_row)

    def action_find_token(self) -> None:
        self.act(self.explorer.find)

    def action_help(self) -> None:
        self.act(self.explorer.help)

    def action_quit(self) -> None:
        self.app.exit()
