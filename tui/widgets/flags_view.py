"""The autograd flags of the result and of `layer.weight`, as read off the real tensors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:  # the session imports torch, which the first frame must not wait for
    from tui.core.session import Lookup


class FlagsView(Static):
    """Two wrapped lines under the result (beside it on wide terminals): the result, then the weight."""

    DEFAULT_CSS = """
    FlagsView { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple = ()

    def show(self, lookup: Lookup, result_label: str, weight_label: str) -> None:
        shown = (lookup.flags(), lookup.weight.flags(), result_label, weight_label)
        if shown == self._shown:  # typing changes IDs far more often than flags
            return
        self._shown = shown
        text = Text()
        for title, flags in ((result_label, lookup.flags()), ("\n" + weight_label, lookup.weight.flags())):
            text.append(title, style="bold underline")
            for name, value in flags:
                text.append(f"  {name}=", style="dim")
                text.append(str(value), style="bold")
        self._update_in_place(text)

    def _update_in_place(self, text: Text) -> None:
        """Re-lay out the screen only when the flags wrap onto more or fewer lines than before."""
        width = self.content_size.width
        lines = self.get_content_height(self.size, self.size, width)
        self.update(text, layout=False)
        self.clear_cached_dimensions()
        if self.get_content_height(self.size, self.size, width) != lines:
            self.refresh(layout=True)
