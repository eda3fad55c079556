"""Helpers for Pilot tests: start the app at a size, wait until its layer exists, wait for a condition."""

import html
import inspect
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from textual.pilot import Pilot

from tui.app import ExplorerApp

POLL = 0.01  # seconds between two looks at a condition


@asynccontextmanager
async def running(app: ExplorerApp, size: tuple[int, int] = (80, 24)) -> AsyncIterator[Pilot]:
    """The app at `size`, once its first layer is on screen and the work that came with it is done."""
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: app.explorer.session is not None and not app.explorer.jobs.running)
        await pilot.pause()
        yield pilot


async def until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10) -> None:
    """Pause the pilot until `condition()` holds: what the test relies on next (a job ended, a screen opened,
    text appeared). Under load a fixed sleep would silently test another ordering; this waits as long as it
    takes, and fails after `timeout` seconds naming the condition."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout} s: {inspect.getsource(condition).strip()}")
        await pilot.pause(POLL)


async def settled(pilot: Pilot) -> None:
    """The explorer's jobs done and what they made shown: after a key or an answer that started work (the
    answer itself may still be on its way to the app, hence the first pause)."""
    await pilot.pause()
    await until(pilot, lambda: not pilot.app.explorer.jobs.running)
    await pilot.pause()


def idle(app: ExplorerApp) -> bool:
    """No worker runs: every job started is done and its outcome shown (a job waiting its turn starts from the
    one before it, while that one's worker still runs)."""
    return not any(worker.is_running for worker in app.workers)


def screen_text(app: ExplorerApp) -> str:
    """What the terminal shows, as plain lines (read back from Textual's own screenshot)."""
    lines: dict[int, list[str]] = {}
    for line, text in re.findall(r'<text[^>]*clip-path="url\(#terminal-\d+-line-(\d+)\)">(.*?)</text>', app.export_screenshot()):
        lines.setdefault(int(line), []).append(html.unescape(text).replace("\xa0", " "))
    return "\n".join("".join(lines[number]) for number in sorted(lines))
