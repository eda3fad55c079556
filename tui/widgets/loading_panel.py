"""What is happening while torch imports and the layer is created: a spinner, the step, the seconds.

It repaints four times a second and no more: the import runs in a thread that needs the GIL, and a
busy animation here would slow it down.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widgets import Static

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class LoadingPanel(Static):
    DEFAULT_CSS = """
    LoadingPanel { height: 3; padding: 0 2; margin: 1 0; }
    """

    def __init__(self, title: str, step: Callable[[], str], *, id: str | None = None) -> None:
        """`step`: the line under the title (the step, the seconds so far)."""
        super().__init__(id=id)
        self._title = title
        self._step = step
        self._frame = 0

    def on_mount(self) -> None:
        self._timer = self.set_interval(0.25, self._tick)
        self._tick()

    def _tick(self) -> None:
        self._frame += 1
        spinner = SPINNER[self._frame % len(SPINNER)]
        self.update(Text(f"{self._title}\n{spinner} {self._step()}"), layout=False)

    def stop(self) -> None:
        """The layer exists (or failed): the panel leaves the screen and the DOM."""
        self._timer.stop()
        self.remove()
