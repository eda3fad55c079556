"""A paste without bracketed paste, then Ctrl+Q: how long until the app has quit, in a real terminal.

Run from the repository root, in the venv:

    python tests/benchmarks/bench_burst.py                  # 6,000, 24,000 and 100,000 characters, 3 rounds
    python tests/benchmarks/bench_burst.py --also /tmp/before   # and the app of another checkout, same rounds

For each number of characters, `python -m tui` (the book's 6 × 3 layer) runs in an 80×24 pty. Once the
matrix is on screen, the script writes `2, 3, 5, 1, …` of that length into the terminal as fast as the app
reads it (no bracketed paste: the app sees keys), then Ctrl+Q, and reports the seconds from Ctrl+Q until
the app has given the screen back (it leaves the alternate screen) and until its process has ended.
Zero characters is the floor: quitting an idle app. Target (the reliability issue): Ctrl+Q always quits
within a second. Not collected by pytest (no `test_` names).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import time

from _bench_common import machine_header, median, round_parser, rounds, table, verdict
from bench_startup import Terminal

LENGTHS = (0, 6_000, 24_000, 100_000)
LEAVE_SCREEN = b"\x1b[?1049l"
TARGET = 1.0  # seconds


def argv_for(tree: str | None) -> list[str]:
    """This tree's app, or another checkout's (`-P`: its `tui` is imported, not the one in this folder)."""
    app = ["-m", "tui", "--lang", "en"]
    if tree is None:
        return [sys.executable, *app]
    return [shutil.which("env") or "/usr/bin/env", f"PYTHONPATH={tree}", sys.executable, "-P", *app]


def paste(term: Terminal, text: bytes) -> None:
    """Write `text` as fast as the app takes it, draining its output meanwhile (a full pty blocks both)."""
    flags = fcntl.fcntl(term.fd, fcntl.F_GETFL)
    fcntl.fcntl(term.fd, fcntl.F_SETFL, flags | os.O_NONBLOCK)
    try:
        while text:
            try:
                text = text[os.write(term.fd, text[:4096]):]
            except BlockingIOError:
                term.read(0.01)
    finally:
        fcntl.fcntl(term.fd, fcntl.F_SETFL, flags)


def quit_after(tree: str | None, length: int) -> tuple[float, float]:
    """Seconds from Ctrl+Q to the screen given back, and to the process ended, after pasting `length` chars."""
    term = Terminal(argv_for(tree), (80, 24))
    term.wait_for(b"layer.weight")
    term.drain(1.0)
    paste(term, (b"2, 3, 5, 1, " * (length // 12 + 1))[:length])
    os.write(term.fd, b"\x11")
    sent, searched, left_screen = time.perf_counter(), len(term.output), None
    while True:
        if left_screen is None and term.output.find(LEAVE_SCREEN, searched) >= 0:
            left_screen = time.perf_counter() - sent
        pid, status, _ = os.wait4(term.pid, os.WNOHANG)
        if pid:
            os.close(term.fd)
            ended = time.perf_counter() - sent
            return (left_screen if left_screen is not None else ended), ended
        if time.perf_counter() - sent > 120:
            term.close()
            raise TimeoutError(f"no exit 120 s after Ctrl+Q ({length} characters)")
        term.read(0.01)


def main() -> None:
    parser = round_parser(__doc__, "rounds per length", sizes=False)
    parser.add_argument("--also", nargs="*", default=[], help="checkouts whose app is measured in the same rounds")
    args = parser.parse_args()
    trees: list[str | None] = [None, *args.also]
    figures: dict[tuple[str | None, int], list[tuple[float, float]]] = {}
    for _ in range(rounds(args)):
        for length in LENGTHS:
            for tree in trees:
                figures.setdefault((tree, length), []).append(quit_after(tree, length))
    print(machine_header("Ctrl+Q after a paste without bracketed paste (80×24, 6 × 3)"))
    rows = []
    for (tree, length), values in figures.items():
        screen, ended = median([v[0] for v in values]), median([v[1] for v in values])
        rows.append((tree or "this tree", f"{length:,}", f"{screen:.2f}", f"{ended:.2f}", verdict(ended <= TARGET)))
    print(table(("app", "characters", "Ctrl+Q → screen back (s)", "Ctrl+Q → exited (s)", f"≤ {TARGET:g} s"), rows))


if __name__ == "__main__":
    main()
