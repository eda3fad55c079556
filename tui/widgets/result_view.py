"""The lookup result exactly as `print(layer(torch.tensor(ids)))` prints it, scrollable."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static


class ResultView(VerticalScroll, can_focus=True):
    """torch's own repr, shown literally (never parsed as markup)."""

    DEFAULT_CSS = """
    ResultView { height: 1fr; min-height: 3; overflow-x: auto; }
    ResultView > Static { width: auto; }
    """

    def compose(self):
        yield Static(id="result-text")

    def show(self, text: str, stale: bool = False) -> None:
        """Show `text`; a stale result (the input is currently invalid) is dimmed, not hidden."""
        self.query_one(Static).update(Text(text, style="dim" if stale else "", no_wrap=True))
        self.set_class(stale, "-stale")

    @property
    def text(self) -> str:
        return str(self.query_one(Static).content)
