"""F6: open another weight file while the app runs, off the event loop, and keep the matrix on a failure.

A mixin of `ExplorerApp`: asking for the path, choosing among several tensors, saying what went wrong,
and handing the new layer (with the vocabulary and tokenizer found beside it) to the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from tui.core.messages import Message
from tui.screens.ask import AskScreen
from tui.screens.message import MessageScreen
from tui.screens.pick import PickScreen

if TYPE_CHECKING:
    from tui.app import ExplorerApp
    from tui.core.session import EmbeddingSession
    from tui.core.tokenizer import TextTokenizer
    from tui.core.vocab import Vocab


class FileOpening:
    def action_open_weights(self: ExplorerApp) -> None:
        """Ask for a weight file; open it off the event loop; on failure keep the matrix on screen."""
        if self.session is None:
            return

        def path(text: str) -> tuple[str | None, str | None]:
            return (text, None) if text else (None, self.t("open.empty"))

        self.push_screen(AskScreen(self.t("open.prompt"), path), self._open_path)

    def _open_path(self: ExplorerApp, path: str | None, key: str | None = None) -> None:
        if path:
            self._say(Message("open.opening", {"path": path}))
            self._open_file(path, key)

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open_file(self: ExplorerApp, path: str, key: str | None) -> None:
        from tui.core.session import EmbeddingSession
        from tui.core.tokenizer import beside
        from tui.core.vocab import VocabError
        from tui.core.weights import SeveralTensors, WeightFileError, open_weights

        try:
            weights = open_weights(path, key)
        except SeveralTensors as several:
            choices = [(info.key, info.describe()) for info in several.candidates]
            self.call_from_thread(self._pick_tensor, path, choices)
            return
        except WeightFileError as error:
            self.call_from_thread(self._cannot_open, error.message)
            return
        try:
            vocab, tokenizer, problem = *beside(weights.path), None
        except VocabError as error:
            vocab, tokenizer, problem = None, None, error.message
        session = EmbeddingSession.from_weights(weights)
        self.call_from_thread(self._file_ready, session, vocab, tokenizer, problem)

    def _pick_tensor(self: ExplorerApp, path: str, choices: list[tuple[str, str]]) -> None:
        self._say(Message("open.pick", {"count": len(choices)}))
        self.push_screen(PickScreen(self.t("open.pick", count=len(choices)), choices), lambda key: self._open_path(path, key) if key else None)

    def _cannot_open(self: ExplorerApp, message: Message) -> None:
        self._say(message, error=True)
        self.push_screen(MessageScreen(self.t("open.failed"), message.render(self.lang)))

    def _file_ready(
        self: ExplorerApp, session: EmbeddingSession, vocab: Vocab | None, tokenizer: TextTokenizer | None, problem: Message | None
    ) -> None:
        if self._text_mode and tokenizer is None:
            self.action_toggle_text()  # back to IDs while the old tokenizer is still there
        self.weights, self.vocab, self.tokenizer = session.weights, vocab, tokenizer
        self._session_ready(session)
        if problem is not None:
            self._say(problem, error=True)
