"""CPU time per typed key in a real terminal: the app and the two baselines as processes in a pty.

Run from the repository root, in the venv:

    python tests/benchmarks/bench_keys_terminal.py            # every size, both terminals, 3 rounds
    python tests/benchmarks/bench_keys_terminal.py --quick    # 1 round
    # two versions in the same run, the apps on one core and this script on the other:
    git worktree add /tmp/before COMMIT
    python tests/benchmarks/bench_keys_terminal.py --sizes 6x3 --runs 5 --pin --also /tmp/before
    # also the app with section 2.8's positional layer (GPT-2's 1024 positions) in the same rounds:
    python tests/benchmarks/bench_keys_terminal.py --sizes 50257x768 --pin --context-length 1024

Why a second key benchmark: bench_keys.py drives the apps with Pilot, whose press() and pause() post a
callback to every widget of the screen and wait for each, so its CPU figure grows with the number of
widgets (≈0.24 ms per widget per key here) whatever the app does. Here nothing sits between the
keyboard and the app: each variant runs as its own process under `pty.fork()`, exactly as in a
person's terminal, and its CPU time is read from /proc/PID/task/*/schedstat (nanoseconds, all threads).

For each variant — `python -m tui`, the Input-only app and the floor (Input + constant ScrollView of
the app matrix's size and height, scrolled to the typed row), both from bench_keys.py — the script
waits until it is ready, measures its idle CPU for one second, types the same key script as
bench_keys.py (a key every 60 ms, so each key is handled and painted on its own), waits 0.5 s, and
reports (CPU during typing − idle CPU over the same time) / keys. Medians over rounds.
Target: app ≤ 1.25 × floor. Not collected by pytest (no `test_` names).

On this 2-core machine single figures at 6 × 3 move by ±0.2 × floor between runs. `--also DIR` measures the
app of another checkout (a `git worktree` of an older commit) in the same rounds, and `--pin` puts every
variant on CPU 1 and this script on CPU 0: the way to tell whether a change moved the figure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from _bench_common import SIZES, TERMINALS, machine_header, median, round_parser, rounds, table, verdict
from bench_keys import TARGET_FLOOR_RATIO, FloorApp, InputOnlyApp, key_script, matrix_width
from bench_startup import Terminal

from tui.screens.main import BELOW_MATRIX, TITLE

KEY_GAP = 0.06  # seconds between keys
SETTLE = 1.5  # seconds after the ready marker, before measuring
IDLE = 1.0  # seconds of idle CPU measured before typing
KEY_BYTES = {"backspace": b"\x7f"}


def cpu_seconds(pid: int) -> float:
    """CPU time of every thread of `pid` so far, from the scheduler's own accounting."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/schedstat") as schedstat:
            total += int(schedstat.read().split()[0])
    return total / 1e9


