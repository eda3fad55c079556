"""Launch time and peak memory of `python -m tui` in a real pseudo-terminal, against bare torch.

Run from the repository root, in the venv:

    python tests/benchmarks/bench_startup.py               # every size, both terminals, 3 rounds (~3 min)
    python tests/benchmarks/bench_startup.py --quick       # 1 round
    python tests/benchmarks/bench_startup.py --sizes 6x3 --runs 5
    # another checkout's app in the same rounds (a `git worktree` of an older commit):
    python tests/benchmarks/bench_startup.py --sizes 6x3 --runs 5 --also /tmp/before

Each round, for each layer size, runs one after the other:

* bare: `python -c "import torch; torch.manual_seed(123); torch.nn.Embedding(V, D)"` (plus a final
  `print`, so the instant the layer exists is known too). Wall time from spawn to exit, and to the
  layer; peak RSS from `os.wait4` (ru_maxrss).
* bare Textual, at each terminal size: an App with one Input titled "Token IDs" and nothing else, the floor
  of any Textual app's first frame (the marker below).
* app, at 80×24 and at 160×50: `python -m tui --vocab-size V --dim D --lang en` under `pty.fork()`,
  the pty's window set to that size. The parent reads the pty (where Textual writes its frames):
  first frame  = first time the output holds "Token IDs" (the ID input's border title);
  interactive  = first time it holds "layer.weight" (the matrix title, shown once the layer exists).
  Then it types `17, 4` (a key every 50 ms), waits 1 s, reads VmHWM from /proc/PID/status, quits
  with Ctrl+Q and also takes ru_maxrss from `os.wait4`; peak RSS = the larger of the two.

Times run from just before the fork/spawn. Before measuring, one unmeasured bare run and one app run
warm the page cache and write the app's bytecode (the apps run without PYTHONDONTWRITEBYTECODE, as an
installed app does: with it, every start compiles the app's hundred modules again). Medians over rounds are reported. Targets: first frame ≤ 1.5 × bare Textual's (and
≤ 0.5 s); interactive ≤ 1.2 × bare (its whole run, as `time python -c ...` would report it); peak RSS ≤
bare + 50 MB.
This file is not collected by pytest (no `test_` names).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass

from _bench_common import REPO, SIZES, TERMINALS, machine_header, median, round_parser, rounds, table, verdict

FIRST_FRAME = b"Token IDs"
INTERACTIVE = b"layer.weight"
TYPED = b"17, 4"
TIMEOUT = 120.0  # seconds, for any one wait
TARGET_FIRST_FRAME = 0.5
TARGET_FRAME_RATIO = 1.5  # × a bare Textual app's first frame
BARE_TEXTUAL = (
    "from textual.app import App\n"
    "from textual.widgets import Input\n"
    "class Bare(App):\n"
    "    def compose(self):\n"
    "        line = Input()\n"
    "        line.border_title = 'Token IDs'\n"
    "        yield line\n"
    "Bare().run()\n"
)
TARGET_INTERACTIVE_RATIO = 1.2
TARGET_EXTRA_MB = 50.0


@dataclass(frozen=True)
class Bare:
    to_layer: float  # seconds from spawn to the layer existing
    to_exit: float  # seconds from spawn to exit
    peak_mb: float


@dataclass(frozen=True)
class Launch:
    first_frame: float
    interactive: float
    peak_mb: float  # max(VmHWM while running, ru_maxrss at exit)


def bare_code(vocab_size: int, dim: int) -> str:
    return f"import torch; torch.manual_seed(123); torch.nn.Embedding({vocab_size}, {dim}); print('layer', flush=True)"


def run_bare(code: str) -> Bare:
    """The reference: a process that runs `code` (import torch, create the same layer), nothing else."""
    read_end, write_end = os.pipe()
    actions = [(os.POSIX_SPAWN_DUP2, write_end, 1), (os.POSIX_SPAWN_CLOSE, read_end)]
    started = time.perf_counter()
    pid = os.posix_spawn(sys.executable, [sys.executable, "-c", code], os.environ,
                         file_actions=actions)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as out:
        out.readline()
        to_layer = time.perf_counter() - started
        out.read()
    _, status, usage = os.wait4(pid, 0)
    to_exit = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"bare torch process failed with status {status}")
    return Bare(to_layer, to_exit, usage.ru_maxrss / 1024)


class Terminal:
    """The parent side of a pseudo-terminal running one command; output is drained as it comes."""

    def __init__(self, argv: Sequence[str], size: tuple[int, int], folder: str = str(REPO)) -> None:
        """`folder`: where the command runs, and where Python finds the app (another checkout's)."""
        env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor", PYTHONPATH=folder)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # modules compiled once (the warm-up run), as an installed app's are
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # child: size the terminal, then become the app
            try:
                fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
                os.chdir(folder)
                os.execve(argv[0], list(argv), env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.output = bytearray()
        self.status: int | None = None
        self.usage = None

    def read(self, timeout: float) -> bool:
        """Read what is there within `timeout`; False once the child has closed the terminal."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child has exited
            return False
        self.output += chunk
        return bool(chunk)

    def wait_for(self, marker: bytes) -> float:
        """Seconds from the start until `marker` first appears in the output."""
        searched = 0
        deadline = time.perf_counter() + TIMEOUT
        while time.perf_counter() < deadline:
            if self.output.find(marker, max(0, searched - len(marker))) >= 0:
                return time.perf_counter() - self.started
            searched = len(self.output)
            if not self.read(0.5):
                break
        raise TimeoutError(f"{marker!r} never appeared; last output: {bytes(self.output[-300:])!r}")

    def drain(self, seconds: float) -> None:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline and self.read(max(0.0, min(0.05, deadline - time.perf_counter()))):
            pass

    def type(self, text: bytes, gap: float = 0.05) -> None:
        for byte in text:
            os.write(self.fd, bytes([byte]))
            self.drain(gap)

    def high_water_mb(self) -> float:
        """VmHWM: the peak resident set size so far, from /proc."""
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc status")

    def close(self, quit_keys: bytes = b"\x11") -> None:
        """Quit with Ctrl+Q; signals only if the app does not exit."""
        os.write(self.fd, quit_keys)
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None:
                os.kill(self.pid, sig)
            deadline = time.perf_counter() + 10
            while time.perf_counter() < deadline:
                self.read(0.05)
                pid, status, usage = os.wait4(self.pid, os.WNOHANG)
                if pid:
                    self.status, self.usage = status, usage
                    os.close(self.fd)
                    return
        raise RuntimeError("the app did not exit")


def run_bare_textual(size: tuple[int, int]) -> float:
    """A bare Textual app in a pty of `size`: seconds to its first frame."""
    term = Terminal([sys.executable, "-c", BARE_TEXTUAL], size)
    try:
        return term.wait_for(FIRST_FRAME)
    finally:
        term.close()


def run_app(vocab_size: int, dim: int, size: tuple[int, int], folder: str = str(REPO)) -> Launch:
    """`python -m tui` (of the checkout in `folder`) in a pty of `size`: first frame, interactive, then peak
    RSS after typing."""
    argv = [sys.executable, "-m", "tui", "--vocab-size", str(vocab_size), "--dim", str(dim), "--lang", "en"]
    term = Terminal(argv, size, folder)
    try:
        first_frame = term.wait_for(FIRST_FRAME)
        interactive = term.wait_for(INTERACTIVE)
        term.type(TYPED)
        term.drain(1.0)
        high_water = term.high_water_mb()
    finally:
        term.close()
    if term.status is not None and os.waitstatus_to_exitcode(term.status) != 0:
        print(f"  note: the app exited with status {term.status}", file=sys.stderr)
    return Launch(first_frame, interactive, max(high_water, term.usage.ru_maxrss / 1024))


def bench(sizes: Sequence[str], runs: int, also: Sequence[str] = ()) -> tuple[list[list[object]], list[list[object]], list[list[object]]]:
    """Rounds of bare + bare Textual + app (+ the apps of `also`) at each terminal size, per layer size;
    medians, ratios and verdicts."""
    time_rows: list[list[object]] = []
    memory_rows: list[list[object]] = []
    frame_rows: list[list[object]] = []
    for size in sizes:
        vocab_size, dim = SIZES[size]
        bares: list[Bare] = []
        launches: dict[tuple[int, int], list[Launch]] = {terminal: [] for terminal in TERMINALS}
        textual: dict[tuple[int, int], list[float]] = {terminal: [] for terminal in TERMINALS}
        others: dict[tuple[str, tuple[int, int]], list[float]] = {(folder, terminal): [] for folder in also for terminal in TERMINALS}
        for round_ in range(runs):
            bares.append(run_bare(bare_code(vocab_size, dim)))
            for terminal in TERMINALS:
                textual[terminal].append(run_bare_textual(terminal))
                launches[terminal].append(run_app(vocab_size, dim, terminal))
                for folder in also:
                    others[(folder, terminal)].append(run_app(vocab_size, dim, terminal, folder).first_frame)
            print(
                f"  {size} round {round_ + 1}/{runs}: bare {bares[-1].to_exit:.2f} s / {bares[-1].peak_mb:.0f} MB; "
                + "; ".join(
                    f"app {w}×{h} frame {launches[(w, h)][-1].first_frame:.2f} s, "
                    f"interactive {launches[(w, h)][-1].interactive:.2f} s, {launches[(w, h)][-1].peak_mb:.0f} MB"
                    for w, h in TERMINALS
                ),
                flush=True,
            )
        bare_exit = median([b.to_exit for b in bares])
        bare_layer = median([b.to_layer for b in bares])
        bare_mb = median([b.peak_mb for b in bares])
        for terminal in TERMINALS:
            runs_ = launches[terminal]
            frame = median([r.first_frame for r in runs_])
            interactive = median([r.interactive for r in runs_])
            peak = median([r.peak_mb for r in runs_])
            label = f"{terminal[0]}×{terminal[1]}"
            bare_frame = median(textual[terminal])
            frame_rows.append([size, label, "this tree", f"{frame:.2f}", f"{bare_frame:.2f}", f"{frame / bare_frame:.2f}", verdict(frame <= TARGET_FRAME_RATIO * bare_frame)])
            for folder in also:
                other = median(others[(folder, terminal)])
                frame_rows.append([size, label, folder, f"{other:.2f}", f"{bare_frame:.2f}", f"{other / bare_frame:.2f}", verdict(other <= TARGET_FRAME_RATIO * bare_frame)])
            time_rows.append([
                size, label, f"{frame:.2f}", verdict(frame <= TARGET_FIRST_FRAME), f"{interactive:.2f}",
                f"{bare_exit:.2f}", f"{bare_layer:.2f}", f"{interactive / bare_exit:.2f}",
                f"{interactive / bare_layer:.2f}", verdict(interactive <= TARGET_INTERACTIVE_RATIO * bare_exit),
            ])
            memory_rows.append([
                size, label, f"{peak:.0f}", f"{bare_mb:.0f}", f"{peak - bare_mb:+.0f}",
                verdict(peak <= bare_mb + TARGET_EXTRA_MB),
            ])
    return time_rows, memory_rows, frame_rows


FRAME_HEADERS = ("layer", "terminal", "app", "first frame s", "bare Textual s", "app / bare Textual", "≤ 1.5×")
TIME_HEADERS = (
    "layer", "terminal", "first frame s", "≤ 0.5 s", "interactive s", "bare s (exit)", "bare s (layer)",
    "interactive / bare", "interactive / bare-to-layer", "≤ 1.2×bare",
)
MEMORY_HEADERS = ("layer", "terminal", "app peak RSS MB", "bare peak RSS MB", "app − bare MB", "≤ bare + 50 MB")


def main(argv: Sequence[str] | None = None) -> int:
    parser = round_parser(__doc__, "rounds per size (median)")
    parser.add_argument("--also", nargs="+", default=[], metavar="DIR", help="also the app of these checkouts (first frame)")
    args = parser.parse_args(argv)
    runs = rounds(args)
    print(machine_header("bench_startup: launch time and peak RSS in a pseudo-terminal (median of rounds)"))
    print(f"rounds: {runs} · bare: python -c \"{bare_code(6, 3)}\" (sizes vary)\n", flush=True)
    started = time.perf_counter()
    run_bare(bare_code(*SIZES["6x3"]))  # warm the page cache: torch, textual, the apps (and their bytecode)
    for folder in (str(REPO), *args.also):
        run_app(*SIZES["6x3"], TERMINALS[0], folder)
    time_rows, memory_rows, frame_rows = bench(args.sizes, runs, args.also)
    print()
    print(table(FRAME_HEADERS, frame_rows))
    print()
    print(table(TIME_HEADERS, time_rows))
    print()
    print(table(MEMORY_HEADERS, memory_rows))
    print(f"\ntargets: first frame ≤ {TARGET_FRAME_RATIO} × bare Textual and ≤ {TARGET_FIRST_FRAME} s · interactive ≤ {TARGET_INTERACTIVE_RATIO} × bare (exit)"
          f" · peak RSS ≤ bare + {TARGET_EXTRA_MB:.0f} MB · total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
