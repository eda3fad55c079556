"""Two 128256 × 4096 matrices compared row by row (issue 24): two bfloat16 safetensors files (2 GB; the
second a changed copy of the first), and a 4-bit GGUF of the same matrix against its bfloat16 original,
each opened as the app opens it (`sources.open_weights` → `make_session` → `session.read_rows`).

Run from the repository root, in the venv:

    python tests/benchmarks/bench_diff.py            # 3 rounds (the files are written once, ~2 min)
    python tests/benchmarks/bench_diff.py --quick    # 1 round

Each measurement is a fresh process, so memory figures are each process's own:

* bare: `import torch`, nothing else: peak RSS (ru_maxrss) and RssAnon.
* floor: one chunked read of both files, each chunk of A and the same rows of B as float32 (the GGUF's
  dequantized), nothing else; the chunks are those `compare` reads.
* rank: `compare` + `ranked("delta")` over every row (RssAnon taken just after); then `neighbour_overlap`
  of the 100 most changed rows at k = 10, timed apart. Peak RSS counts no file pages (rows are read by
  positional reads), so it bounds the peak RssAnon from above (with the modules the pass imports).
* script: what users write today: `safetensors.torch.load_file(...)[key].float()` for both, then the same
  measures on whole tensors (bfloat16 pair only).

Targets (issue 24): rank ≤ 1.5 × floor and RssAnon ≤ bare + 150 MB, for both pairs; the neighbour overlap
≤ 2 × floor. Q4_K: gguf 0.19's `gguf.quants.quantize` cannot write it (NotImplementedError), so the
quantized copy of A holds Q4_1, the nearest type it writes (4 bits, a scale and a minimum per block, as Q4_K
has per sub-block); a third pair reads `bench_weights.py --gguf`'s Q4_K blocks (random quants, not A's:
what it measures is Q4_K's reading and dequantizing cost). Not collected by pytest (no `test_` names).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from _bench_common import CHILD_PRELUDE, machine_header, measured_rounds, round_parser, rounds, run_child, table, verdict
from bench_weights import COLS, KEY, ROWS, write_file, write_gguf

QUANT = "Q4_1"

CHANGE = """
import sys, torch
from safetensors import safe_open
from safetensors.torch import save_file
with safe_open(sys.argv[1], "pt") as file:
    a = file.get_tensor({key!r})
b = torch.empty_like(a)
generator = torch.Generator().manual_seed(1)
for start in range(0, a.shape[0], 8192):
    rows = a[start : start + 8192].float()
    rows += 0.01 * torch.randn(rows.shape, generator=generator)  # every row nudged, as by fine-tuning
    rows[::4] = a[start : start + 8192 : 4].float()  # a quarter kept exactly
    rows[1::997] *= 3  # a few changed a lot
    b[start : start + 8192] = rows.bfloat16()
save_file({{{key!r}: b}}, sys.argv[2])
"""

QUANTIZE = """
import sys, numpy as np, torch
from gguf import GGUFWriter, GGMLQuantizationType
from gguf.quants import quantize
from safetensors import safe_open
with safe_open(sys.argv[1], "pt") as file:
    a = file.get_tensor({key!r})
kind = GGMLQuantizationType.{quant}
blocks = np.concatenate([quantize(a[start : start + 8192].float().numpy(), kind) for start in range(0, a.shape[0], 8192)])
writer = GGUFWriter(sys.argv[2], "llama")
writer.add_tensor("token_embd.weight", blocks, raw_shape=blocks.shape, raw_dtype=kind)
writer.write_header_to_file(); writer.write_kv_data_to_file(); writer.write_tensors_to_file(); writer.close()
"""

# Run in a child: prints one JSON line of seconds and MB.
CHILD = CHILD_PRELUDE + """
import torch
mode, path_a, path_b = sys.argv[1:4]
out = {}

def side(path):
    from tui.core.explorer.sources import open_weights
    from tui.core.jobs import Job
    from tui.core.meaning.comparison import Side
    made = Job(None, open_weights(path, None, None), None, 0).run()
    session = made.source.session
    return Side(session.read_rows, session.spec.vocab_size, session.spec.dim)

if mode == "floor":
    from tui.core.meaning.chunks import Float32, rows_per_chunk
    a, b = side(path_a), side(path_b)
    chunk, in_a, in_b = rows_per_chunk(a.dim), Float32(), Float32()
    started = time.perf_counter()
    for start in range(0, a.rows, chunk):
        stop = min(start + chunk, a.rows)
        in_a(a.read(start, stop)), in_b(b.read(start, stop))
    out["seconds"] = time.perf_counter() - started
