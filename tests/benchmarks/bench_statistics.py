"""The whole-matrix statistics over Llama 3's 128256 × 4096 bfloat16 embedding, mapped from a 1 GB
safetensors file (written once by bench_weights.py's writer), against the floor of any method that reads
every row: one chunked pass that only reads each chunk and converts it to float32.

Run from the repository root, in the venv:

    python tests/benchmarks/bench_statistics.py            # 3 rounds
    python tests/benchmarks/bench_statistics.py --quick    # 1 round

Each round runs three fresh processes: a bare `import torch`, the floor pass and `matrix_statistics`, in
chunks of the same size. Reported: the seconds of each pass (time inside the process, after imports and
opening the file), their ratio, and each one's peak RSS above the bare process. The file's pages that a pass
reads count in its RSS (the map is the file's), so both passes carry about 1 GB of them: the difference
between the two is what the statistics hold themselves.
Not collected by pytest (no `test_` names).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from _bench_common import REPO, machine_header, median, round_parser, rounds, table
from bench_weights import COLS, KEY, ROWS, write_file

CHUNK_ROWS = 1024
PASS = """
import resource, sys, time
sys.path.insert(0, {repo!r})
import torch
from safetensors import safe_open
from tui.core.meaning.matrix_statistics import matrix_statistics

with safe_open({path!r}, "pt") as file:
    weight = file.get_tensor({key!r})
read = lambda start, stop: weight[start:stop].float()
started = time.perf_counter()
if {kind!r} == "floor":
    for start in range(0, weight.shape[0], {chunk}):
        read(start, start + {chunk})
else:
    matrix_statistics(read, tuple(weight.shape), chunk_rows={chunk})
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
BARE = "import resource, torch; print(0.0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"


def run(code: str) -> tuple[float, float]:
    """Seconds and peak RSS (MB) that a fresh Python running `code` prints."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, peak = done.stdout.split()
    return float(seconds), float(peak)


def main() -> None:
    parser = round_parser(__doc__, "rounds", sizes=False)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/embedding-explorer-bench"))
    args = parser.parse_args()
    path = write_file(args.dir)
    print(machine_header(f"whole-matrix statistics, {ROWS} × {COLS} bf16, chunks of {CHUNK_ROWS} rows"))
    figures: dict[str, list[tuple[float, float]]] = {"bare": [], "floor": [], "statistics": []}
    for _ in range(rounds(args)):
        figures["bare"].append(run(BARE))
        for kind in ("floor", "statistics"):
            code = PASS.format(repo=str(REPO), path=str(path), key=KEY, kind=kind, chunk=CHUNK_ROWS)
            figures[kind].append(run(code))
    bare = median([peak for _, peak in figures["bare"]])
    floor = median([seconds for seconds, _ in figures["floor"]])
    rows = []
    for kind in ("floor", "statistics"):
        seconds = median([seconds for seconds, _ in figures[kind]])
        peak = median([peak for _, peak in figures[kind]])
        rounds_text = ", ".join(f"{s:.2f}" for s, _ in figures[kind])
        rows.append([kind, f"{seconds:.2f} s", f"{seconds / floor:.2f} ×", f"+{peak - bare:.0f} MB", rounds_text])
    print(f"bare `import torch`: {bare:.0f} MB peak RSS; {os.cpu_count()} CPUs")
    print(table(["pass", "seconds", "× floor", "peak RSS − bare", "rounds (s)"], rows))


if __name__ == "__main__":
    main()
