"""CPU time per key typed into Ctrl+F's search, over 128,256 tokens, in a real terminal, against a floor.

Run from the repository root, in the venv:

    python tests/benchmarks/bench_search_terminal.py            # 3 rounds, both terminal sizes
    python tests/benchmarks/bench_search_terminal.py --pin      # the apps on CPU 1, this script on CPU 0

The app: `python -m tui --vocab-size 128256 --dim 64 --vocab VOCAB` (bench_search_keys.py's vocabulary: GPT-2's
tokens, then again with `s` and `ed`), Ctrl+F, then the queries below typed a key every 60 ms, each erased
with backspaces: every key searches the 128k labels and lists the matches. The floor: the same
`SearchScreen` alone, its answer to every line the keys make found before it starts, so a key only edits the
line and repaints the list. Measured as bench_keys_terminal.py measures: CPU per key from /proc schedstat,
idle CPU subtracted, medians of rounds. Target (issue 15): app ≤ 1.25 × floor. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from _bench_common import machine_header, round_parser, rounds
from bench_keys_terminal import SETTLE, app_against_floor, cpu_per_key, pinned
from bench_search_keys import vocabulary
from bench_startup import Terminal

QUERIES = ("the", "^emb", "ing$", "The", "e", "␣of")
BACKSPACE, CTRL_F = b"\x7f", b"\x06"
PROMPT = b"Find a token"


def typed() -> list[str]:
    """Each key of each query, then a backspace per key: the line empty again before the next."""
    keys: list[str] = []
    for query in QUERIES:
        keys += [*query, *["backspace"] * len(query)]
    return keys


def lines() -> list[str]:
    """What the search line holds after each key of `typed()`."""
    line, held = "", []
    for key in typed():
        line = line[:-1] if key == "backspace" else line + key
        held.append(line)
    return held


def argv_for(variant: str, vocab: Path) -> list[str]:
    if variant == "app":
        return [sys.executable, "-m", "tui", "--vocab-size", "128256", "--dim", "64", "--vocab", str(vocab), "--lang", "en"]
    return [sys.executable, str(Path(__file__)), "--serve", str(vocab)]


def measure(variant: str, vocab: Path, terminal: tuple[int, int], pin: bool) -> float:
    """CPU ms per key of one fresh process, idle CPU subtracted."""
    argv = argv_for(variant, vocab)
    term = Terminal(pinned(argv) if pin else argv, terminal)
    try:
        if variant == "app":
            term.wait_for(b"layer.weight")  # the matrix title
            term.drain(SETTLE)
            os.write(term.fd, CTRL_F)
        term.wait_for(PROMPT)
        return cpu_per_key(term, [BACKSPACE if key == "backspace" else key.encode() for key in typed()])
    finally:
        term.close(b"\x1b\x11")  # Esc closes the search, Ctrl+Q quits


def serve(vocab_path: Path) -> None:
    """The floor (the child side of `measure`): the search screen, every answer found beforehand."""
    from textual.app import App

    from tui.core.tokens.vocab import load_vocab
    from tui.screens.search import SHOWN, SearchScreen

    vocab = load_vocab(vocab_path)
    index = vocab.search_index.built()
    answers = {line: index.search(line, SHOWN, False) for line in {"", *lines()}}

    class Answered:
        """The index's answers, looked up: the search costs nothing."""

        def search(self, line: str, limit: int, case_sensitive: bool) -> object:
            return answers[line]

    class FloorApp(App[None]):
        def on_mount(self) -> None:
            screen = SearchScreen(vocab, "en")
            screen._build = lambda: screen._ready(Answered())  # noqa: SLF001 - the floor: nothing to build
            self.push_screen(screen)

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
    print(machine_header("bench_search_terminal: CPU time per key in Ctrl+F's search over 128,256 tokens (schedstat)"))
    with tempfile.TemporaryDirectory() as folder:
        vocab = Path(folder) / "vocab.txt"
        vocab.write_text("".join(token.replace("\n", " ") + "\n" for token in vocabulary().tokens), encoding="utf-8")
        print("\n" + app_against_floor(lambda variant, terminal: measure(variant, vocab, terminal, args.pin), rounds(args), len(typed())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
