"""Ctrl+G and Ctrl+F: put the matrix cursor on a row, by its token ID or by its token's text.

A mixin of `ExplorerApp`, like `FileOpening`: each asks for one line, refuses what names no row, and
says why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.core.messages import Message
from tui.screens.ask import AskScreen

if TYPE_CHECKING:
    from tui.app import ExplorerApp


class RowFinding:
    def action_goto_row(self: ExplorerApp) -> None:
        if self.session is not None:
            last = self.spec.vocab_size - 1

            def row(text: str) -> tuple[int | None, str | None]:
                if text.isdigit() and int(text) <= last:
                    return int(text), None
                return None, self.t("goto.invalid", text=text, last=last)

            self.push_screen(AskScreen(self.t("goto.prompt", last=last), row), self._go_to_row)

    def action_find_token(self: ExplorerApp) -> None:
        """Ask for a token's text and go to its row."""
        if self.session is None:
            return
        if self.vocab is None:
            self._say(Message("find.no_vocab"), error=True)
            return
        vocab = self.vocab

        def token(text: str) -> tuple[int | None, str | None]:
            found = vocab.find(text) if text else None
            return (found, None) if found is not None else (None, self.t("find.none", text=text))

        self.push_screen(AskScreen(self.t("find.prompt"), token), self._go_to_row)

    def _go_to_row(self: ExplorerApp, row: int | None) -> None:
        if row is not None:
            matrix = self.matrix
            matrix.cursor_row = row
            matrix.focus()
            self._say(Message("status.row", {"row": row}))
