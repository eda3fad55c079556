"""Memory of a served class: N sessions of `embedding-explorer serve`, each process against a bare `import torch`.

Run from the repository root, in the venv (needs tmux):

    python tests/benchmarks/bench_serve_memory.py                 # 30 sessions
    python tests/benchmarks/bench_serve_memory.py --quick         # 3 sessions
    python tests/benchmarks/bench_serve_memory.py --sessions 10

In one run, one after the other:

* bare: `python -c "import torch"` held alive (it waits on its stdin): its RSS, RssAnon and PSS.
* terminal: the app in tmux (80×24) at the book's layer, `2, 3, 5, 1` looked up: the same three figures.
* served: `embedding-explorer serve --max-sessions N` on 127.0.0.1 (started as tests/browser.py starts it),
  then N sessions opened at once, as a class arrives (the server starts a session per core at a time); when
  each showed its first screen and its lookup is timed. Each session is a websocket client (aiohttp) speaking
  textual-serve's protocol as the page does (`["resize", {...}]`, `["stdin", "2, 3, 5, 1"]`), its frames fed
  to a terminal emulator (pyte), which must show the book's row -0.4015. Websocket clients, not Chromium
  tabs: what is measured is the server's session processes, which are the same whoever holds the socket,
  and 30 Chromium renderers (~100 MB each) would eat the very memory being measured. Once all N show their
  lookup, every session process (a child of the server) is read: VmRSS and RssAnon from /proc/PID/status,
  Pss from /proc/PID/smaps_rollup; and the machine's MemAvailable drop from before the first session.

PSS splits each shared page among the processes that map it (torch's libraries among all N sessions, and
any other Python with torch on the machine), so a session's PSS is its true share of the machine's memory;
a lone process's PSS is close to its RSS. MemAvailable moves with everything else on the machine too (other
sessions' test suites), so it is read just before the first session and just after the last lookup.

Target (issue 26): a served session's process ≤ bare `import torch` + 60 MB at the book's layer, and 30
sessions on this machine's memory. At the end every process started here is ended, and checked gone.
Not collected by pytest.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pyte
from _bench_common import Tmux, load_average, machine_header, median, round_parser, table, verdict

from tests.browser import served

TARGET_EXTRA_MB = 60.0
BOOK_ROW = "-0.4015"  # row 3 of the book's layer, in the result of `2, 3, 5, 1`
TYPED = "2, 3, 5, 1"
QUICK_SESSIONS = 3
TIMEOUT = 300.0  # seconds for one session to show its lookup


@dataclass(frozen=True)
class Memory:
    """One process's memory, in MB."""

    rss: float
    anon: float
    pss: float

    def __str__(self) -> str:
        return f"RSS {self.rss:.0f} MB, RssAnon {self.anon:.0f} MB, PSS {self.pss:.0f} MB"


def memory(pid: int) -> Memory:
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    rollup = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:] if ":" in line)

    def mb(value: str) -> float:
        return int(value.split()[0]) / 1024

    return Memory(mb(status["VmRSS"]), mb(status["RssAnon"]), mb(rollup["Pss"]))


