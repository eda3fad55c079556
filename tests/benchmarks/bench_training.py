"""Time and memory of one training action (backward + SGD step), the app's core against plain torch.

Run from the repository root, in the venv:

    python tests/benchmarks/bench_training.py              # every size, dense and sparse, 3 rounds (~2 min)
    python tests/benchmarks/bench_training.py --quick      # 1 round
    python tests/benchmarks/bench_training.py --sizes 6x3 50257x768 --runs 5

For each layer size (float32) and layout (dense: `sparse=False`; sparse: `sparse=True`), every round
builds a fresh layer (not timed), then times with `time.perf_counter()`, one after the other:

* app:      `EmbeddingSession(LayerSpec(V, D, options=LayerOptions(sparse=...)))`, then
            `session.backward(parse_ids("2, 3, 5, 1, 3"), "sum"); session.step(0.1)`. This includes
            what the app adds: finding the non-zero grad rows and `repr()` of grad and changed rows.
* baseline: `torch.manual_seed(123); layer = torch.nn.Embedding(V, D, sparse=...)`, then
            `layer(torch.tensor([2, 3, 5, 1, 3])).sum().backward();
            torch.optim.SGD(layer.parameters(), lr=0.1).step()`.

Figures (medians over rounds):

* 1st ms: the first backward + step on the fresh layer (weight.grad is None: a dense layout allocates
  the whole grad matrix here, 154 MB for 50257×768, 2.1 GB for 128256×4096). The main figure.
* 2nd ms: a second backward + step on the same layer (the grad exists and is accumulated into).
* app/base: app ÷ baseline. At the big dense sizes torch's own work (allocating and filling the
  grad, the SGD update over the whole matrix) should dominate: the app reads the grad only at the rows
  backward() reached, to say which received gradient. At 6×3 and with sparse grads, where torch's
  work is well under a millisecond, the ratio shows the app's fixed cost (reports, repr, history).
  Not asserted: the issue sets no target for this benchmark.
* peak +MB: VmHWM during the first backward + step, minus VmRSS before it (the peak is reset through
  /proc/self/clear_refs just before). held +MB: VmRSS growth that stays after it (mostly the grad).

Layers are deleted (and gc run) between measurements, so at most one 2.1 GB weight is alive.
This file is not collected by pytest (no `test_` names).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from _bench_common import SIZES, machine_header, median, round_parser, rounds, table  # puts the repository root on sys.path

from tui.core.chapter.session import EmbeddingSession
from tui.core.chapter.spec import LayerOptions, LayerSpec
from tui.core.tokens.parse import parse_ids

IDS_TEXT = "2, 3, 5, 1, 3"
IDS = [2, 3, 5, 1, 3]
LR = 0.1
LAYOUTS = {"dense": False, "sparse": True}


@dataclass(frozen=True)
class Run:
    first: float  # seconds, first backward + step (grad None before)
    second: float  # seconds, second backward + step (grad already there)
    peak_mb: float  # VmHWM − VmRSS before, over the first backward + step
    held_mb: float  # VmRSS after − before the first backward + step


def status_mb(field: str) -> float:
    """A `kB` line of /proc/self/status (VmRSS, VmHWM), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def timed(action: Callable[[], object]) -> tuple[float, float, float]:
    """Seconds of `action()`, and its peak and kept RSS growth in MB (peak reset just before)."""
    gc.collect()
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # VmHWM := VmRSS
    before = status_mb("VmRSS")
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    return elapsed, status_mb("VmHWM") - before, status_mb("VmRSS") - before


def app_trainer(vocab_size: int, dim: int, sparse: bool) -> Callable[[], object]:
    session = EmbeddingSession(LayerSpec(vocab_size, dim, options=LayerOptions(sparse=sparse)))

    def train() -> object:
        return session.backward(parse_ids(IDS_TEXT), "sum"), session.step(LR)

    return train


