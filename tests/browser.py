"""A served embedding-explorer driven in the system's Chromium with Playwright, for tests and benchmarks.

The terminal's text is read from the bytes the page's websocket receives, fed to a terminal emulator
(pyte): textual.js does not expose its xterm instance, and in headless Chromium xterm draws on a canvas
(WebGL or its canvas addon), so the DOM holds no rows to read. The frames are exactly what the page's
xterm is given, and the resize messages the page sends keep the emulator at the page's size.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyte

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str | None:
    """The system's Chromium, if there is one."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], timeout: float = 30.0, what: str = "a condition") -> object:
    """`condition()`'s first true value, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Served:
    """A server process started through the CLI, and the address it printed."""

    process: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        return self.lines[0].split()[1]

    def children(self) -> set[int]:
        """The session processes now running (children of the server)."""
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return set()
        return {int(pid) for pid in text.split()}


@contextmanager
def served(*options: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """`embedding-explorer serve --port P *options` in a subprocess, until it printed its address; stopped
    with SIGINT afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "serve", "--port", str(port), *options],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = Served(process, port)
    assert process.stdout is not None
    for _ in range(2):
        line = process.stdout.readline()
        assert line, f"the server ended: {process.stderr.read() if process.stderr else ''}"
        server.lines.append(line.rstrip("\n"))
    try:
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(2)
            process.wait(30)


def http_get(url: str) -> tuple[int, str]:
    """The status and body of a plain GET."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class TerminalPage:
    """One tab of the served app: what its websocket received, as the screen a terminal would show."""

    def __init__(self, page: object) -> None:
        self.page = page
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.requests: list[str] = []
        self.closed = False
        page.on("request", lambda request: self.requests.append(request.url))  # type: ignore[attr-defined]
        page.on("websocket", self._socket)  # type: ignore[attr-defined]

    def _socket(self, websocket: object) -> None:
        query = dict(part.split("=", 1) for part in websocket.url.partition("?")[2].split("&") if "=" in part)  # type: ignore[attr-defined]
        self.screen.resize(int(query.get("height", 24)), int(query.get("width", 80)))
        websocket.on("framereceived", self._received)  # type: ignore[attr-defined]
        websocket.on("framesent", self._sent)  # type: ignore[attr-defined]
        websocket.on("close", lambda _: setattr(self, "closed", True))  # type: ignore[attr-defined]

    def _received(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            self.stream.feed(payload)

    def _sent(self, payload: bytes | str) -> None:
        if isinstance(payload, str) and payload.startswith('["resize"'):
            size = json.loads(payload)[1]
            self.screen.resize(size["height"], size["width"])

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_text(self, wanted: str, timeout: float = 60.0) -> str:
        """The screen's text once it holds `wanted` (Playwright's events are delivered while it waits)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if wanted in (text := self.text()):
                return text
            self.page.wait_for_timeout(50)  # type: ignore[attr-defined]  # lets Playwright deliver the frames: a poll, not a pause
        raise AssertionError(f"{wanted!r} never on screen:\n{self.text()}")

    def wait_closed(self, timeout: float = 30.0) -> None:
        """Once the page's socket has closed. Playwright tells of it only while this script calls into it (its
        sync API delivers events then), so the wait is Playwright's own, never a plain sleep."""
        deadline = time.monotonic() + timeout
        while not self.closed:
            if time.monotonic() > deadline:
                raise AssertionError(f"the socket never closed:\n{self.text()}")
            self.page.wait_for_timeout(50)  # type: ignore[attr-defined]  # lets Playwright deliver the close: a poll, not a pause

    def type(self, keys: str) -> None:
        """Keys typed into the terminal (xterm's own text area, focused first)."""
        self.page.locator(".xterm-helper-textarea").focus()  # type: ignore[attr-defined]
        self.page.keyboard.type(keys)  # type: ignore[attr-defined]


@contextmanager
def browser(viewport: tuple[int, int] = (1024, 640)) -> Iterator[object]:
    """The system's Chromium launched by Playwright (no browser download), with a new empty profile; its pages
    `viewport` pixels wide and high."""
    from playwright.sync_api import sync_playwright

    path = chromium()
    assert path is not None, "no Chromium"
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=path, headless=True, args=CHROMIUM_FLAGS, viewport={"width": viewport[0], "height": viewport[1]}
        )
        try:
            yield context
        finally:
            context.close()


def open_tab(context: object, url: str) -> TerminalPage:
    """A new tab on `url`, its terminal recorded from the first frame."""
    page = context.new_page()  # type: ignore[attr-defined]
    tab = TerminalPage(page)
    page.goto(url)
    return tab
