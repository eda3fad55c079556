"""The lookup result exactly as `print(layer(torch.tensor(ids)))` prints it, scrollable."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static


class ResultView(VerticalScroll, can_focus=True):
    """torch's own repr, shown literally (never parsed as markup)."""

    DEFAULT_CSS = """
    ResultView { height: 1fr; min-height: 3; overflow-x: auto; }
    ResultView > Static { width: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[str, bool] = ("", False)

    def compose(self) -> ComposeResult:
        yield Static(id="result-text")

    def show(self, text: str, stale: bool = False) -> None:
        """Show `text`; a stale result (the input is currently invalid) is dimmed, not hidden.

        Re-layout only when the text's extent changes: typing usually changes the numbers, not the shape.
        """
        if (text, stale) == self._shown:
            return
        lines = text.split("\n")
        old_lines = self._shown[0].split("\n")
        resized = len(lines) != len(old_lines) or max(map(len, lines)) != max(map(len, old_lines))
        self._shown = (text, stale)
        self.set_class(stale, "-stale")
        self.query_one(Static).update(Text(text, style="dim" if stale else "", no_wrap=True), layout=resized)

    @property
    def text(self) -> str:
        return self._shown[0]
