"""The app: the explorer it shows (its settings), the main screen, and the three roads everything takes.

- Actions: a key → an explorer action → a `View` → the main screen's widgets (`act`, `show`).
- Long work: every job a view starts runs in a thread worker; its progress comes back as a message posted
  from the thread, its outcome through the one `Worker.StateChanged` handler, which also turns any failure
  nobody expected into the status line (and its traceback into the log).
- Files a served session writes are handed to the browser (`View.delivered` → `App.deliver_text`).
- Dialogs: a view's dialog is pushed as its screen; its panel is pushed once and shown again with each view;
  every answer comes back as an `Answered` message and goes to `Explorer.answer`.

torch is first imported by the job that makes the layer, so the first frame (and typing) comes before it.
"""

from __future__ import annotations

import io
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.driver import Driver
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui.bursts import Burst, gathering
from tui.core.explorer.commands import COMMANDS
from tui.core.explorer.explorer import Explorer, Setup
from tui.core.explorer.tasks import Task
from tui.core.explorer.view import View
from tui.core.jobs import Job
from tui.look_alikes import use_look_alikes
from tui.messages import Answered, Progressed
from tui.screens.dialog import PanelScreen
from tui.screens.dialogs import screen_class, screen_for
from tui.screens.main import MainScreen


class ExplorerApp(App[None]):
    """`torch.manual_seed(seed); layer = torch.nn.Embedding(vocab_size, dim)`, looked up live."""

    CSS_PATH = ["screens/main.tcss", "screens/dialog.tcss"]  # the main view's layout; the dialogs' frame and theirs

    def __init__(self, setup: Setup | None = None, **settings: Any) -> None:
        """`setup`, or its keywords: `ExplorerApp(vocab_size=6, dim=3, seed=123, dtype="float32", ids="",
        lang="en", freeze=None, no_grad=False, weights=None, vocab=None, tokenizer=None, options=None)`
        (see `Setup.of`)."""
        super().__init__()
        self.explorer = Explorer(setup or Setup.of(**settings))
        self.title = self.explorer.t("app.title")
        self.main = MainScreen(self.explorer, self.act)
        self._job_of: dict[Worker, Job] = {}

    def on_load(self) -> None:
        use_look_alikes()  # a terminal without UTF-8 gets `#` and `>`, not `\u2588` and `\u25b6`

    def get_default_screen(self) -> Screen:
        return self.main

    def on_mount(self) -> None:
        self._ticking = self.set_interval(0.25, lambda: self.show(self.explorer.tick()), pause=True)
        self.set_interval(1.0, self._check_file)

    # -- actions and views -----------------------------------------------------------------
    def act(self, action: Callable[[], View]) -> None:
        """Run an explorer action and show its view. What nobody expected is said in the status line: the app
        lives on with its last good state."""
        try:
            view = action()
        except Exception as error:  # noqa: BLE001 - the boundary that keeps the app alive
            self._unexpected(None, error)
            return
        self.show(view)

    def show(self, view: View) -> None:
        """The main screen's panels, then the view's jobs, its files handed to the reader (a served session's
        downloads, through the driver), its panel and its dialog."""
        self.main.show(view)
        for job in view.jobs:
            self._run(job)
        for delivered in view.delivered:
            self.deliver_text(io.StringIO(delivered.text), save_filename=delivered.name)
        self._show_panel(view)
        if view.dialog is not None:
            self.push_screen(screen_for(view.dialog))

    def _show_panel(self, view: View) -> None:
        """The explorer's open panel on screen: pushed when it opens, shown again while it stays, gone when
        the explorer closed it."""
        shown = next((screen for screen in self.screen_stack if isinstance(screen, PanelScreen)), None)
        pane = view.panel
        if shown is not None and (pane is None or not isinstance(shown, screen_class(type(pane)))):
            if shown is self.screen:
                shown.dismiss()
            shown = None
        if pane is not None and shown is None:
            self.push_screen(screen_for(pane))
        elif pane is not None:
            shown.show(pane)

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        self.act(lambda: self.explorer.answer(message.dialog, message.answer))

    def _check_file(self) -> None:
        """Once a second: has the weight's file changed on disk under the rows the matrix reads?"""
        view = self.explorer.check_file()
        if view is not None:
            self.show(view)

    # -- long work -------------------------------------------------------------------------
    def _run(self, job: Job) -> None:
        """A job in a thread worker; what it tells of its progress comes back as messages."""
        job.listener = lambda fraction: self.post_message(Progressed(job, fraction))
        worker = self.run_worker(job.run, name=job.task.name, group=job.task.name, description=job.task.value, thread=True, exit_on_error=False)
        self._job_of[worker] = job
        if job.layer is not None:  # it holds the layer: say what it does, and for how long
            self._ticking.resume()

    @on(Progressed)
    def _progressed(self, message: Progressed) -> None:
        self.act(lambda: self.explorer.progress(message.job, message.fraction))

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """The one place a worker's end is handled: a job's outcome installed, any failure said."""
        worker = event.worker
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        job = self._job_of.pop(worker, None)
        if event.state is WorkerState.ERROR:
            self._unexpected(job, worker.error)
        elif job is not None and event.state is WorkerState.SUCCESS:
            self.act(lambda: self.explorer.finish(job, worker.result))
            if job.task is Task.BACKWARD:  # a step may come next
                self._warm_optimizer()
        if self.explorer.busy is None:
            self._ticking.pause()

    def _unexpected(self, job: Job | None, error: BaseException) -> None:
        """What nobody expected: the traceback in the log, the error in the status line."""
        self.log.error("".join(traceback.format_exception(error)))
        try:
            self.show(self.explorer.crashed(job, error))
        except Exception as again:  # noqa: BLE001 - the state cannot be shown either: the panels keep the last view
            self.log.error("".join(traceback.format_exception(again)))

    @work(thread=True, group="warm", exit_on_error=False)
    def _warm_optimizer(self) -> None:
        from tui.core.chapter.session import warm_optimizer

        warm_optimizer()

    # -- keys ------------------------------------------------------------------------------
    def get_driver_class(self) -> type[Driver]:
        return gathering(super().get_driver_class())

    async def on_burst(self, burst: Burst) -> None:
        """Keys typed or pasted in a row: into the ID input as one edit (one lookup, not one per key), else
        each key as if it came alone."""
        keys = burst.take()
        if self.focused is self.main.ids_input:
            self.main.ids_input.type_keys("".join(key.character or "" for key in keys))
        else:
            for key in keys:
                await self.on_event(key)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Each command with its keys, in the app's language; of Textual's own, the theme and the screenshot
        (its Quit, Keys and Maximize are ours already)."""
        t = self.explorer.t
        for command in COMMANDS:
            title = f"{t(command.label)} ({command.display.replace(' ', ', ')})"
            yield SystemCommand(title, t(command.help), getattr(self.main, f"action_{command.action}"))
        yield SystemCommand(t("palette.theme"), t("palette.theme.long"), self.action_change_theme)
        yield SystemCommand(t("palette.screenshot"), t("palette.screenshot.long"), self.deliver_screenshot)
