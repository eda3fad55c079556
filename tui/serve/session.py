"""One browser tab's session: the app in a process of its own, started without a shell, and ended within
seconds of the tab closing (asked to quit, then its process group terminated, then killed)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import signal
import sys
from collections.abc import Sequence

from textual_serve.app_service import AppService

from tui.core.files.access import SERVED
from tui.core.texts.messages import translate
from tui.core.texts.shown import printable

MOST_COLUMNS, MOST_ROWS = 640, 240  # a wide screen at a small font; a bigger size asked for is a screen of millions of cells
NICENESS = 5  # sessions yield the CPU to the server: 30 tabs starting at once must not starve the relay (and its heartbeats)
STARTING = 30.0  # seconds a session may take to show its first frame before the next one starts anyway
GRACE = 3.0  # seconds a session has to quit when asked, and then to end on SIGTERM


def session_argv(app_options: Sequence[str]) -> list[str]:
    """The command of a session: this Python running the app with the teacher's options, exec'd (a file
    name is never read by a shell)."""
    return [sys.executable, "-m", "tui", *app_options]


class Session(AppService):
    """textual-serve's AppService, its process exec'd with our argv and environment in a process group of
    its own; a process that ends by itself with an error writes its stderr into the tab."""

    def __init__(self, argv: Sequence[str], files: str, lang: str, **kwargs: object) -> None:
        super().__init__(" ".join(argv), **kwargs)  # type: ignore[arg-type]
        self.argv = list(argv)
        self.files = files
        self.lang = lang  # what the tab is told when the process says nothing
        self.stopping = False
        self.shown = asyncio.Event()  # its first frame reached the tab, or its process ended

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        return {**super()._build_environment(width, height), SERVED: self.files}

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width, height),
            start_new_session=True,
        )
        with contextlib.suppress(OSError):  # ended already, or a system that refuses: the session runs as it is
            os.setpriority(os.PRIO_PROCESS, process.pid, NICENESS)
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def start(self, width: int, height: int) -> None:
        await super().start(*fitted(width, height))

    async def set_terminal_size(self, width: int, height: int) -> None:
        await super().set_terminal_size(*fitted(width, height))

    async def on_data(self, payload: bytes) -> None:
        await super().on_data(payload)
        self.shown.set()

    async def started(self) -> None:
        """Once the tab shows the app (or the process has ended), or after STARTING seconds."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.shown.wait(), STARTING)

    async def on_meta(self, data: bytes) -> None:
        """The app's meta packets, but "exit": the socket closes once the process has ended (`run`), after the
        error it may have printed on its way out reached the tab."""
        if json.loads(data).get("type") != "exit":
            await super().on_meta(data)

    async def run(self) -> None:
        """The process's packets to the tab until it ends; then, when it ended by itself with an error (or
        never started), its stderr in the tab's terminal and the socket closed."""
        process = self._process
        assert process is not None and process.stdout is not None and process.stderr is not None
        errors = io.BytesIO()
        collecting = asyncio.create_task(_collect(process.stderr, errors))
        handlers = {b"D": self.on_data, b"M": self.on_meta, b"P": self.on_packed}
        stdout = process.stdout
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionResetError):
            while (line := await stdout.readline()) != b"__GANGLION__\n":  # the prelude: a Textual app started
                if not line:
                    raise asyncio.IncompleteReadError(b"", None)
            while True:
                kind = await stdout.readexactly(1)
                payload = await stdout.readexactly(int.from_bytes(await stdout.readexactly(4), "big"))
                if handler := handlers.get(kind):
                    await handler(payload)
        await collecting
        code = await process.wait()
        self.shown.set()
        text = ""  # the screen the app leaves is cleared (it held "Starting your session…")
        if code != 0 and not self.stopping:
            lines = errors.getvalue().decode("utf-8", "replace").splitlines() or [self.ended(code)]
            text = "\r\n".join(map(printable, lines))  # a traceback may quote a token: never an escape to the terminal
        with contextlib.suppress(ConnectionResetError, RuntimeError):
            await self.remote_write_bytes(("\x1b[2J\x1b[H" + text).encode())
        with contextlib.suppress(ConnectionResetError, RuntimeError):
            await self.remote_close()

    def ended(self, code: int) -> str:
        """What the tab is told of a process that ended by itself without a word: the signal that stopped it
        (SIGKILL: most often the machine's memory ran out), or its exit code."""
        if code < 0:
            name = signal.Signals(-code).name
            return translate(self.lang, "serve.killed" if name == "SIGKILL" else "serve.signalled", signal=name)
        return translate(self.lang, "serve.exited", code=code)

    async def stop(self) -> None:
        """The process ended: asked to quit, then its process group sent SIGTERM, then SIGKILL, each after
        GRACE seconds; the reading task ended with it."""
        self.stopping = True
        process, task = self._process, self._task
        if process is None:
            return
        if process.returncode is None:
            await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
            await self.send_meta({"type": "quit"})
            for sent in (signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(process.wait(), GRACE)
                    break
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, sent)
            await process.wait()
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self._task = None


def fitted(width: int, height: int) -> tuple[int, int]:
    """The terminal size a tab asks for, within what a screen can show: a tab's socket is anyone's to write, and
    the session (on the teacher's machine) would lay out every cell asked for."""
    return min(max(width, 1), MOST_COLUMNS), min(max(height, 1), MOST_ROWS)


async def _collect(stream: asyncio.StreamReader, into: io.BytesIO) -> None:
    """Everything `stream` gives, into `into`, until it ends."""
    while data := await stream.read(4096):
        into.write(data)
