"""The autograd switches on one line: `[x] Freeze weight (F2)   [ ] torch.no_grad() (F3)`; on a narrow
terminal they go on as many lines as they need, a switch never cut.

One widget drawn on the Line API rather than a row of Checkboxes in a container: every widget on screen
adds to the cost of each frame, and a frame is painted on every typed key.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from tui.widgets.paint_style import PaintStyle

GAP = "   "


@dataclass(frozen=True)
class Toggle:
    name: str
    label: str


class ToggleBar(PaintStyle, Widget, can_focus=True):
    """Left/Right choose a switch, Space or Enter flips it; a click flips the switch under the mouse. In a
    dialog (`enter_flips=False`) only Space flips, as on a checkbox: Enter is the dialog's."""

    COMPONENT_CLASSES = {"toggle-bar--on", "toggle-bar--chosen"}

    DEFAULT_CSS = """
    ToggleBar { height: auto; padding: 0 1; }
    ToggleBar:disabled { color: $text-disabled; }
    ToggleBar > .toggle-bar--on { text-style: bold; }
    ToggleBar:focus > .toggle-bar--chosen { text-style: reverse; }
    """

    BINDINGS = [
        Binding("left", "choose(-1)", show=False),
        Binding("right", "choose(1)", show=False),
        Binding("space", "flip", show=False),
        Binding("enter", "flip_on_enter", show=False),
    ]

    chosen: reactive[int] = reactive(0, init=False)

    @dataclass
    class Changed(Message):
        """A switch was flipped."""

        name: str
        value: bool

    def __init__(self, toggles: tuple[Toggle, ...], on: set[str], *, id: str | None = None, disabled: bool = False, enter_flips: bool = True) -> None:
        super().__init__(id=id, disabled=disabled)
        self._toggles, self._enter_flips = toggles, enter_flips
        self._on = set(on)
        self._laid: tuple[int, list[list[int]]] = (-1, [])  # at a width: the switches of each line

    def lines(self, width: int) -> list[list[int]]:
        """The switches (their indexes) on each line at `width`, as many on a line as fit."""
        if self._laid[0] != width:
            lines: list[list[int]] = [[]]
            used = 0
            for index, toggle in enumerate(self._toggles):
                size = len(self._text(toggle))
                if lines[-1] and used + len(GAP) + size > width:
                    lines.append([])
                    used = 0
                used += (len(GAP) if lines[-1] else 0) + size
                lines[-1].append(index)
            self._laid = (width, lines)
        return self._laid[1]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def value(self, name: str) -> bool:
        return name in self._on

    def show(self, on: frozenset[str], enabled: bool = True) -> None:
        """Show the switches as the layer has them, without saying they were flipped."""
        if on != self._on:
            self._on = set(on)
            self.refresh()
        if self.disabled == enabled:
            self.disabled = not enabled

    def flip(self, name: str) -> None:
        """Flip a switch and say so (the app applies it to the layer)."""
        self._on ^= {name}
        self.refresh()
        self.post_message(self.Changed(name, name in self._on))

    def action_choose(self, step: int) -> None:
        self.chosen = (self.chosen + step) % len(self._toggles)

    def action_flip(self) -> None:
        self.flip(self._toggles[self.chosen].name)

    def action_flip_on_enter(self) -> None:
        if not self._enter_flips:
            raise SkipAction()  # the key goes on to the screen's bindings
        self.action_flip()

    def watch_chosen(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        lines = self.lines(self.content_size.width)
        if offset is None or self.disabled or offset.y >= len(lines):
            return
        start = 0
        for index in lines[offset.y]:
            toggle = self._toggles[index]
            end = start + len(self._text(toggle))
            if start <= offset.x < end:
                self.chosen = index
                self.flip(toggle.name)
                return
            start = end + len(GAP)

    def _text(self, toggle: Toggle) -> str:
        return f"[{'x' if toggle.name in self._on else ' '}] {toggle.label}"

    def render_line(self, y: int) -> Strip:
        base = self.paint_style
        segments: list[Segment] = []
        lines = self.lines(self.content_size.width)
        for index in lines[y] if y < len(lines) else ():
            toggle = self._toggles[index]
            if segments:
                segments.append(Segment(GAP, base))
            style = base
            if toggle.name in self._on:
                style += self.component_style("toggle-bar--on")
            if index == self.chosen and self.has_focus:
                style += self.component_style("toggle-bar--chosen")
            segments.append(Segment(self._text(toggle), style))
        return Strip(segments).adjust_cell_length(self.content_size.width, base)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
