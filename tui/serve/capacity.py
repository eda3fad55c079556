"""How many sessions the machine's memory allows: the default of `--max-sessions`."""

from __future__ import annotations

from pathlib import Path

BASE_BUDGET = 400 * 2**20  # a session at the book's layer costs the machine ~160 MB (PSS: torch's libraries are shared; bench_serve_memory.py); the rest is room for what a student does in it (training, a second matrix)


def session_budget(matrix_elements: int | None) -> int:
    """The memory one session may take: the base, plus twice the matrix in float32 when its size is known
    (the layer, and a copy a pass may make)."""
    return BASE_BUDGET + (2 * 4 * matrix_elements if matrix_elements else 0)


def sessions_allowed(available: int, budget: int) -> int:
    """The sessions that fit in `available` bytes at `budget` each, at least one."""
    return max(1, available // budget)


def memory_available(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """MemAvailable in bytes, as the kernel says it now; None where there is no /proc/meminfo."""
    try:
        for line in meminfo.read_text().splitlines():
            name, _, value = line.partition(":")
            if name == "MemAvailable":
                return int(value.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None