def baseline_trainer(vocab_size: int, dim: int, sparse: bool) -> Callable[[], object]:
    torch.manual_seed(123)
    layer = torch.nn.Embedding(vocab_size, dim, sparse=sparse)

    def train() -> object:
        layer(torch.tensor(IDS)).sum().backward()
        return torch.optim.SGD(layer.parameters(), lr=LR).step()

    return train


def measure(build: Callable[[int, int, bool], Callable[[], object]], vocab_size: int, dim: int, sparse: bool) -> Run:
    """A fresh layer (built untimed), two timed backward + step on it, then the layer is freed."""
    train = build(vocab_size, dim, sparse)
    first, peak, held = timed(train)
    second = timed(train)[0]
    del train
    gc.collect()
    return Run(first, second, peak, held)


def ms(seconds: float) -> str:
    value = seconds * 1e3
    return f"{value:.3f}" if value < 1 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def bench(sizes: Sequence[str], runs: int) -> tuple[list[list[object]], dict[tuple[str, str], tuple[float, float]]]:
    """Rounds of app then baseline per size and layout; the table rows and (1st ratio, held MB) per case."""
    rows: list[list[object]] = []
    summary: dict[tuple[str, str], tuple[float, float]] = {}
    for size in sizes:
        vocab_size, dim = SIZES[size]
        for layout, sparse in LAYOUTS.items():
            app: list[Run] = []
            base: list[Run] = []
            for round_ in range(runs):
                app.append(measure(app_trainer, vocab_size, dim, sparse))
                base.append(measure(baseline_trainer, vocab_size, dim, sparse))
                print(f"  {size} {layout} round {round_ + 1}/{runs}: app {ms(app[-1].first)} / {ms(app[-1].second)} ms, "
                      f"baseline {ms(base[-1].first)} / {ms(base[-1].second)} ms", flush=True)

            def med(runs_: list[Run], name: str) -> float:
                return median([getattr(run, name) for run in runs_])

            ratio1 = med(app, "first") / med(base, "first")
            summary[(size, layout)] = (ratio1, med(app, "held_mb"))
            rows.append([
                size, layout,
                ms(med(app, "first")), ms(med(base, "first")), f"{ratio1:.2f}",
                ms(med(app, "second")), ms(med(base, "second")), f"{med(app, 'second') / med(base, 'second'):.2f}",
                f"{med(app, 'peak_mb'):+.0f}", f"{med(base, 'peak_mb'):+.0f}",
                f"{med(app, 'held_mb'):+.0f}", f"{med(base, 'held_mb'):+.0f}",
            ])
    return rows, summary


HEADERS = (
    "layer", "layout", "app 1st ms", "base 1st ms", "app/base",
    "app 2nd ms", "base 2nd ms", "app/base", "app peak MB", "base peak MB", "app held MB", "base held MB",
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = round_parser(__doc__, "rounds per size and layout (median)")
    args = parser.parse_args(argv)
    runs = rounds(args)
    print(machine_header("bench_training: backward + SGD step, app core vs plain torch (median of rounds)"))
    print(f"rounds: {runs} · ids {IDS} · loss sum · lr {LR} · float32 · torch threads {torch.get_num_threads()}\n", flush=True)
    started = time.perf_counter()
    for sparse in LAYOUTS.values():  # warm up: autograd engine, optimizer, repr, first-call costs
        measure(app_trainer, 6, 3, sparse)
        measure(baseline_trainer, 6, 3, sparse)
    rows, summary = bench(args.sizes, runs)
    print()
    print(table(HEADERS, rows))
    largest = args.sizes[-1] if args.sizes else None
    if largest:
        (dense_ratio, dense_mb), (sparse_ratio, sparse_mb) = summary[(largest, "dense")], summary[(largest, "sparse")]
        print(f"\nat {largest}: app ÷ baseline (1st) = {dense_ratio:.2f} dense, {sparse_ratio:.2f} sparse; "
              f"the app keeps {dense_mb:+.0f} MB after a dense backward + step vs {sparse_mb:+.0f} MB sparse.")
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
