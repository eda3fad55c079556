"""A key typed in the browser to its result on screen, against the same keys in a terminal (tmux), same run.

Run from the repository root, in the venv (needs the system's Chromium, Playwright and tmux):

    python tests/benchmarks/bench_serve_keys.py             # 100 keys each
    python tests/benchmarks/bench_serve_keys.py --quick     # 20 keys each
    python tests/benchmarks/bench_serve_keys.py --keys 200

Both sides run the same app (`python -m tui`, the book's 6 × 3 layer), start from `2, 3, 5, ` in the ID
input, and are typed the same keys, one at a time: a digit (0 to 5 in turn), then Backspace, and so on, so
every key changes the lookup (4 rows, then 3). A key counts as shown when the screen holds both its input
line (`2, 3, 5, 4`, or `2, 3, 5,` after Backspace) and its result's shape (`shape=(4, 3)` or `(3, 3)`).
Both apps run at once and each key is typed into tmux, then into the browser, KEY_GAP after the last
result showed: each is measured from an idle app, and both sides under the same load of the machine.

* browser: `embedding-explorer serve` on 127.0.0.1 (tests/browser.py), one tab in headless Chromium driven
  by Playwright, its window sized so the page's terminal is 80×24 too. From just before `keyboard.press` to the screen emulated (pyte) from the websocket frames
  Playwright reports holding the result; the script polls with `wait_for_timeout(1)` (each poll is a round
  trip to Playwright's driver, which delivers the frames received meanwhile). Bias: the frames reach this
  script through Chromium's DevTools protocol and Playwright's driver, so the figure includes those relays
  (an `evaluate` round trip is printed beside it) and does not include xterm.js drawing the frame, which
  the relay roughly stands in for. The press itself also crosses the same relays, as an input event.
* terminal: the app in tmux (80×24, a tmux server of its own). From just before `tmux send-keys` (a process
  started: its ~ms are part of the figure) to `capture-pane` showing the result, polled back to back; the
  polling resolution is one capture-pane (a process started each time; its median is printed).

Printed: median and 95th percentile of each, and browser / terminal. Not collected by pytest.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence

from _bench_common import Tmux, load_average, machine_header, median, round_parser, table

from tests.browser import TerminalPage, browser, open_tab, served

START = "2, 3, 5, "
KEY_GAP = 0.1  # seconds after a key's result showed, before the next key
QUICK_KEYS = 20
VIEWPORT = (725, 512)  # pixels: the page's terminal at 80×24 (textual.js fits the font to the window), as tmux's


def keys(count: int) -> list[tuple[str, str]]:
    """(the key, the input line it leads to): a digit, then Backspace, in turn."""
    script = []
    for index in range(count):
        digit = str(index // 2 % 6)
        script.append((digit, START + digit) if index % 2 == 0 else ("Backspace", START.rstrip()))
    return script


def input_line(screen: str) -> str | None:
    """What the ID input holds, read from the screen's box around it."""
    for line in screen.splitlines():
        if "┃" in line and START.rstrip() in line:
            return line.strip().strip("┃").strip()
    return None


def shows(line: str) -> Callable[[str], bool]:
    """Whether a screen shows the input `line` and its lookup's shape."""
    shape = f"shape=({len(line.split(',')) - (0 if line[-1].isdigit() else 1)}, 3)"
    return lambda screen: input_line(screen) == line and shape in screen


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


class InTmux:
    """The app in tmux, at the start: each key timed from `send-keys` to `capture-pane` showing its result."""

    def __init__(self) -> None:
        self.term = Tmux([sys.executable, "-m", "tui", "--lang", "en"], name="bench-serve-keys")
        self.polls: list[float] = []  # ms, each capture-pane
        self.term.wait_for(lambda screen: "Token IDs" in screen and "layer.weight" in screen)
        self.term.send("-l", START)
        self.term.wait_for(shows(START.rstrip()))

    def press(self, key: str, condition: Callable[[str], bool]) -> float:
        started = time.perf_counter()
        self.term.send("BSpace" if key == "Backspace" else key)
        while True:
            polled = time.perf_counter()
            screen = self.term.screen()
            self.polls.append(1000 * (time.perf_counter() - polled))
            if condition(screen):
                return 1000 * (time.perf_counter() - started)


