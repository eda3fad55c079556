"""CPU time per batch key in the windows view (F11, then →), in a real terminal, against a floor.

Run from the repository root, in the venv:

    python tests/benchmarks/bench_windows_keys.py            # 3 rounds, both terminal sizes
    python tests/benchmarks/bench_windows_keys.py --pin      # the apps on CPU 1, this script on CPU 0

The app: `python -m tui --vocab-size 50257 --dim 768 --tokenizer gpt2 --text-file TEXT` on bench_windows.py's
1 MB text (200,000 GPT-2 tokens, 6,249 batches of 8 × 4), F11, then → every 60 ms. Each key makes the batch's
tensors through the loader's collate, prints them, and paints the page. The floor: the same `WindowsScreen`
over the same text, its pages made before it starts, so a key only paints a page of that size. Measured as
bench_keys_terminal.py measures: CPU per key from /proc schedstat, idle CPU subtracted, medians of rounds.
Target (the chapter issue): app ≤ 1.25 × floor. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from _bench_common import machine_header, round_parser, rounds
from bench_keys_terminal import SETTLE, app_against_floor, cpu_per_key, pinned
from bench_startup import Terminal
from bench_windows import write_text

KEYS = 40  # batches paged through
F11, RIGHT = b"\x1b[23~", b"\x1b[C"
PAGE_SHOWN = b"---->"  # the page's context ----> target pairs (the terminal gets words as separate segments)


def argv_for(variant: str, text: Path) -> list[str]:
    if variant == "app":
        return [sys.executable, "-m", "tui", "--vocab-size", "50257", "--dim", "768", "--tokenizer", "gpt2", "--text-file", str(text)]
    return [sys.executable, str(Path(__file__)), "--serve", str(text)]


def measure(variant: str, text: Path, terminal: tuple[int, int], pin: bool) -> float:
    """CPU ms per → of one fresh process, idle CPU subtracted."""
    argv = argv_for(variant, text)
    term = Terminal(pinned(argv) if pin else argv, terminal)
    try:
        if variant == "app":
            term.wait_for(b"batches")  # the status line, once the text is cut
            term.drain(SETTLE)  # the start settles first, as before any measured key
            os.write(term.fd, F11)
        term.wait_for(PAGE_SHOWN)
        return cpu_per_key(term, [RIGHT] * KEYS)
    finally:
        term.close(b"\x1b\x11")  # Esc closes the view, Ctrl+Q quits


def serve(text: Path) -> None:
    """The floor (the child side of `measure`): the windows view with its pages made beforehand."""
    from textual.app import App

    from tui.core.chapter.windows import TextWindows, WindowSettings
    from tui.core.tokens.tokenizer import gpt2
    from tui.screens.windows import WindowsScreen

    tokenizer = gpt2()
    cut = TextWindows.cut(str(text), tokenizer, WindowSettings())
    pages = [cut.page(index, tokenizer.vocab.label, "en") for index in range(KEYS + 1)]

    class FloorApp(App[None]):
        def on_mount(self) -> None:
            self.push_screen(WindowsScreen("The book's windows", len(pages), pages.__getitem__, lambda index: None))

    FloorApp().run()


def main() -> int:
    parser = round_parser(__doc__, "rounds per terminal (median)", sizes=False)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--pin", action="store_true", help="the apps on CPU 1, this script on CPU 0")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    if args.pin:
        os.sched_setaffinity(0, {0})
    print(machine_header("bench_windows_keys: CPU time per → in the windows view, 1 MB of text (schedstat)"))
    with tempfile.TemporaryDirectory() as folder:
        text = Path(folder) / "text.txt"
        write_text(text)
        print("\n" + app_against_floor(lambda variant, terminal: measure(variant, text, terminal, args.pin), rounds(args), KEYS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
