"""A 1 GB weight file: Llama 3's 128256 × 4096 embedding in bfloat16, opened with `--weights`; or (`--sharded`)
the same matrix in the second of four shards of a model folder, opened with `--model` through its index.

Run from the repository root, in the venv:

    python tests/benchmarks/bench_weights.py                 # 3 rounds, both terminals (~4 min)
    python tests/benchmarks/bench_weights.py --quick         # 1 round
    python tests/benchmarks/bench_weights.py --dir /tmp/x    # where the 1 GB file is written (kept)
    python tests/benchmarks/bench_weights.py --sharded       # a model folder: 4 shards and an index
    python tests/benchmarks/bench_weights.py --gguf          # the same size in Q4_K blocks (≈ 290 MB GGUF)

The file is written once by this script (random bfloat16, key `model.embed_tokens.weight`). Each round:

* bare: `python -c "import torch"`, spawned: wall time to exit and peak RSS (ru_maxrss).
* app: `python -m tui --weights FILE` in a pty of 80×24 and 160×50. *Interactive* is the time until
  the matrix title (`Parameter`) is on screen. Then it browses (Tab to the matrix, 10 × PgDn, End, Home)
  and types IDs; peak RSS is VmHWM from /proc after that.
* CPU per typed key, as bench_keys_terminal.py measures it, for the app with the file and for the
  floor of the same matrix size and height.

Targets (issue 3): interactive − bare ≤ 1 s (opening the file once torch is imported); peak RSS ≤ bare
+ 100 MB; app ≤ 1.25 × floor per key. For the sharded model and the Q4_K GGUF (the models issue):
interactive − bare ≤ 0.3 s.
Not collected by pytest (no `test_` names).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from _bench_common import TERMINALS, machine_header, median, round_parser, rounds, table, verdict
from bench_keys_terminal import TARGET_FLOOR_RATIO, measure, measure_argv
from bench_startup import Terminal, run_bare

ROWS, COLS, KEY = 128256, 4096, "model.embed_tokens.weight"
BROWSE = b"\t" + b"\x1b[6~" * 10 + b"\x1b[F" + b"\x1b[H"  # Tab, PgDn × 10, End, Home
READY = b"requires_grad="  # in the matrix title, once the layer exists (a file's or a GGUF's)


WRITE = """
import sys, torch
from safetensors.torch import save_file
torch.manual_seed(0)
weight = torch.empty({rows}, {cols}, dtype=torch.bfloat16)
for start in range(0, {rows}, 8192):
    weight[start : start + 8192].normal_()