class InBrowser:
    """The served app's tab, at the start: each key timed from `keyboard.press` to the emulated screen
    showing its result."""

    def __init__(self, tab: TerminalPage) -> None:
        self.tab = tab
        self.page = tab.page
        tab.wait_text("layer.weight")
        tab.type(START)
        deadline = time.monotonic() + 60
        while not shows(START.rstrip())(tab.text()):
            if time.monotonic() > deadline:
                raise SystemExit(f"the start never showed:\n{tab.text()}")
            self.page.wait_for_timeout(10)
        self.round_trips = []  # ms, each an `evaluate("0")`: Playwright's relay
        for _ in range(50):
            started = time.perf_counter()
            self.page.evaluate("0")
            self.round_trips.append(1000 * (time.perf_counter() - started))

    @property
    def size(self) -> str:
        return f"{self.tab.screen.columns}×{self.tab.screen.lines}"

    def press(self, key: str, condition: Callable[[str], bool]) -> float:
        started = time.perf_counter()
        self.page.keyboard.press(key)
        while not condition(self.tab.text()):
            self.page.wait_for_timeout(1)
        return 1000 * (time.perf_counter() - started)


def typed(count: int) -> tuple[list[float], list[float], InTmux, InBrowser]:
    """Each key typed into tmux, then into the browser (both apps running, so both see the same load):
    milliseconds per key on each side, and the sides (their polling figures)."""
    with served("--max-sessions", "1") as server, browser(VIEWPORT) as context:
        served_side = InBrowser(open_tab(context, server.address))
        terminal = InTmux()
        try:
            terminal_times, served_times = [], []
            for key, line in keys(count):
                condition = shows(line)
                served_side.page.wait_for_timeout(1000 * KEY_GAP)
                terminal_times.append(terminal.press(key, condition))
                served_side.page.wait_for_timeout(1000 * KEY_GAP)
                served_times.append(served_side.press(key, condition))
        finally:
            terminal.term.close()
        served_side.page.close()
    return terminal_times, served_times, terminal, served_side


def main(argv: Sequence[str] | None = None) -> int:
    parser = round_parser(__doc__, "unused", sizes=False)
    parser.add_argument("--keys", type=int, default=100, help="keys typed on each side")
    args = parser.parse_args(argv)
    count = QUICK_KEYS if args.quick else args.keys
    print(machine_header("bench_serve_keys: a key to its result on screen, browser (served) against tmux"))
    print(f"keys: {count} each · a digit then Backspace in turn, from {START!r} · {KEY_GAP * 1000:.0f} ms between a result and the next key\n", flush=True)
    terminal, served_times, tmux_side, browser_side = typed(count)
    polls, round_trips, size = tmux_side.polls, browser_side.round_trips, browser_side.size
    rows = [
        ["terminal (tmux 80×24)", count, f"{median(terminal):.1f}", f"{percentile(terminal, 0.95):.1f}", f"{max(terminal):.1f}"],
        [f"browser (Chromium, {size})", count, f"{median(served_times):.1f}", f"{percentile(served_times, 0.95):.1f}", f"{max(served_times):.1f}"],
    ]
    print(table(("where", "keys", "median ms", "p95 ms", "max ms"), rows))
    print(
        f"\nbrowser / terminal: median {median(served_times) / median(terminal):.2f} ×, p95 {percentile(served_times, 0.95) / percentile(terminal, 0.95):.2f} ×"
        f"\npolling: one capture-pane {median(polls):.1f} ms (median), one Playwright evaluate round trip {median(round_trips):.1f} ms (median)"
        f"\nload at the end: {load_average()}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
