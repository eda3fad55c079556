"""CPU time per typed key: the app against an Input-only app and against the repaint *floor*.

Run from the repository root, in the venv:

    python tests/benchmarks/bench_keys.py                  # every size, both terminals, 3 runs (~7 min)
    python tests/benchmarks/bench_keys.py --quick          # 1 run each
    python tests/benchmarks/bench_keys.py --sizes 6x3 50257x768 --runs 5
    python tests/benchmarks/bench_keys.py --profile 50257x768   # cProfile the app's key loop too

Method (ARCHITECTURE.md, "Measuring speed"): each variant runs headless with `App.run_test(size=...)`;
after it is ready it gets two warm-up keys, then the same key script — IDs spread over the vocabulary
typed with commas and spaces, every third ID erased with backspaces and replaced (≥ 48 keys) — one
`pilot.press(key)` + `pilot.pause()` per key. `time.process_time()` is read around that key loop only.
The variants, run one after the other in every round, and the median over rounds is reported:

* app:        `ExplorerApp(vocab_size, dim)`; the loop starts once `app.explorer.session` is set.
* input-only: an app holding only an `Input`.
* floor:      an `Input` plus a `ScrollView` of the app matrix's virtual size (rows + 1 lines, the
              same width) and of the height the app's matrix had in the same round, whose
              `render_line` returns one cached constant `Strip`, scrolled (as the app does) to the
              typed row on each key: what Textual itself costs to repaint that screen.

Targets: app ≤ 1.25 × floor at every size and terminal size. The script also counts `render_line`
calls (proof that the headless run really renders) and the idle CPU of each variant over one second.
This file is not collected by pytest (no `test_` names).
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import io
import pstats
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from _bench_common import SIZES, TERMINALS, machine_header, median, round_parser, rounds, table, verdict
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.pilot import Pilot
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input

from tui.app import ExplorerApp
from tui.widgets.matrix_view import CELL_WIDTH, MARKER, POSITIONS_WIDTH, MatrixView
from tui.widgets.scrolling import scroll_top

TARGET_FLOOR_RATIO = 1.25
# IDs at GPT-2 scale; other vocabularies get the same fractions of their size.
GPT2_IDS = (17, 40213, 9, 50000, 31337, 2024, 45678, 123, 50256, 777, 25000, 3)
GPT2_VOCAB = 50257
WARM_UP = ["0", "backspace"]
IDLE_SECONDS = 1.0

RENDER_LINES = {"count": 0}  # render_line calls of the matrix (app) or the constant view (floor)


# -- the key script --------------------------------------------------------------------------
def scaled_id(index: int, vocab_size: int) -> int:
    """The index-th ID of the script, as the same fraction of `vocab_size` as of GPT-2's."""
    token = GPT2_IDS[index % len(GPT2_IDS)]
    return min(vocab_size - 1, round(token * vocab_size / GPT2_VOCAB))


def key_script(vocab_size: int, min_keys: int = 48) -> tuple[list[str], str]:
    """Keys typing `17, 40213, 9, 50000, …` (scaled), every third ID erased and replaced; and the final text."""
    keys: list[str] = []
    text = ""
    index = 0
    while len(keys) < min_keys:
        token = str(scaled_id(index, vocab_size))
        piece = ("" if not text or text.endswith(", ") else ", ") + token
        keys += list(piece)
        text += piece
        if index % 3 == 2:  # a "typo": erase the ID just typed; the next one goes in its place
            keys += ["backspace"] * len(token)
            text = text[: -len(token)]
        index += 1
    return keys, text


# -- the baselines ---------------------------------------------------------------------------
class InputOnlyApp(App[None]):
    """Baseline (a): nothing but the ID input."""

    def compose(self) -> ComposeResult:
        yield Input(id="ids")

    def on_mount(self) -> None:
        self.query_one(Input).focus()


def matrix_width(vocab_size: int, dim: int) -> int:
    """The app matrix's virtual width (MatrixView.set_source's formula)."""
    id_width = max(2, len(str(vocab_size - 1)))
    return len(MARKER) + id_width + 1 + POSITIONS_WIDTH + 1 + dim * CELL_WIDTH


