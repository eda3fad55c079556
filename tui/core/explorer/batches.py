"""Section 2.6 on screen: the text given at start cut into the book's windows and batches (in a job), cut
again with other settings typed in the windows view, and that view's keys: another batch, other settings,
a batch's code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.core.explorer.changes import NOTHING, Change, Start
from tui.core.explorer.copied_code import code_dialog
from tui.core.explorer.dialogs import Act, Answer, Choice, Move, Prompt, Question, Topic, checked
from tui.core.explorer.panels import WindowsOpen
from tui.core.explorer.tasks import Task
from tui.core.files.limits import Cost, SizeError, batch_bytes, cost
from tui.core.texts.messages import Message
from tui.core.texts.shown import human_size

if TYPE_CHECKING:
    from tui.core.chapter.windows import TextWindows, WindowSettings
    from tui.core.jobs import Job
    from tui.core.tokens.tokenizer import TextTokenizer


class Batches:
    def __init__(self, served: bool = False) -> None:
        self.served = served  # a batch's code is shown to download, with no clipboard
        self.windows: TextWindows | None = None  # the text cut into windows, once a job has cut it
        self.asked: Cut | None = None  # a cut whose batch is big, while its question is open

    def cut(self, path: str, tokenizer: TextTokenizer, settings: WindowSettings, t: Callable[..., str], show: bool = False) -> Change:
        """A job cutting the text into windows; `show`: the windows view opens on the new batches. A batch
        bigger than `limits.BYTES_WITHOUT_ASKING` is asked about first, one bigger than the memory refused
        (with the limit named). A text that gives no window keeps the windows there were."""
        batch = {"batch_size": settings.batch_size, "max_length": settings.max_length}
        what = Message("limits.what_batch", batch)
        try:
            asks = cost(batch_bytes(settings.max_length, settings.batch_size), what) is Cost.ASK
        except SizeError as error:
            return Change(error.message, error=True)
        if asks:
            self.asked = Cut(path, tokenizer, settings, show)
            size = human_size(batch_bytes(settings.max_length, settings.batch_size))
            return Change(dialog=Question(Topic.BIG_BATCH, t("windows.big_title"), t("windows.big_cost", what=what, size=size), t("windows.big_choices"), {"enter": Choice.YES}))
        return self._cut(Cut(path, tokenizer, settings, show))

    def confirmed(self, yes: bool) -> Change:
        """The cut asked about, made when the answer is yes."""
        asked, self.asked = self.asked, None
        return self._cut(asked) if yes and asked is not None else NOTHING

    def _cut(self, asked: Cut) -> Change:
        def cut(job: Job) -> TextWindows:
            from tui.core.chapter.windows import TextWindows

            return TextWindows.cut(asked.path, asked.tokenizer, asked.settings)

        def made(windows: TextWindows) -> Change:
            self.windows = windows
            said = {"path": windows.path, "windows": windows.windows, "batches": windows.batches, "batch_size": windows.settings.batch_size}
            return Change(Message("windows.ready", said), panel=WindowsOpen() if asked.show else None)

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
            return Change(dialog=code_dialog(script, t, self.served))
        return NOTHING

    def recut(self, settings: WindowSettings, t: Callable[..., str]) -> Change:
        """The same text cut again with other settings, by the tokenizer that cut it; the view shows the new batches."""
        return self.cut(self.windows.path, self.windows.tokenizer, settings, t, show=True)


@dataclass(frozen=True)
class Cut:
    """A text to cut into windows: by which tokenizer, with which settings, and whether the view opens on it."""

    path: str
    tokenizer: TextTokenizer
    settings: WindowSettings
    show: bool
