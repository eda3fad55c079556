"""Nearest neighbours over a quantized matrix: Llama 3's 128256 × 4096 embedding in Q4_K blocks in a GGUF file
(the one `bench_weights.py --gguf` writes: random quants with small finite scales, since gguf's Python cannot
quantize to Q4_K), opened as the app opens it (`open_weights` → `QuantizedSession`) and searched through
`Meaning`, as the neighbours panel and `embedding-explorer neighbours` search.

Run from the repository root, in the venv:

    python tests/benchmarks/bench_quantized_neighbours.py            # 3 rounds (~3 min once the file exists)
    python tests/benchmarks/bench_quantized_neighbours.py --quick    # 1 round

Each round spawns one process per measurement, so memory figures are each process's own:

* bare: `import torch`, nothing else: peak RSS (ru_maxrss) and RssAnon.
* floor: one chunked pass dequantizing every row (`read_rows` a chunk of `RowIndex`'s size at a time,
  nothing else): what any query that reads every row as float32 costs.
* index: a first query (every row dequantized once; the norms and the bfloat16 copy kept) and three later
  ones (median); peak RSS and RssAnon (the copy is a temporary file: page cache, not the process's memory).
* uncopied: the same first and later queries by an index that keeps no copy, as before the copy: every
  later query dequantizes every row again.

Targets (issue 24): a later query ≤ 1 s; the first query not much slower than the uncopied one's; RssAnon ≤
bare + 150 MB. Not collected by pytest (no `test_` names).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from _bench_common import CHILD_PRELUDE, machine_header, measured_rounds, round_parser, rounds, run_child, table, verdict
from bench_weights import write_gguf

# Run in a child: prints one JSON line of seconds and MB.
CHILD = CHILD_PRELUDE + """
import torch
out = {}
if sys.argv[1] != "bare":
    from tui.core.chapter.quantized_session import QuantizedSession
    from tui.core.files.weights import open_weights
    from tui.core.meaning.neighbours import RowIndex
    from tui.core.meaning.passes import Meaning
    session = QuantizedSession(open_weights(sys.argv[2]))
    rows, dim = session.weights.shape
    if sys.argv[1] == "uncopied":
        index = RowIndex(session.read_rows, (rows, dim), copy=False)
    else:
        index = Meaning().index(session)  # the app's road: a quantized session's index keeps a copy
    if sys.argv[1] == "floor":
        started = time.perf_counter()
        for start in range(0, rows, index.chunk_rows):
            session.read_rows(start, min(start + index.chunk_rows, rows))
        out["first"] = time.perf_counter() - started
    else:
        started = time.perf_counter()
        index.nearest_to_row(17, 10)
        out["first"] = time.perf_counter() - started
        later = []
        for token_id in ((1000, rows // 2, rows - 1) if sys.argv[1] == "index" else (1000,)):
            started = time.perf_counter()
            index.nearest_to_row(token_id, 10)
            later.append(time.perf_counter() - started)
        out["later"] = sorted(later)[len(later) // 2]
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out["anon_mb"] = rss_anon()
print(json.dumps(out))
"""


def bench(path: Path, runs: int) -> list[object]:
    m = measured_rounds(lambda mode: run_child(CHILD, mode, str(path)), ["bare", "floor", "index", "uncopied"], runs)

    floor, first, uncopied = m("floor", "first"), m("index", "first"), m("uncopied", "first")
    extra, anon = m("index", "peak_mb") - m("bare", "peak_mb"), m("index", "anon_mb") - m("bare", "anon_mb")
    return [
        f"{floor:.2f}",
        f"{uncopied:.2f} / {m('uncopied', 'later'):.2f}",
        f"{first:.2f} ({first / floor:.2f} × floor, {first / uncopied:.2f} × uncopied)",
        f"{m('index', 'later'):.2f} ({verdict(m('index', 'later') <= 1)})",
        f"{m('index', 'peak_mb'):.0f} (+{extra:.0f})",
        f"+{anon:.0f} ({verdict(anon <= 150)})",
    ]


HEADERS = ("matrix", "floor s (one dequantizing pass)", "uncopied s (first / later)", "first query s", "later query s", "peak RSS MB (bare +)", "RssAnon over bare")


def main(argv: Sequence[str] | None = None) -> int:
    parser = round_parser(__doc__, "rounds (median)", sizes=False)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/embedding-explorer-bench"), help="where the file goes")
    args = parser.parse_args(argv)
    print(machine_header("bench_quantized_neighbours: exact top-10 by cosine over a 128256 × 4096 Q4_K matrix"))
    path = write_gguf(args.dir)
    print(f"128256x4096 Q4_K: {path}", flush=True)
    row = ["128256 × 4096 Q4_K", *bench(path, rounds(args))]
    print()
    print(table(HEADERS, [row]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