class ConstantLines(ScrollView):
    """The floor's matrix: MatrixView's virtual size and height, one cached constant line."""

    DEFAULT_CSS = """
    ConstantLines { background: $surface; }
    """

    def __init__(self, rows: int, width: int, height: int) -> None:
        super().__init__(id="matrix")
        self.virtual_size = Size(width, rows + 1)
        self.styles.height = height
        self.rows = rows
        self._strips: dict[int, Strip] = {}

    def render_line(self, y: int) -> Strip:
        RENDER_LINES["count"] += 1
        width = self.scrollable_content_region.width
        strip = self._strips.get(width)
        if strip is None:
            label, cells = "  12345 @0         ", " -0.1234" * (width // 8 + 1)
            strip = Strip([Segment(label, self.rich_style), Segment(cells, self.rich_style)]).crop(0, width)
            self._strips[width] = strip
        return strip

    def show_row(self, row: int) -> None:
        """Scroll as MatrixView.show_row does: just enough for `row` to be on screen."""
        visible = max(1, self.scrollable_content_region.height - 1)
        top = scroll_top(row, round(self.scroll_offset.y), visible)
        if top is not None:
            self.scroll_to(y=top, animate=False, immediate=True)


class FloorApp(App[None]):
    """Baseline (b): the input plus a constant view of the matrix's size, scrolled to the typed row."""

    CSS = "#ids { border: tall $border-blurred; height: 3; } #ids:focus { border: tall $border; }"

    def __init__(self, vocab_size: int, dim: int, matrix_height: int) -> None:
        super().__init__()
        self.vocab_size, self.dim, self.matrix_height = vocab_size, dim, matrix_height

    def compose(self) -> ComposeResult:
        yield ConstantLines(self.vocab_size, matrix_width(self.vocab_size, self.dim), self.matrix_height)
        yield Input(id="ids")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        numbers = re.findall(r"\d+", event.value[: event.input.cursor_position])
        if numbers:
            self.query_one(ConstantLines).show_row(min(int(numbers[-1]), self.vocab_size - 1))


def count_matrix_render_lines() -> None:
    """Wrap MatrixView.render_line (in this process only) to count its calls."""
    original = MatrixView.render_line

    def counting(self: MatrixView, y: int) -> Strip:
        RENDER_LINES["count"] += 1
        return original(self, y)

    MatrixView.render_line = counting  # type: ignore[method-assign]


# -- measuring -------------------------------------------------------------------------------
@dataclass(frozen=True)
class KeyRun:
    cpu_ms_per_key: float
    wall_ms_per_key: float
    render_lines_per_key: float
    idle_cpu_percent: float
    matrix: str  # the matrix (or constant view) content region, e.g. "158×24"
    matrix_height: int  # its outer height in lines (0 without one)


async def type_keys(pilot: Pilot, keys: Sequence[str]) -> None:
    """One key at a time, each followed by a pause so that its repaint happens."""
    for key in keys:
        await pilot.press(key)
        await pilot.pause()


async def measure(
    app: App, terminal: tuple[int, int], keys: Sequence[str], expected: str, ready: Callable[[App], bool],
    profile: cProfile.Profile | None = None,
) -> KeyRun:
    """Start `app` headless, wait until `ready`, warm up, then time the key loop (and one idle second)."""
    async with app.run_test(size=terminal) as pilot:
        while not ready(app):
            await pilot.pause(0.05)
        await pilot.pause(0.05)
        await type_keys(pilot, WARM_UP)
        gc.collect()
        RENDER_LINES["count"] = 0
        if profile is not None:
            profile.enable()
        cpu, wall = time.process_time(), time.perf_counter()
        await type_keys(pilot, keys)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if profile is not None:
            profile.disable()
        lines = RENDER_LINES["count"]
        value = app.query_one("#ids", Input).value
        if value != expected:
            raise AssertionError(f"{type(app).__name__}: input holds {value!r}, expected {expected!r}")
        idle = time.process_time()
        await pilot.pause(IDLE_SECONDS)
        idle = time.process_time() - idle
        matrix = app.query("#matrix")
        region = matrix.first().scrollable_content_region if matrix else None
        height = matrix.first().outer_size.height if matrix else 0
    n = len(keys)
    return KeyRun(
        cpu_ms_per_key=1000 * cpu / n,
        wall_ms_per_key=1000 * wall / n,
        render_lines_per_key=lines / n,
        idle_cpu_percent=100 * idle / IDLE_SECONDS,
        matrix=f"{region.width}×{region.height}" if region else "-",
        matrix_height=height,
    )


def session_ready(app: App) -> bool:
    return app.explorer.session is not None


def always_ready(app: App) -> bool:
    return True


def run_variant(name: str, vocab_size: int, dim: int, terminal: tuple[int, int], matrix_height: int = 0) -> KeyRun:
    """One fresh app of the variant `name`, measured; `matrix_height` sizes the floor's view."""
    keys, expected = key_script(vocab_size)
    ready: Callable[[App], bool] = always_ready
    if name == "app":
        app: App = ExplorerApp(vocab_size=vocab_size, dim=dim, seed=123, dtype="float32", ids="", lang="en")
        ready = session_ready
    elif name == "input-only":
        app = InputOnlyApp()
    else:
        app = FloorApp(vocab_size, dim, matrix_height)
    run = asyncio.run(measure(app, terminal, keys, expected, ready))
    del app
    gc.collect()  # free the previous layer before the next one is created
    return run


VARIANTS = ("app", "input-only", "floor")


def bench(sizes: Sequence[str], runs: int) -> list[list[object]]:
    """Every size × terminal: `runs` rounds of the three variants; medians and ratios per row."""
    rows: list[list[object]] = []
    for size in sizes:
        vocab_size, dim = SIZES[size]
        keys, _ = key_script(vocab_size)
        for terminal in TERMINALS:
            results: dict[str, list[KeyRun]] = {name: [] for name in VARIANTS}
            for round_ in range(runs):
                for name in VARIANTS:  # the app first: the floor copies its matrix's height
                    height = results["app"][-1].matrix_height if results["app"] else 0
                    results[name].append(run_variant(name, vocab_size, dim, terminal, height))
                cpu = {name: results[name][-1].cpu_ms_per_key for name in VARIANTS}
                print(
                    f"  {size} {terminal[0]}×{terminal[1]} round {round_ + 1}/{runs}: "
                    + ", ".join(f"{name} {ms:.2f} ms/key" for name, ms in cpu.items()),
                    flush=True,
                )
            cpu = {name: median([r.cpu_ms_per_key for r in results[name]]) for name in VARIANTS}
            ratio_floor = cpu["app"] / cpu["floor"]
            rows.append(
                [
                    size,
                    f"{terminal[0]}×{terminal[1]}",
                    len(keys),
                    f"{cpu['app']:.2f}",
                    f"{cpu['input-only']:.2f}",
                    f"{cpu['floor']:.2f}",
                    f"{cpu['app'] / cpu['input-only']:.2f}",
                    f"{cpu['floor'] / cpu['input-only']:.2f}",
                    f"{ratio_floor:.2f}",
                    verdict(ratio_floor <= TARGET_FLOOR_RATIO),
                    " / ".join(f"{median([r.render_lines_per_key for r in results[n]]):.1f}" for n in ("app", "floor")),
                    f"{results['app'][0].matrix} / {results['floor'][0].matrix}",
                    " / ".join(f"{median([r.idle_cpu_percent for r in results[n]]):.1f}" for n in VARIANTS),
                    f"{median([r.wall_ms_per_key for r in results['app']]):.0f}",
                ]
            )
    return rows


HEADERS = (
    "layer",
    "terminal",
    "keys",
    "app ms/key",
    "input-only ms/key",
    "floor ms/key",
    "app/input-only",
    "floor/input-only",
    "app/floor",
    "≤ 1.25×floor",
    "render_line/key app / floor",
    "matrix region app / floor",
    "idle CPU % app / input / floor",
    "app wall ms/key",
)


# -- profiling -------------------------------------------------------------------------------
def area(filename: str) -> str:
    """Which code a profiled function belongs to."""
    path = filename.replace("\\", "/")
    for name in ("/tui/", "/textual/", "/rich/", "/torch/", "/asyncio/"):
        if name in path:
            return name.strip("/")
    return "other"


def profile_app(size: str, terminal: tuple[int, int], top: int = 25) -> str:
    """cProfile (CPU clock) of the app's key loop: top functions by own time, and own time per area."""
    vocab_size, dim = SIZES[size]
    keys, expected = key_script(vocab_size)
    profile = cProfile.Profile(time.process_time)  # CPU time: leave out the event loop's sleeps
    app = ExplorerApp(vocab_size=vocab_size, dim=dim, lang="en")
    asyncio.run(measure(app, terminal, keys, expected, session_ready, profile))
    stats = pstats.Stats(profile)
    totals: dict[str, float] = {}
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        totals[area(filename)] = totals.get(area(filename), 0.0) + tottime
    whole = sum(totals.values())
    out = io.StringIO()
    out.write(f"\n## cProfile of the app's key loop: {size} at {terminal[0]}×{terminal[1]} ({len(keys)} keys)\n")
    out.write("own time by area: " + ", ".join(
        f"{name} {100 * t / whole:.0f}%" for name, t in sorted(totals.items(), key=lambda kv: -kv[1])
    ) + "\n")
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(top)
    tui_stats = pstats.Stats(profile, stream=out)
    out.write("tui/ functions by cumulative time:\n")
    tui_stats.sort_stats("cumulative").print_stats(r"/tui/", 15)
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = round_parser(__doc__, "rounds per size and terminal (median); 0: profile only")
    parser.add_argument("--profile", nargs="*", choices=SIZES, help="also cProfile the app's loop at these sizes")
    args = parser.parse_args(argv)
    runs = rounds(args)
    count_matrix_render_lines()
    print(machine_header("bench_keys: CPU time per typed key (time.process_time, median of rounds)"))
    print(f"rounds: {runs} · warm-up keys {WARM_UP} · each key: pilot.press + pilot.pause()\n", flush=True)
    started = time.perf_counter()
    if runs:
        rows = bench(args.sizes, runs)
        print()
        print(table(HEADERS, rows))
        print(f"\ntarget: app ≤ {TARGET_FLOOR_RATIO} × floor · total {time.perf_counter() - started:.0f} s")
    for size in args.profile or ():
        for terminal in TERMINALS:
            print(profile_app(size, terminal))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
