"""Section 2.6 on screen: the text given at start cut into the book's windows and batches (in a job), cut
again with other settings typed in the windows view, and that view's keys: another batch, other settings,
a batch's code."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.core.explorer.changes import NOTHING, Change, Start
from tui.core.explorer.copied_code import code_dialog
from tui.core.explorer.dialogs import Act, Answer, Move, Prompt, Topic, checked
from tui.core.explorer.panels import WindowsOpen
from tui.core.explorer.tasks import Task
from tui.core.texts.messages import Message

if TYPE_CHECKING:
    from tui.core.chapter.windows import TextWindows, WindowSettings
    from tui.core.jobs import Job
    from tui.core.tokens.tokenizer import TextTokenizer


class Batches:
    def __init__(self) -> None:
        self.windows: TextWindows | None = None  # the text cut into windows, once a job has cut it

    def cut(self, path: str, tokenizer: TextTokenizer, settings: WindowSettings, show: bool = False) -> Change:
        """A job cutting the text into windows; `show`: the windows view opens on the new batches. A text
        that gives no window keeps the windows there were."""

        def cut(job: Job) -> TextWindows:
            from tui.core.chapter.windows import TextWindows

            return TextWindows.cut(path, tokenizer, settings)

        def made(windows: TextWindows) -> Change:
            self.windows = windows
            said = {"path": windows.path, "windows": windows.windows, "batches": windows.batches, "batch_size": windows.settings.batch_size}
            return Change(Message("windows.ready", said), panel=WindowsOpen() if show else None)

        return Change(start=(Start(Task.WINDOWS, cut, made),))

    def show(self) -> Change:
        """The windows view, or what is needed for it."""
        if self.windows is None:
            return Change(Message("windows.none"), error=True)
        return Change(panel=WindowsOpen())

    def answer(self, panel: WindowsOpen, answer: Answer, t: Callable[..., str], lang: str) -> Change:
        """Another batch, other settings to cut with, the book's code printing the batch shown."""
        windows = self.windows
        if isinstance(answer, Move):
            panel.index = max(0, min(windows.batches - 1, panel.index + answer.step))
        elif answer is Act.SETTINGS:
            settings = windows.settings
            return Change(dialog=Prompt(Topic.WINDOW_SETTINGS, t("windows.settings_prompt"), checked(settings.changed, lang), settings.text()))
        elif answer is Act.COPY:
            script = windows.script(panel.index)
            if script is None:
                return Change(Message("windows.no_script", {"tokenizer": windows.tokenizer.name}), error=True)
            return Change(dialog=code_dialog(script, t))
        return NOTHING

    def recut(self, settings: WindowSettings) -> Change:
        """The same text cut again with other settings, by the tokenizer that cut it; the view shows the new batches."""
        return self.cut(self.windows.path, self.windows.tokenizer, settings, show=True)
