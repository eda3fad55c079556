"""Helpers shared by the benchmark scripts: the layer sizes, the machine header, plain-text tables.

Not a test module (pytest only collects `test_*.py`); imported by `bench_*.py` when they run as scripts.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# The first lines of a measuring child's code: its imports, and its anonymous resident memory in MB (the file
# pages a pass touches are not counted: they are the page cache's).
CHILD_PRELUDE = """
import json, resource, sys, time
def rss_anon():
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
"""
if str(REPO) not in sys.path:  # `python tests/benchmarks/bench_x.py` puts only this folder on sys.path
    sys.path.insert(0, str(REPO))

# The layer sizes the issue asks about: the book's example, GPT-2, Llama 3.
SIZES: dict[str, tuple[int, int]] = {
    "6x3": (6, 3),
    "50257x768": (50257, 768),
    "128256x4096": (128256, 4096),
}
TERMINALS: tuple[tuple[int, int], ...] = ((80, 24), (160, 50))


def cpu_model() -> str:
    """The first `model name` of /proc/cpuinfo (or the platform's processor string)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def git_state() -> str:
    """The commit measured, and whether the working tree differs from it (figures depend on both)."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no", "tui"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" + uncommitted changes in tui/" if dirty else "")


def machine_header(title: str) -> str:
    """Date, machine and versions: what a figure needs next to it to mean anything."""
    lines = [
        f"# {title}",
        f"date:     {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"machine:  {platform.machine()} · {cpu_model()} · nproc {os.cpu_count()} (usable {len(os.sched_getaffinity(0))})",
        f"python:   {platform.python_version()} · torch {version('torch')} · textual {version('textual')}",
        f"code:     {git_state()}",
        f"load:     {load_average()} (1, 5, 15 min; 2 cores shared with other sessions: a busy machine moves every figure)",
        f"env:      PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r} (if set, edited modules recompile at each start)",
    ]
    return "\n".join(lines)


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (pastes into the README as is), columns padded for the terminal."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(headers[i]), *(len(row[i]) for row in cells)) for i in range(len(headers))]

    def line(items: Sequence[str]) -> str:
        return "| " + " | ".join(item.ljust(width) for item, width in zip(items, widths)) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(headers), rule, *(line(row) for row in cells)])


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def round_parser(doc: str, runs_help: str, sizes: bool = True) -> argparse.ArgumentParser:
    """The options every benchmark takes: --sizes (when it measures several), --runs and --quick."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    if sizes:
        parser.add_argument("--sizes", nargs="+", choices=SIZES, default=list(SIZES), help="layer sizes")
    parser.add_argument("--runs", type=int, default=3, help=runs_help)
    parser.add_argument("--quick", action="store_true", help="one round")
    return parser


def rounds(args: argparse.Namespace) -> int:
    """--quick is one round."""
    return 1 if args.quick else args.runs


def run_child(code: str, mode: str, *args: str) -> dict[str, float]:
    """`code` (which starts with CHILD_PRELUDE) run as `mode` in a fresh Python from the repository root: the
    one JSON line of figures it prints."""
    done = subprocess.run([sys.executable, "-c", code, mode, *args], capture_output=True, text=True, cwd=REPO)
    if done.returncode:
        raise SystemExit(f"{mode} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def measured_rounds(measure: Callable[[str], dict[str, float]], modes: Sequence[str], runs: int) -> Callable[[str, str], float]:
    """Each mode measured once per round, in their order (each a fresh process), every round's figures
    printed; the median of a figure, by mode and name."""
    measured: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    for round_ in range(runs):
        for mode in modes:
            measured[mode].append(measure(mode))
        print(f"  round {round_ + 1}/{runs}: " + json.dumps({mode: values[-1] for mode, values in measured.items()}), flush=True)
    return lambda mode, name: median([values[name] for values in measured[mode]])



class Tmux:
    """The app in a tmux pane of its own server (its own socket, so nobody else's tmux is touched), as a person
    runs it in a terminal: keys sent with `send-keys`, the screen read with `capture-pane`."""

    def __init__(self, argv: Sequence[str], size: tuple[int, int] = (80, 24), name: str = "bench") -> None:
        self.socket = f"{name}-{os.getpid()}"
        command = " ".join(["exec", *argv])  # exec: the pane's process is the app itself
        env = f"PYTHONPATH={REPO}"
        self.tmux("new-session", "-d", "-x", str(size[0]), "-y", str(size[1]), "-s", name, "-c", str(REPO), f"{env} {command}")

    def tmux(self, *args: str) -> str:
        done = subprocess.run([shutil.which("tmux") or "tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True)
        return done.stdout

    @property
    def pid(self) -> int:
        return int(self.tmux("display-message", "-p", "#{pane_pid}").strip())

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def send(self, *keys: str) -> None:
        """tmux key names (`BSpace`) or literal text."""
        self.tmux("send-keys", *keys)

    def wait_for(self, condition: Callable[[str], bool], timeout: float = 120.0) -> str:
        """The screen once `condition(screen)` holds, polled as fast as capture-pane answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(text := self.screen()):
                return text
        raise SystemExit(f"timed out; the tmux screen:\n{self.screen()}")

    def close(self) -> None:
        """The tmux server ended, and with it the app."""
        subprocess.run([shutil.which("tmux") or "tmux", "-L", self.socket, "kill-server"], capture_output=True)
