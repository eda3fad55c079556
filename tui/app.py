"""Thin wiring: compose the panels, route keys and widget messages to the explorer, render its views.

Data flows one way: a key → an explorer action → a `View` → the widgets. The explorer (`tui.core`) owns
all state; the app keeps none of it. Long work comes back in a view as a job, which the app runs in a
worker thread and hands back to `Explorer.finish`. torch is first imported by the job that makes the
layer, so the first frame (and typing) comes before it has loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.driver import Driver
from textual.screen import Screen
from textual.widgets import Static

from tui.bursts import Burst, gathering
from tui.commands import COMMANDS, bindings, help_keys, key_bar
from tui.core.explorer.explorer import MAX_INPUT, Explorer, Setup
from tui.core.explorer.training import Training
from tui.core.explorer.view import (
    Code,
    Dialog,
    NeighboursPanel,
    Notice,
    Pick,
    Question,
    Report,
    StatisticsPanel,
    VectorMap,
    View,
    Windows,
)
from tui.core.jobs import Job, Outcome, Trained
from tui.core.texts.shown import printable
from tui.look_alikes import use_look_alikes
from tui.screens.ask import AskScreen
from tui.screens.choice import ChoiceScreen
from tui.screens.code import CodeScreen
from tui.screens.help import HelpScreen
from tui.screens.map import MapScreen
from tui.screens.message import MessageScreen
from tui.screens.neighbours import NeighboursScreen
from tui.screens.open import OpenScreen
from tui.screens.options import OptionsScreen
from tui.screens.pick import PickScreen
from tui.screens.search import SearchScreen
from tui.screens.statistics import StatisticsScreen
from tui.screens.windows import SETTINGS, WindowsScreen
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
FIXED = 3 + 1 + 3  # rows of the input, the toggles, and the status with the keys
RESULT_ROWS = 5  # the result's title and four lines: the book's whole result
FLAGS_ROWS = 4  # the flags of the result and of the weight, at 60 columns and more
MATRIX_ROWS = 4  # the title, the header and two rows
SMALLEST = (50, FIXED + 3 + MATRIX_ROWS + 1)  # columns and rows below which the panels cannot be read


class ExplorerApp(App[None]):
    """`torch.manual_seed(seed); layer = torch.nn.Embedding(vocab_size, dim)`, looked up live."""

    CSS_PATH = "app.tcss"
    BINDINGS = bindings()

    def __init__(self, setup: Setup | None = None, **settings: Any) -> None:
        """`setup`, or its keywords: `ExplorerApp(vocab_size=6, dim=3, seed=123, dtype="float32", ids="",
        lang="en", freeze=None, no_grad=False, weights=None, vocab=None, tokenizer=None, options=None)`
        (see `Setup.of`)."""
        super().__init__()
        self.explorer = Explorer(setup or Setup.of(**settings))
        self.title = self.explorer.t("app.title")

    def on_load(self) -> None:
        use_look_alikes()  # a terminal without UTF-8 gets `#` and `>`, not `\u2588` and `\u25b6`

    def compose(self) -> ComposeResult:
        explorer, view = self.explorer, self.explorer.view()
        t = explorer.t
        self.loading = LoadingPanel(view.loading or "", explorer.loading_line, id="loading")
        self.matrix = MatrixView(id="matrix")
        self.ids_input = IdInput(
            self._edited, self._too_long, view.input.value, view.input.placeholder, max_length=MAX_INPUT, id="ids"
        )
        self.ids_input.border_title = view.input.title
        labels = (t("toggle.freeze") + " (F2)", t("toggle.no_grad") + " (F3)", t("toggle.view"))
        toggles = tuple(Toggle(name, label) for name, label in zip(("freeze", "no_grad", "grad"), labels, strict=True))
        self.toggles = ToggleBar(toggles, view.toggles, id="toggles", disabled=True)
        self.result = ResultView(id="result")
        self.flags = FlagsView(id="flags")
        self.status = StatusBar(key_bar(t), id="status")
        self.too_small = Static("", id="too-small", markup=False)
        yield from (self.loading, self.matrix, self.ids_input, self.toggles, self.result, self.flags, self.status)
        yield self.too_small

    @property
    def main_screen(self) -> Screen:
        """The explorer's own screen, also while a dialog is open over it."""
        return self.screen_stack[0]

    def on_mount(self) -> None:
        self.main_screen.add_class("-explorer")
        self.main_screen.ALLOW_IN_MAXIMIZED_VIEW = "#status"  # the keys stay in sight
        self.watch(self.main_screen, "maximized", lambda: self._fit(*self.size), init=False)  # also Esc
        self.matrix.add_class("-not-yet")  # until the layer is made
        self.ids_input.focus()
        self._progress = self.set_interval(0.25, lambda: self.show(self.explorer.progress()), pause=True)
        self.set_interval(1.0, self._check_file)
        self.act(self.explorer.start)

    def on_resize(self, event: events.Resize) -> None:
        """The event's size, not `self.size`: the app's own size is updated after this handler."""
        self._fit(*event.size)

    def _fit(self, width: int, height: int) -> None:
        """Rows go by priority: the input and the result first, then the matrix, then the flags, which
        fold onto one line when short of rows. Wide terminals put the flags beside the result; below
        `SMALLEST`, one line says what size is needed. A maximized matrix has every row."""
        screen = self.main_screen
        screen.set_class(width >= WIDE, "-wide")
        too_small = width < SMALLEST[0] or height < SMALLEST[1]
        screen.set_class(too_small, "-too-small")
        if not too_small and screen.focused is None:  # hidden while too small, the panels lost the focus
            self.ids_input.focus()
        self.too_small.update(self.explorer.t("screen.too_small", width=width, height=height, columns=SMALLEST[0], rows=SMALLEST[1]))
        matrix = TITLE + max((height - TITLE) // 3, height - BELOW_MATRIX)
        folded = width < WIDE and height - FIXED - RESULT_ROWS - matrix < FLAGS_ROWS
        self.flags.folded = folded
        left = height - FIXED - RESULT_ROWS - (1 if folded else 0)
        fitted = max(MATRIX_ROWS, min(matrix, left))
        self.matrix.styles.max_height = None if screen.maximized is self.matrix else fitted

    # -- views ---------------------------------------------------------------------------------
    def act(self, action: Callable[[], View]) -> None:
        """Run an explorer action and show its view. An unexpected error becomes a notice: the app lives on
        with its last good state."""
        try:
            view = action()
        except Exception as error:  # noqa: BLE001 - the boundary that keeps the app alive
            message = self.explorer.t("error.unexpected", error=f"{type(error).__name__}: {error}")
            self.notify(printable(message), severity="error", markup=False)
            try:  # the action may have changed state before it failed: the panels show what there is now
                view = self.explorer.view()
            except Exception:  # noqa: BLE001 - the state cannot be shown either: the panels keep the last view
                return
        self.show(view)

    def show(self, view: View) -> None:
        """Hand each panel its part of the view (each repaints only what differs), then start the view's
        job and open its dialog."""
        if view.loading is None and self.loading.is_attached:
            self.loading.stop()
        if view.matrix is not None:
            self.matrix.remove_class("-not-yet")
            self.matrix.show(view.matrix)
        self.ids_input.show(view.input)
        self.toggles.show(view.toggles, view.toggles_enabled)
        self.result.show(view.result)
        self.flags.show(view.flags, view.result.stale)
        self.status.show(view.status.text, view.status.error)
        self.status.show_keys(view.keys)
        if view.job is not None:
            self._run(view.job)
        if view.dialog is not None:
            self._open(view.dialog)

    def _open(self, dialog: Dialog) -> None:
        if isinstance(dialog, Notice):
            self.push_screen(MessageScreen(dialog.title, dialog.text))
        elif isinstance(dialog, Question):
            screen = ChoiceScreen(dialog.title, dialog.text, dialog.choices, dialog.keys)
            self.push_screen(screen, lambda answer: self.act(lambda: dialog.answer(answer)))
        elif isinstance(dialog, Pick):
            self.push_screen(PickScreen(dialog.prompt, dialog.choices), lambda key: self.act(lambda: dialog.answer(key)))
        elif isinstance(dialog, Windows):
            screen = WindowsScreen(dialog.title, dialog.count, dialog.page, lambda index: self.act(lambda: dialog.copy(index)))
            self.push_screen(screen, lambda answer: self._windows_answer(dialog, answer))
        elif isinstance(dialog, Report):
            script = dialog.script
            copy = None if script is None else lambda: self.act(lambda: self.explorer.show_script(script))
            self.push_screen(MessageScreen(dialog.title, dialog.text, error=False, copy=copy))
        elif isinstance(dialog, NeighboursPanel):
            append = lambda row: self.act(lambda: self.explorer.append_id(row))  # noqa: E731 - the panel stays open
            self.push_screen(NeighboursScreen(dialog, append), self._go_to_row)
        elif isinstance(dialog, StatisticsPanel):
            self.push_screen(StatisticsScreen(dialog))
        elif isinstance(dialog, VectorMap):
            self.push_screen(MapScreen(dialog))
        elif isinstance(dialog, Code):
            self.copy_to_clipboard(dialog.script)
            screen = CodeScreen(dialog.script, dialog.shown, dialog.title, dialog.explanation)
            self.push_screen(screen, lambda answer: self.act(dialog.save) if answer == "save" else None)

    def _windows_answer(self, dialog: Windows, answer: int | str | None) -> None:
        """A batch to look up, or other settings to ask for (then the text is cut again)."""
        explorer = self.explorer
        if answer == SETTINGS:
            screen = AskScreen(dialog.settings_prompt, explorer.window_settings, explorer.lang, value=dialog.settings)
            self.push_screen(screen, lambda settings: self.act(lambda: explorer.recut(settings)) if settings else None)
        elif isinstance(answer, int):
            self.act(lambda: dialog.send(answer))

    def _check_file(self) -> None:
        """Once a second: has the weight's file changed on disk under the rows the matrix reads?"""
        view = self.explorer.check_file()
        if view is not None:
            self.show(view)

    # -- jobs ----------------------------------------------------------------------------------
    def _run(self, job: Job) -> None:
        self._work(job)
        if job.session is not None:  # it has the layer: say what it does, and for how long
            self._progress.resume()

    @work(thread=True, exit_on_error=False)
    def _work(self, job: Job) -> None:
        outcome = job.run()
        self.call_from_thread(self._finished, job, outcome)

    def _finished(self, job: Job, outcome: Outcome) -> None:
        self.act(lambda: self.explorer.finish(job, outcome))
        if self.explorer.busy is None:
            self._progress.pause()
        if job.action == "backward" and isinstance(outcome, Trained):  # a step may come next
            self._warm_optimizer()

    @work(thread=True, group="warm", exit_on_error=False)
    def _warm_optimizer(self) -> None:
        from tui.core.chapter.session import warm_optimizer

        warm_optimizer()

    # -- keys and widget messages -----------------------------------------------------------
    def get_driver_class(self) -> type[Driver]:
        return gathering(super().get_driver_class())

    async def on_burst(self, burst: Burst) -> None:
        """Keys typed or pasted in a row: into the ID input as one edit (one lookup, not one per key), else
        each key as if it came alone."""
        keys = burst.take()
        if self.focused is self.ids_input:
            self.ids_input.type_keys("".join(key.character or "" for key in keys))
        else:
            for key in keys:
                await self.on_event(key)

    def _edited(self, value: str, cursor: int) -> None:
        self.act(lambda: self.explorer.edit(value, cursor))

    def _too_long(self) -> None:
        self.act(self.explorer.input_too_long)

    def on_toggle_bar_changed(self, event: ToggleBar.Changed) -> None:
        self.act(lambda: self.explorer.set_toggle(event.name, event.value))

    def on_matrix_view_row_chosen(self, event: MatrixView.RowChosen) -> None:
        self.act(lambda: self.explorer.append_id(event.row))

    def action_toggle_freeze(self) -> None:
        self.act(lambda: self.explorer.toggle("freeze"))

    def action_toggle_no_grad(self) -> None:
        self.act(lambda: self.explorer.toggle("no_grad"))

    def action_toggle_view(self) -> None:
        self.act(lambda: self.explorer.toggle("grad"))

    def action_focus_next(self) -> None:
        self._focus_step(1)

    def action_focus_previous(self) -> None:
        self._focus_step(-1)

    def _focus_step(self, step: int) -> None:
        """Tab on the explorer's panels goes input → matrix → result → toggles, the order of the lesson
        (what you type, the rows it picks, what comes out, then the switches); dialogs keep Textual's."""
        order = [panel for panel in (self.ids_input, self.matrix, self.result, self.toggles) if panel.focusable]
        if self.screen is not self.main_screen or self.main_screen.maximized is not None or not order:
            super().action_focus_next() if step > 0 else super().action_focus_previous()
            return
        here = order.index(self.focused) if self.focused in order else -step
        order[(here + step) % len(order)].focus()

    def action_toggle_maximize(self) -> None:
        """The focused panel (the matrix or the result; the result from anywhere else) takes the screen,
        with the status and its keys below; again, or Esc, gives the other panels back."""
        screen = self.main_screen
        if screen.maximized is not None:
            screen.minimize()
        else:
            panel = self.focused if self.focused is self.matrix else self.result
            panel.focus()  # keys go to what is on screen (Esc gives the screen back, not clear the input)
            screen.maximize(panel)

    def action_show_windows(self) -> None:
        self.act(self.explorer.show_windows)

    def action_neighbours(self) -> None:
        """Of the row under the matrix's cursor when the matrix has the focus, else of the input's ID."""
        row = self.matrix.cursor_row if self.focused is self.matrix else None
        self.act(lambda: self.explorer.neighbours(row))

    def action_statistics(self) -> None:
        self.act(self.explorer.statistics)

    def action_show_about(self) -> None:
        self.act(self.explorer.about)

    def action_switch_matrix(self) -> None:
        self.act(self.explorer.switch_matrix)

    def action_one_hot(self) -> None:
        self.act(self.explorer.one_hot)

    def action_toggle_text(self) -> None:
        self.act(self.explorer.toggle_text)

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
        explorer = self.explorer
        current = explorer.training_settings()
        if current is None:
            self.show(explorer.view())
            return
        screen = OptionsScreen(current, explorer.spec, explorer.lang)
        self.push_screen(screen, self._options_chosen)

    def _options_chosen(self, chosen: Training | None) -> None:
        if chosen is not None:
            self.act(lambda: self.explorer.apply_training(chosen))

    def action_open_weights(self) -> None:
        explorer = self.explorer
        if explorer.session is not None:
            none_cached = explorer.t("open.none_cached")
            screen = OpenScreen(explorer.t("open.prompt"), explorer.path_to_open, explorer.lang, Path.cwd(), explorer.cached_models, none_cached)
            self.push_screen(screen, lambda path: self.act(lambda: explorer.open(path)) if path else None)

    def action_goto_row(self) -> None:
        explorer = self.explorer
        if explorer.session is not None:
            prompt = explorer.t("goto.prompt", last=explorer.spec.vocab_size - 1)
            self.push_screen(AskScreen(prompt, explorer.row_of_id, explorer.lang), self._go_to_row)

    def action_find_token(self) -> None:
        explorer = self.explorer
        if explorer.session is None:
            return
        refused = explorer.find_refused()
        if refused is not None:
            self.show(refused)
            return
        self.push_screen(SearchScreen(explorer.vocab, explorer.lang), self._go_to_row)

    def _go_to_row(self, row: int | None) -> None:
        if row is not None:
            self.matrix.cursor_row = row
            self.matrix.focus()
            self.act(lambda: self.explorer.go_to(row))

    def action_help(self) -> None:
        t = self.explorer.t
        self.push_screen(HelpScreen(t("help.title"), t("help.close"), help_keys(t), t("help.letters")))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Each command with its keys, in the app's language; of Textual's own, the theme and the screenshot
        (its Quit, Keys and Maximize are ours already)."""
        t = self.explorer.t
        for command in COMMANDS:
            title = f"{t(command.label)} ({command.display.replace(' ', ', ')})"
            yield SystemCommand(title, t(command.help), getattr(self, f"action_{command.action}"))
        yield SystemCommand(t("palette.theme"), t("palette.theme.long"), self.action_change_theme)
        yield SystemCommand(t("palette.screenshot"), t("palette.screenshot.long"), self.deliver_screenshot)