save_file({{{key!r}: weight}}, sys.argv[1])
"""


def write_file(folder: Path) -> Path:
    """The 1 GB file, written by a child process: a parent that had held 1 GB would pass its peak RSS
    on to the processes it starts (Linux keeps ru_maxrss across exec), spoiling the memory figures."""
    path = folder / "llama3-embedding-bf16.safetensors"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        code = WRITE.format(rows=ROWS, cols=COLS, key=KEY)
        subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    return path


def write_model(folder: Path, single: Path) -> Path:
    """A model folder as huggingface_hub's save_torch_state_dict lays one out: four shards and an index, the
    embedding (the 1 GB file itself, linked) in the second, small tensors in the others, and a config."""
    import json

    model = folder / "sharded-llama3"
    shards = [f"model-0000{number}-of-00004.safetensors" for number in range(1, 5)]
    if not (model / "model.safetensors.index.json").exists():
        model.mkdir(parents=True, exist_ok=True)
        (model / shards[1]).unlink(missing_ok=True)
        (model / shards[1]).hardlink_to(single)
        weight_map = {KEY: shards[1]}
        for number in (0, 2, 3):
            name = f"model.layers.{number}.mlp.weight"
            code = f"import torch; from safetensors.torch import save_file; save_file({{{name!r}: torch.zeros(1024, 1024)}}, {str(model / shards[number])!r})"
            subprocess.run([sys.executable, "-c", code], check=True)
            weight_map[name] = shards[number]
        (model / "model.safetensors.index.json").write_text(json.dumps({"metadata": {}, "weight_map": weight_map}), encoding="utf-8")
        config = {"architectures": ["LlamaForCausalLM"], "vocab_size": ROWS, "hidden_size": COLS, "tie_word_embeddings": False}
        (model / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return model


GGUF = """
import sys
import numpy as np
from gguf import GGUFWriter, GGMLQuantizationType
blocks = np.random.default_rng(0).integers(0, 256, ({rows}, {cols} // 256, 144), dtype=np.uint8)
blocks[:, :, 0:4] = np.frombuffer(np.array([0.01, 0.001], dtype=np.float16).tobytes(), dtype=np.uint8)  # d, dmin
blocks = blocks.reshape({rows}, -1)
writer = GGUFWriter(sys.argv[1], "llama")
writer.add_tokenizer_model("gpt2")
writer.add_token_list([f"t{{i}}" for i in range({rows})])  # a token per row, as a real model's file has
writer.add_tensor("token_embd.weight", blocks, raw_shape=blocks.shape, raw_dtype=GGMLQuantizationType.Q4_K)
writer.write_header_to_file(); writer.write_kv_data_to_file(); writer.write_tensors_to_file(); writer.close()
"""


def write_gguf(folder: Path) -> Path:
    """The matrix in Q4_K blocks (random quants, small finite scales) and a token per row, written by a child
    process."""
    path = folder / "llama3-embedding-q4_k-tokens.gguf"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-c", GGUF.format(rows=ROWS, cols=COLS), str(path)], check=True)
    return path


def app_argv(path: Path) -> list[str]:
    """`--model` for a folder, `--weights` for a file."""
    return [sys.executable, "-m", "tui", "--model" if path.is_dir() else "--weights", str(path), "--lang", "en"]


def launch(path: Path, terminal: tuple[int, int]) -> tuple[float, float]:
    """Seconds to interactive, and peak RSS in MB after browsing and typing."""
    term = Terminal(app_argv(path), terminal)
    try:
        interactive = term.wait_for(READY)
        term.type(b"17, 128255, 64000")
        term.type(BROWSE)
        term.drain(1.0)
        peak = term.high_water_mb()
    finally:
        term.close()
    return interactive, max(peak, term.usage.ru_maxrss / 1024)


def bench(path: Path, runs: int) -> list[list[object]]:
    rows: list[list[object]] = []
    run_bare("import torch")  # warm the page cache
    for terminal in TERMINALS:
        bare_s, bare_mb, ready_s, peak_mb, app_ms, floor_ms = [], [], [], [], [], []
        for round_ in range(runs):
            bare = run_bare("import torch; print('layer', flush=True)")
            bare_s.append(bare.to_exit)
            bare_mb.append(bare.peak_mb)
            ready, peak = launch(path, terminal)
            ready_s.append(ready)
            peak_mb.append(peak)
            app_ms.append(measure_argv(app_argv(path), READY, ROWS, terminal))
            floor_ms.append(measure("floor", ROWS, COLS, terminal))
            print(
                f"  {terminal[0]}×{terminal[1]} round {round_ + 1}/{runs}: bare {bare_s[-1]:.2f} s / {bare_mb[-1]:.0f} MB; "
                f"app interactive {ready:.2f} s, {peak:.0f} MB; {app_ms[-1]:.2f} vs floor {floor_ms[-1]:.2f} ms/key",
                flush=True,
            )
        opened = median(ready_s) - median(bare_s)
        extra = median(peak_mb) - median(bare_mb)
        ratio = median(app_ms) / median(floor_ms)
        rows.append([
            f"{terminal[0]}×{terminal[1]}",
            f"{median(ready_s):.2f}", f"{median(bare_s):.2f}", f"{opened:.2f}", verdict(opened <= 1.0),
            f"{median(peak_mb):.0f}", f"{median(bare_mb):.0f}", f"+{extra:.0f}", verdict(extra <= 100),
            f"{median(app_ms):.2f}", f"{median(floor_ms):.2f}", f"{ratio:.2f}", verdict(ratio <= TARGET_FLOOR_RATIO),
        ])
    return rows


HEADERS = (
    "terminal", "interactive s", "bare import s", "open s", "≤ 1 s",
    "app peak MB", "bare MB", "app − bare", "≤ +100 MB",
    "app ms/key", "floor ms/key", "app/floor", "≤ 1.25×floor",
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = round_parser(__doc__, "rounds per terminal (median)", sizes=False)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/embedding-explorer-bench"), help="where the file goes")
    parser.add_argument("--sharded", action="store_true", help="the matrix in shard 2 of 4 of a model folder, with --model")
    parser.add_argument("--gguf", action="store_true", help="the matrix in Q4_K blocks in a GGUF file")
    args = parser.parse_args(argv)
    how = "in shard 2 of 4, opened with --model" if args.sharded else "opened with --weights"
    what = "a Q4_K GGUF file" if args.gguf else "a 1 GB bfloat16 safetensors file"
    print(machine_header(f"bench_weights: {what} (128256 × 4096), {how}"))
    started = time.perf_counter()
    path = write_gguf(args.dir) if args.gguf else write_file(args.dir)
    if args.sharded:
        path = write_model(args.dir, path)
    print(f"path: {path}\n", flush=True)
    rows = bench(path, rounds(args))
    print()
    print(table(HEADERS, rows))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