def meminfo(name: str) -> float:
    """A /proc/meminfo figure, in MB."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(name)


def alive(pid: int) -> bool:
    """Whether `pid` is a running process (a zombie, already ended, is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def bare_torch() -> tuple[Memory, int]:
    """A bare `import torch` held alive: its memory once imported, and its pid (ended on return)."""
    process = subprocess.Popen([sys.executable, "-c", "import sys, torch; print('ready', flush=True); sys.stdin.read()"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdin is not None
    process.stdout.readline()
    measured = memory(process.pid)
    process.stdin.close()
    process.wait(30)
    return measured, process.pid


def in_tmux() -> tuple[Memory, int]:
    """The app in tmux at the book's layer, `2, 3, 5, 1` looked up: its memory, and its pid (ended on return)."""
    term = Tmux([sys.executable, "-m", "tui", "--lang", "en"], name="bench-serve-memory")
    try:
        term.wait_for(lambda screen: "layer.weight" in screen)
        term.send("-l", TYPED)
        term.wait_for(lambda screen: BOOK_ROW in screen and "shape=(4, 3)" in screen)
        pid = term.pid
        assert "tui" in Path(f"/proc/{pid}/cmdline").read_text(), "the pane's process is not the app"
        time.sleep(1)  # the frame painted and the app idle: what a learner's terminal holds
        return memory(pid), pid
    finally:
        term.close()


class Client:
    """One session's websocket, as the page holds it: its frames kept on an emulated screen."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        self.websocket = websocket
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.changed = asyncio.Event()
        self.reading = asyncio.create_task(self.read())

    async def read(self) -> None:
        async for message in self.websocket:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.stream.feed(message.data)
                self.changed.set()

    async def wait_text(self, wanted: str) -> None:
        async def seen() -> None:
            while wanted not in "\n".join(self.screen.display):
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(seen(), TIMEOUT)

    async def close(self) -> None:
        await self.websocket.close()
        await self.reading


async def open_session(http: aiohttp.ClientSession, url: str, started: float) -> tuple[Client, float, float]:
    """A session opened as the page opens it, `2, 3, 5, 1` typed, and its lookup on screen; the seconds from
    `started` to its first screen and to its lookup."""
    client = Client(await http.ws_connect(url))
    await client.websocket.send_str(json.dumps(["resize", {"width": 80, "height": 24}]))
    await client.wait_text("Type token IDs")
    shown = time.perf_counter() - started
    await client.websocket.send_str(json.dumps(["stdin", TYPED]))
    await client.wait_text(BOOK_ROW)
    return client, shown, time.perf_counter() - started


async def class_of(port: int, count: int, children: Callable[[], set[int]]) -> tuple[dict[int, Memory], float, float, list[tuple[float, float]]]:
    """`count` sessions opened at once and looked up: each session process's memory, MemAvailable before and
    with them all, and each session's seconds to its first screen and to its lookup."""
    available_before = meminfo("MemAvailable")
    started = time.perf_counter()
    async with aiohttp.ClientSession() as http:
        url = f"ws://127.0.0.1:{port}/ws?width=80&height=24"
        opened = await asyncio.gather(*(open_session(http, url, started) for _ in range(count)))
        clients = [client for client, *_ in opened]
        await asyncio.sleep(1)  # every frame painted, every app idle
        pids = children()
        assert len(pids) == count, f"{len(pids)} session processes for {count} sessions"
        measured = {pid: memory(pid) for pid in pids}
        available_with = meminfo("MemAvailable")
        await asyncio.gather(*(client.close() for client in clients))
    return measured, available_before, available_with, [(shown, looked) for _, shown, looked in opened]


def main(argv: Sequence[str] | None = None) -> int:
    parser = round_parser(__doc__, "unused", sizes=False)
    parser.add_argument("--sessions", type=int, default=30, help="sessions opened at once")
    args = parser.parse_args(argv)
    count = QUICK_SESSIONS if args.quick else args.sessions
    print(machine_header("bench_serve_memory: a served class's session processes against a bare import torch"))
    total = meminfo("MemTotal")
    print(f"sessions: {count} · opened at once · MemTotal {total / 1024:.1f} GB · MemAvailable {meminfo('MemAvailable') / 1024:.1f} GB\n", flush=True)
    bare, bare_pid = bare_torch()
    print(f"  bare import torch: {bare}", flush=True)
    terminal, terminal_pid = in_tmux()
    print(f"  the app in tmux: {terminal}", flush=True)
    with served("--max-sessions", str(count)) as server:
        sessions, available_before, available_with, opened = asyncio.run(class_of(server.port, count, server.children))
        session_pids = set(sessions)
        shown, looked = ([times[index] for times in opened] for index in (0, 1))
        print(f"  {count} sessions opened at once: first screens median {median(shown):.1f} s, last {max(shown):.1f} s; all looked up in {max(looked):.1f} s · load {load_average()}", flush=True)
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in session_pids) and time.monotonic() < deadline:
            time.sleep(0.1)  # the closed sockets' processes ending (within seconds)
        server_pid = server.process.pid
    figures = list(sessions.values())
    rss, anon, pss = ([getattr(each, name) for each in figures] for name in ("rss", "anon", "pss"))
    rows = [
        ["bare import torch", f"{bare.rss:.0f}", f"{bare.anon:.0f}", f"{bare.pss:.0f}", ""],
        ["app in tmux (6 × 3)", f"{terminal.rss:.0f}", f"{terminal.anon:.0f}", f"{terminal.pss:.0f}", f"+{terminal.rss - bare.rss:.0f} / +{terminal.anon - bare.anon:.0f}"],
        [f"served session, median of {count}", f"{median(rss):.0f}", f"{median(anon):.0f}", f"{median(pss):.0f}", f"+{median(rss) - bare.rss:.0f} / +{median(anon) - bare.anon:.0f}"],
        [f"served session, max of {count}", f"{max(rss):.0f}", f"{max(anon):.0f}", f"{max(pss):.0f}", f"+{max(rss) - bare.rss:.0f} / +{max(anon) - bare.anon:.0f}"],
    ]
    print()
    print(table(("process", "RSS MB", "RssAnon MB", "PSS MB", "over bare (RSS / RssAnon)"), rows))
    drop = available_before - available_with
    per_session = max(drop / count, median(pss))
    fit = available_before / per_session
    print(
        f"\ntarget, a session ≤ bare + {TARGET_EXTRA_MB:.0f} MB: RSS max +{max(rss) - bare.rss:.0f} MB ({verdict(max(rss) - bare.rss <= TARGET_EXTRA_MB)}),"
        f" RssAnon max +{max(anon) - bare.anon:.0f} MB ({verdict(max(anon) - bare.anon <= TARGET_EXTRA_MB)})"
        f"\n{count} sessions: total PSS {sum(pss) / 1024:.2f} GB, MemAvailable {available_before / 1024:.2f} → {available_with / 1024:.2f} GB"
        f" (drop {drop / 1024:.2f} GB, {drop / count:.0f} MB a session) of MemTotal {total / 1024:.1f} GB"
        f"\nfit: at max(drop per session, median PSS) = {per_session:.0f} MB, {fit:.0f} sessions fit in the {available_before / 1024:.1f} GB available"
        f" (30 sessions: {verdict(fit >= 30)})"
    )
    left = [pid for pid in (bare_pid, terminal_pid, server_pid, *session_pids) if alive(pid)]
    print(f"processes left behind: {left or 'none'} · load at the end {load_average()}")
    return 1 if left else 0


if __name__ == "__main__":
    raise SystemExit(main())