def floor_height(vocab_size: int, dim: int, terminal: tuple[int, int]) -> int:
    """The app matrix's outer height at this terminal size (MainScreen.on_resize: its title bar, then the
    header and rows, + a horizontal scrollbar)."""
    width, height = terminal
    scrollbar = 1 if matrix_width(vocab_size, dim) > width else 0
    return TITLE + min(vocab_size + 1 + scrollbar, max(height // 3, height - BELOW_MATRIX))


def argv_for(variant: str, vocab_size: int, dim: int, terminal: tuple[int, int]) -> list[str]:
    """`app`, `positions=N` (the app with a positional layer of N rows), a baseline, or the app of another
    checkout (a directory: its `tui` is imported, not this one)."""
    app = ["-m", "tui", "--vocab-size", str(vocab_size), "--dim", str(dim), "--lang", "en"]
    if variant == "app":
        return [sys.executable, *app]
    if variant.startswith(POSITIONS):
        return [sys.executable, *app, "--context-length", variant.removeprefix(POSITIONS)]
    if variant not in VARIANTS:
        return [shutil.which("env") or "/usr/bin/env", f"PYTHONPATH={variant}", sys.executable, "-P", *app]
    height = floor_height(vocab_size, dim, terminal)
    return [sys.executable, str(Path(__file__)), "--serve", variant, str(vocab_size), str(dim), str(height)]


def pinned(argv: list[str]) -> list[str]:
    """`argv` on CPU 1 only (this script is on CPU 0): two processes that no longer trade cores."""
    return [shutil.which("taskset") or "/usr/bin/taskset", "-c", "1", *argv]


def measure(variant: str, vocab_size: int, dim: int, terminal: tuple[int, int], pin: bool = False) -> float:
    """CPU ms per key of one fresh process of `variant`, idle CPU subtracted."""
    ready = b"\x1b[" if variant in ("input-only", "floor") else b"layer.weight"  # any first frame; the matrix title
    argv = argv_for(variant, vocab_size, dim, terminal)
    return measure_argv(pinned(argv) if pin else argv, ready, vocab_size, terminal)


def measure_argv(argv: list[str], ready: bytes, vocab_size: int, terminal: tuple[int, int]) -> float:
    """CPU ms per key of one fresh process of `argv` once `ready` is on screen, idle CPU subtracted."""
    keys, _ = key_script(vocab_size)
    term = Terminal(argv, terminal)
    try:
        term.wait_for(ready)
        return cpu_per_key(term, [KEY_BYTES.get(key, key.encode()) for key in keys])
    finally:
        term.close()


def cpu_per_key(term: Terminal, keys: Sequence[bytes]) -> float:
    """Once the screen has settled: the idle CPU rate, then `keys` typed KEY_GAP apart; CPU ms per key, the
    idle rate over the same time subtracted."""
    term.drain(SETTLE)
    start = cpu_seconds(term.pid)
    term.drain(IDLE)
    idle_rate = (cpu_seconds(term.pid) - start) / IDLE
    start, wall = cpu_seconds(term.pid), time.perf_counter()
    for key in keys:
        os.write(term.fd, key)
        term.drain(KEY_GAP)
    term.drain(0.5)
    cpu, wall = cpu_seconds(term.pid) - start, time.perf_counter() - wall
    return 1000 * (cpu - idle_rate * wall) / len(keys)


def app_against_floor(measure: Callable[[str, tuple[int, int]], float], runs: int, keys: int) -> str:
    """The app and its floor at each terminal size, `measure(variant, terminal)` ms per key, `runs` rounds each
    (printed as they go): the table of medians against the target."""
    rows = []
    for terminal in TERMINALS:
        results: dict[str, list[float]] = {"app": [], "floor": []}
        for round_ in range(runs):
            for variant in results:
                results[variant].append(measure(variant, terminal))
            print(f"  {terminal[0]}×{terminal[1]} round {round_ + 1}: " + ", ".join(f"{name} {values[-1]:.2f} ms/key" for name, values in results.items()), flush=True)
        app, floor = median(results["app"]), median(results["floor"])
        rows.append([f"{terminal[0]}×{terminal[1]}", keys, f"{app:.2f}", f"{floor:.2f}", f"{app / floor:.2f}", verdict(app / floor <= TARGET_FLOOR_RATIO)])
    return table(("terminal", "keys", "app ms/key", "floor ms/key", "app/floor", f"≤ {TARGET_FLOOR_RATIO}×floor"), rows)


VARIANTS = ("app", "input-only", "floor")
POSITIONS = "positions="


def bench(sizes: Sequence[str], runs: int, also: Sequence[str] = (), pin: bool = False) -> list[list[object]]:
    """`also`: other variants measured in the same rounds (checkouts, `positions=N`), each against the floor."""
    rows: list[list[object]] = []
    variants = (*VARIANTS, *also)
    for size in sizes:
        vocab_size, dim = SIZES[size]
        for terminal in TERMINALS:
            results: dict[str, list[float]] = {name: [] for name in variants}
            for round_ in range(runs):
                for name in variants:
                    results[name].append(measure(name, vocab_size, dim, terminal, pin))
                print(
                    f"  {size} {terminal[0]}×{terminal[1]} round {round_ + 1}/{runs}: "
                    + ", ".join(f"{name} {results[name][-1]:.2f} ms/key" for name in variants),
                    flush=True,
                )
            cpu = {name: median(results[name]) for name in variants}
            for name in also:
                print(f"  {size} {terminal[0]}×{terminal[1]}: {name} {cpu[name]:.2f} ms/key, {cpu[name] / cpu['floor']:.2f} × floor")
            ratio = cpu["app"] / cpu["floor"]
            rows.append([
                size,
                f"{terminal[0]}×{terminal[1]}",
                len(key_script(vocab_size)[0]),
                f"{cpu['app']:.2f}",
                f"{cpu['input-only']:.2f}",
                f"{cpu['floor']:.2f}",
                f"{cpu['app'] / cpu['input-only']:.2f}",
                f"{cpu['floor'] / cpu['input-only']:.2f}",
                f"{ratio:.2f}",
                verdict(ratio <= TARGET_FLOOR_RATIO),
            ])
    return rows


HEADERS = (
    "layer", "terminal", "keys", "app ms/key", "input-only ms/key", "floor ms/key",
    "app/input-only", "floor/input-only", "app/floor", "≤ 1.25×floor",
)


def serve(variant: str, vocab_size: int, dim: int, height: int) -> None:
    """Run a baseline for real (the child side of `measure`)."""
    app = InputOnlyApp() if variant == "input-only" else FloorApp(vocab_size, dim, height)
    app.run()


def main(argv: Sequence[str] | None = None) -> int:
    parser = round_parser(__doc__, "rounds per size and terminal (median)")
    parser.add_argument("--serve", nargs=4, metavar=("VARIANT", "V", "D", "HEIGHT"), help=argparse.SUPPRESS)
    parser.add_argument("--also", nargs="+", default=[], metavar="DIR", help="also the app of these checkouts")
    parser.add_argument("--pin", action="store_true", help="the apps on CPU 1, this script on CPU 0")
    parser.add_argument("--context-length", type=int, help="also the app with a positional layer of N rows")
    args = parser.parse_args(argv)
    if args.serve:
        variant, vocab_size, dim, height = args.serve
        serve(variant, int(vocab_size), int(dim), int(height))
        return 0
    runs = rounds(args)
    also = [str(Path(path).resolve()) for path in args.also]
    if args.context_length:
        also.append(f"{POSITIONS}{args.context_length}")
    if args.pin:
        os.sched_setaffinity(0, {0})
    print(machine_header("bench_keys_terminal: CPU time per typed key in a real pty (schedstat, median of rounds)"))
    print(f"rounds: {runs} · a key every {KEY_GAP * 1000:.0f} ms · idle CPU subtracted" + (" · pinned" if args.pin else "") + "\n", flush=True)
    started = time.perf_counter()
    rows = bench(args.sizes, runs, also, args.pin)
    print()
    print(table(HEADERS, rows))
    print(f"\ntarget: app ≤ {TARGET_FLOOR_RATIO} × floor · total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
