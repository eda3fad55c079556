"""A panel's line of keys (`Enter: ask · a: add its ID · …`), folded between its items, never inside one:
on a narrow terminal `p: map` stays whole on the line below."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import RenderResult
from rich.text import Text
from textual.geometry import Size
from textual.widgets import Static

SEPARATOR = " · "


def folded(keys: str, width: int) -> list[str]:
    """The items of `keys` (joined by SEPARATOR) on lines of at most `width` cells, as many on a line as fit
    (an item wider than a line has a line of its own, and the terminal wraps it)."""
    lines: list[str] = []
    for item in keys.split(SEPARATOR):
        if lines and cell_len(lines[-1] + SEPARATOR + item) <= width:
            lines[-1] += SEPARATOR + item
        else:
            lines.append(item)
    return lines


class KeyLine(Static):
    """A Static (updated as one) whose text is a line of keys."""

    DEFAULT_CSS = "KeyLine { height: auto; }"

    def __init__(self, keys: str, *, id: str | None = None) -> None:
        super().__init__(keys, id=id, markup=False)

    def render(self) -> RenderResult:
        return Text("\n".join(folded(str(self.content), max(1, self.content_size.width))))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return sum(max(1, -(-cell_len(line) // max(1, width))) for line in folded(str(self.content), max(1, width)))
