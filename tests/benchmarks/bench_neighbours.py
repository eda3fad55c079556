"""Nearest neighbours over a whole matrix: Llama 3's 128256 × 4096 bfloat16 embedding and GPT-2's 50257 × 768
float32 one, each in a safetensors file opened as the app opens it (memory-mapped, `open_weights`).

Run from the repository root, in the venv:

    python tests/benchmarks/bench_neighbours.py            # 3 rounds (~3 min once the files exist)
    python tests/benchmarks/bench_neighbours.py --quick    # 1 round

Each round spawns one process per measurement, so memory figures are each process's own:

* bare: `import torch`, nothing else: peak RSS (ru_maxrss) and RssAnon.
* floor: one chunked torch pass over the mapped matrix (each chunk of `RowIndex`'s size copied to float32,
  nothing else), twice: the first pass faults the file's pages in, the second finds them mapped.
* index: `RowIndex.nearest_to_row` with cosine, a first query (it computes the row norms) and three later
  ones (norms reused); peak RSS and RssAnon (peak RSS counts the file's touched pages, RssAnon does not).

Targets (issue 15): first query ≤ 1.5 × the floor's first pass; a later query ≤ 0.5 × the floor's second
pass; peak RSS ≤ bare + 150 MB. Not collected by pytest (no `test_` names).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from _bench_common import CHILD_PRELUDE, machine_header, measured_rounds, round_parser, rounds, run_child, table, verdict

CASES = {"128256x4096 bf16": (128256, 4096, "bfloat16"), "50257x768 f32": (50257, 768, "float32")}
KEY = "model.embed_tokens.weight"

WRITE = """
import sys, torch
from safetensors.torch import save_file
torch.manual_seed(0)
weight = torch.empty({rows}, {cols}, dtype=torch.{dtype})
for start in range(0, {rows}, 8192):
    weight[start : start + 8192].normal_()
save_file({{{key!r}: weight}}, sys.argv[1])
"""

# Run in a child: prints one JSON line of seconds and MB.
CHILD = CHILD_PRELUDE + """
import torch
out = {}
if sys.argv[1] != "bare":
    from tui.core.meaning.neighbours import RowIndex
    from tui.core.files.weights import open_weights
    weight = open_weights(sys.argv[2]).tensor
    rows, dim = weight.shape
    index = RowIndex(lambda start, stop: weight[start:stop], (rows, dim))
    if sys.argv[1] == "floor":
        for name in ("first", "second"):
            started = time.perf_counter()
            for start in range(0, rows, index.chunk_rows):
                weight[start : start + index.chunk_rows].to(torch.float32, copy=True)  # a copy even of float32
            out[name] = time.perf_counter() - started
    else:
        started = time.perf_counter()
        index.nearest_to_row(17, 10)
        out["first"] = time.perf_counter() - started
        later = []
        for token_id in (1000, rows // 2, rows - 1):
            started = time.perf_counter()
            index.nearest_to_row(token_id, 10)
            later.append(time.perf_counter() - started)
        out["later"] = sorted(later)[1]
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out["anon_mb"] = rss_anon()
print(json.dumps(out))
"""


def write_file(folder: Path, rows: int, cols: int, dtype: str) -> Path:
    """The matrix, random, written once by a child (a parent that held it would pass on its peak RSS)."""
    path = folder / f"neighbours-{rows}x{cols}-{dtype}.safetensors"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        code = WRITE.format(rows=rows, cols=cols, dtype=dtype, key=KEY)
        subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    return path


def bench(path: Path, runs: int) -> list[object]:
    run_child(CHILD, "floor", str(path))  # the file's pages into the page cache
    m = measured_rounds(lambda mode: run_child(CHILD, mode, str(path)), ["bare", "floor", "index"], runs)

    first, later = m("index", "first") / m("floor", "first"), m("index", "later") / m("floor", "second")
    extra, anon = m("index", "peak_mb") - m("bare", "peak_mb"), m("index", "anon_mb") - m("bare", "anon_mb")
    return [
        f"{m('floor', 'first'):.2f} / {m('floor', 'second'):.2f}",
        f"{m('index', 'first'):.2f} ({first:.2f} ×, {verdict(first <= 1.5)})",
        f"{m('index', 'later'):.2f} ({later:.2f} ×, {verdict(later <= 0.5)})",
        f"{m('index', 'peak_mb'):.0f} (+{extra:.0f}, {verdict(extra <= 150)})",
        f"+{anon:.0f} ({verdict(anon <= 150)})",
    ]


HEADERS = ("matrix", "floor s (1st / 2nd pass)", "first query s", "later query s", "peak RSS MB (bare +)", "RssAnon over bare")


def main(argv: Sequence[str] | None = None) -> int:
    parser = round_parser(__doc__, "rounds (median)", sizes=False)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/embedding-explorer-bench"), help="where the files go")
    args = parser.parse_args(argv)
    print(machine_header("bench_neighbours: exact top-10 by cosine over a whole mapped matrix"))
    rows = []
    for name, (count, dim, dtype) in CASES.items():
        path = write_file(args.dir, count, dim, dtype)
        print(f"{name}: {path}", flush=True)
        rows.append([name, *bench(path, rounds(args))])
    print()
    print(table(HEADERS, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