elif mode == "rank":
    from tui.core.meaning.comparison import compare, neighbour_overlap
    from tui.core.tokens.alignment import align
    a, b = side(path_a), side(path_b)
    alignment = align(a.rows, b.rows, None, None)
    started = time.perf_counter()
    ranked = compare(a, b, alignment).ranked("delta")
    out["seconds"] = time.perf_counter() - started
    out["rank_anon_mb"] = rss_anon()
    started = time.perf_counter()
    neighbour_overlap(a, b, alignment, ranked[:100].tolist(), k=10)
    out["overlap"] = time.perf_counter() - started
elif mode == "script":
    from safetensors.torch import load_file
    started = time.perf_counter()
    a = load_file(path_a)[{key!r}].float()
    b = load_file(path_b)[{key!r}].float()
    norm_a, norm_b, delta = a.norm(dim=1), b.norm(dim=1), (b - a).norm(dim=1)
    relative, cosine = delta / norm_a, torch.nn.functional.cosine_similarity(a, b, dim=1)
    equal = (a == b).all(dim=1)
    ranked = delta.argsort(descending=True)
    out["seconds"] = time.perf_counter() - started
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out["anon_mb"] = rss_anon()
print(json.dumps(out))
"""


def write_changed(folder: Path, original: Path) -> Path:
    """B: a copy of the 1 GB matrix, every row nudged but a quarter, a few scaled (written by a child)."""
    path = folder / "llama3-embedding-bf16-changed.safetensors"
    if not path.exists():
        subprocess.run([sys.executable, "-c", CHANGE.format(key=KEY), str(original), str(path)], check=True)
    return path


def write_quantized(folder: Path, original: Path) -> Path:
    """The same matrix quantized by `gguf.quants.quantize`, in a GGUF file (written by a child)."""
    path = folder / f"llama3-embedding-{QUANT.lower()}.gguf"
    if not path.exists():
        subprocess.run([sys.executable, "-c", QUANTIZE.format(key=KEY, quant=QUANT), str(original), str(path)], check=True)
    return path


def child(mode: str, a: Path, b: Path) -> dict[str, float]:
    return run_child(CHILD.replace("{key!r}", repr(KEY)), mode, str(a), str(b))


def bench(a: Path, b: Path, runs: int, script: bool) -> tuple[list[object], list[object] | None]:
    child("floor", a, b)  # both files' pages into the page cache
    m = measured_rounds(lambda mode: child(mode, a, b), ["bare", "floor", "rank", *(["script"] if script else [])], runs)
    floor = m("floor", "seconds")
    rank, overlap = m("rank", "seconds") / floor, m("rank", "overlap") / floor
    anon = m("rank", "rank_anon_mb") - m("bare", "anon_mb")
    row = [
        f"{floor:.2f}",
        f"{m('rank', 'seconds'):.2f} ({rank:.2f} ×, {verdict(rank <= 1.5)})",
        f"+{anon:.0f} ({verdict(anon <= 150)})",
        f"{m('rank', 'peak_mb') - m('bare', 'peak_mb'):+.0f}",
        f"{m('rank', 'overlap'):.2f} ({overlap:.2f} ×, {verdict(overlap <= 2)})",
    ]
    plain = None
    if script:
        plain = [f"{m('script', 'seconds'):.2f} ({m('script', 'seconds') / floor:.2f} ×)", f"{m('script', 'peak_mb'):.0f} (+{m('script', 'peak_mb') - m('bare', 'peak_mb'):.0f})",
                 f"+{m('script', 'anon_mb') - m('bare', 'anon_mb'):.0f}"]
    return row, plain


HEADERS = ("pair", "floor s", "compare + ranked s", "RssAnon after it, over bare", "peak RSS over bare (MB)", "overlap of 100 at k=10 s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = round_parser(__doc__, "rounds (median)", sizes=False)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/embedding-explorer-bench"), help="where the files go")
    args = parser.parse_args(argv)
    print(machine_header(f"bench_diff: {ROWS} × {COLS} compared row by row"))
    original = write_file(args.dir)
    pairs = {
        "bf16 vs changed bf16": write_changed(args.dir, original),
        f"bf16 vs its {QUANT} GGUF": write_quantized(args.dir, original),
        "bf16 vs a Q4_K GGUF": write_gguf(args.dir),  # bench_weights.py --gguf's blocks: Q4_K's reading cost, not its rounding
    }
    rows, plain_rows = [], []
    for name, other in pairs.items():
        print(f"{name}: {original} · {other}", flush=True)
        row, plain = bench(original, other, rounds(args), script=other.suffix == ".safetensors")
        rows.append([name, *row])
        if plain is not None:
            plain_rows.append([name, *plain])
    print()
    print(table(HEADERS, rows))
    print()
    print(table(("pair", "plain torch script s (× floor)", "peak RSS MB (bare +)", "RssAnon over bare"), plain_rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
