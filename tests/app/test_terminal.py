"""The app in a real terminal (a pty), as a person runs it: what Pilot leaves out, the terminal's driver."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time
from pathlib import Path

GUARD = 60.0  # seconds: a hang fails the test instead of stalling the suite (not a speed target)


class Terminal:
    """`python -m tui` in an 80×24 pseudo-terminal; its output is read as it comes."""

    def __init__(self, *args: str) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: size the terminal, then become the app
            try:
                fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
                os.chdir(Path(__file__).resolve().parents[2])
                env = dict(os.environ, TERM="xterm-256color")
                os.execve(sys.executable, [sys.executable, "-m", "tui", "--lang", "en", *args], env)
            finally:
                os._exit(127)
        self.output = bytearray()
        os.set_blocking(self.fd, False)

    def _read(self, timeout: float) -> None:
        if select.select([self.fd], [], [], timeout)[0]:
            try:
                self.output += os.read(self.fd, 65536)
            except OSError:  # EIO: the app has closed the terminal
                pass

    def wait_for(self, text: bytes) -> None:
        deadline = time.monotonic() + GUARD
        while text not in self.output:
            assert time.monotonic() < deadline, f"{text!r} never appeared"
            self._read(0.1)

    def write(self, data: bytes) -> None:
        """All of `data`, as fast as the app reads it (its output drained meanwhile: a full pty blocks both)."""
        deadline = time.monotonic() + GUARD
        while data:
            assert time.monotonic() < deadline, "the app stopped reading its input"
            try:
                data = data[os.write(self.fd, data[:4096]) :]
            except BlockingIOError:
                self._read(0.01)

    def exit_code(self) -> int:
        deadline = time.monotonic() + GUARD
        while not (ended := os.waitpid(self.pid, os.WNOHANG))[0]:
            assert time.monotonic() < deadline, "the app did not exit"
            self._read(0.05)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(ended[1])


def test_a_paste_without_bracketed_paste_arrives_whole_and_ctrl_q_quits() -> None:
    terminal = Terminal()
    terminal.wait_for(b"layer.weight")
    terminal.write((b"2, 3, 5, 1, " * 2000)[:-2])  # 23,998 keys: 8,000 IDs
    terminal.wait_for(b"(8000, 3)")  # the result's shape: every key arrived
    terminal.write(b"\x11")  # Ctrl+Q
    assert terminal.exit_code() == 0
