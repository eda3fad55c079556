"""Helpers for Pilot tests: start the app at a size and wait until its layer exists."""

import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from textual.pilot import Pilot

from tui.app import ExplorerApp


@asynccontextmanager
async def running(app: ExplorerApp, size: tuple[int, int] = (80, 24)) -> AsyncIterator[Pilot]:
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.explorer.session is not None, "the layer was not created"
        yield pilot


def screen_text(app: ExplorerApp) -> str:
    """What the terminal shows, as plain lines (read back from Textual's own screenshot)."""
    lines: dict[int, list[str]] = {}
    for line, text in re.findall(r'<text[^>]*clip-path="url\(#terminal-\d+-line-(\d+)\)">(.*?)</text>', app.export_screenshot()):
        lines.setdefault(int(line), []).append(html.unescape(text).replace("\xa0", " "))
    return "\n".join("".join(lines[number]) for number in sorted(lines))
