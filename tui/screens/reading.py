"""A panel whose answers come from a pass over the whole matrix, run in a worker: its progress shown in a bar
and a line (`#said`), a newer pass cancelling the older one between two chunks, what went wrong said in that
line. The neighbours and the statistics panels are two."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from rich.text import Text
from textual import work
from textual.screen import ModalScreen
from textual.widgets import ProgressBar, Static
from textual.worker import get_current_worker

from tui.core.jobs import Cancelled
from tui.core.texts.messages import MessageError, translate
from tui.core.texts.shown import printable

T = TypeVar("T")
Pass = Callable[[Callable[[float], None], Callable[[], bool]], T]  # (progress, cancelled) → the answer


class ReadingScreen(ModalScreen[Any]):
    """Subclasses compose a `ProgressBar` and a `Static` with the id `said`, and name their progress line."""

    DEFAULT_CSS = """
    ReadingScreen { align: center middle; }
    ReadingScreen > Vertical { width: 100%; height: 100%; border: round $accent; background: $panel; }
    ReadingScreen ProgressBar { height: 1; }
    ReadingScreen #said { height: auto; }
    ReadingScreen #said.-error { color: $error; }
    """
    READING = ""  # the catalog key of the progress line, with {percent}

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def t(self, key: str, **params: object) -> str:
        return translate(self.lang, key, **params)

    def read(self, answer: Pass[T], show: Callable[[T], None]) -> None:
        """`answer(progress, cancelled)` in a worker, then `show(answer)` here; the pass still reading is
        cancelled. The bar is shown while a pass reads."""
        self.query_one(ProgressBar).display = True
        self._progress(0.0)
        self._reading(answer, show)

    @work(thread=True, exclusive=True, group="reading", exit_on_error=False)
    def _reading(self, answer: Pass[T], show: Callable[[T], None]) -> None:
        worker = get_current_worker()
        try:
            found = answer(lambda fraction: self.app.call_from_thread(self._progress, fraction), lambda: worker.is_cancelled)
        except Cancelled:
            return
        except MessageError as error:
            said = error.message.render(self.lang)
            self.app.call_from_thread(self._done, lambda: self.say(said, True))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._done, lambda: show(found))

    def _done(self, then: Callable[[], None]) -> None:
        self.query_one(ProgressBar).display = False
        then()

    def _progress(self, fraction: float) -> None:
        self.query_one(ProgressBar).update(progress=100 * fraction)
        self.say(self.t(self.READING, percent=100 * fraction))

    def say(self, text: str, error: bool = False) -> None:
        said = self.query_one("#said", Static)
        said.update(Text(printable(text)))
        said.set_class(error, "-error")
