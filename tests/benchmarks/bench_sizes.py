"""Memory of big inputs from outside: a text cut into windows, and a vocab.txt searched by token.

Run from the repository root, in the venv:

    python tests/benchmarks/bench_sizes.py                  # 20 MB and 200 MB texts, a 100 MB vocab.txt
    python tests/benchmarks/bench_sizes.py --texts 20 --vocab 10

The inputs are written in /tmp (repeated, varied words; not committed) and each measure is the peak RSS
(`ru_maxrss`) of a fresh process. Windows: `TextWindows.cut` with GPT-2's tokenizer and the book's settings,
then its first batch, against a bare process that imports torch and builds the tokenizer (target: a 20 MB
text ≤ bare + 300 MB; a 200 MB one works). Vocabulary: `load_vocab` and a `find` that matches nothing (the
whole file searched, then searched folded: the worst case), against a bare process that imports the module,
as a ratio to the file's size (target: in proportion to the file, not ten times it). Not collected by pytest.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from _bench_common import machine_header, table, verdict

ROOT = Path(__file__).resolve().parents[2]
WORDS = "the cat sat on a mat while seven quick foxes jumped over lazy brown dogs near riverbanks and old stone bridges".split()


def peak(code: str) -> tuple[float, float]:
    """Peak RSS in MB and seconds of a fresh Python running `code` after `import torch`."""
    script = f"import resource, torch\n{code}\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode:
        return float("nan"), time.perf_counter() - started
    return float(done.stdout.split()[-1]), time.perf_counter() - started


def text_file(megabytes: int) -> Path:
    path = Path(f"/tmp/bench_sizes_text_{megabytes}mb.txt")
    if not path.exists() or path.stat().st_size < megabytes * 10**6:
        line = " ".join(f"{WORDS[(i * 7 + i // 13) % len(WORDS)]}{'.' if i % 11 == 0 else ''}" for i in range(2000)) + "\n"
        with path.open("w", encoding="utf-8") as out:
            for _ in range(megabytes * 10**6 // len(line) + 1):
                out.write(line)
    return path


def vocab_file(megabytes: int) -> Path:
    path = Path(f"/tmp/bench_sizes_vocab_{megabytes}mb.txt")
    if not path.exists() or path.stat().st_size < megabytes * 10**6:
        with path.open("w", encoding="utf-8") as out:
            written, i = 0, 0
            while written < megabytes * 10**6:
                line = f"{WORDS[i % len(WORDS)]}{i}\n"
                written += out.write(line)
                i += 1
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, nargs="+", default=[20, 200], help="text sizes in MB")
    parser.add_argument("--vocab", type=int, default=100, help="vocab.txt size in MB")
    args = parser.parse_args()
    print(machine_header("big inputs: a text's windows, a vocab.txt"))

    bare, bare_s = peak("from tui.core.tokens.tokenizer import gpt2; gpt2()")
    rows = [("bare: import torch, gpt2()", "", f"{bare:.0f}", "", f"{bare_s:.1f}", "")]
    for megabytes in args.texts:
        path = text_file(megabytes)
        code = (
            "from tui.core.chapter.windows import TextWindows, WindowSettings; from tui.core.tokens.tokenizer import gpt2\n"
            f"w = TextWindows.cut({str(path)!r}, gpt2(), WindowSettings()); w.batch(0); print(len(w.tokens.ids), w.windows)"
        )
        used, seconds = peak(code)
        ok = used == used and (megabytes > 20 or used - bare <= 300)
        rows.append((f"windows of a {megabytes} MB text", f"{path.stat().st_size / 1e6:.0f} MB", f"{used:.0f}", f"+{used - bare:.0f}", f"{seconds:.1f}", verdict(ok)))
    print(table(("measure", "file", "peak RSS MB", "over bare", "s", "target"), rows))

    path = vocab_file(args.vocab)
    size = path.stat().st_size / 2**20
    module, _ = peak("import tui.core.tokens.vocab")
    used, seconds = peak(f"from tui.core.tokens.vocab import load_vocab\nv = load_vocab({str(path)!r})\nassert v.find('NO SUCH TOKEN') is None")
    found, found_s = peak(f"from tui.core.tokens.vocab import load_vocab\nv = load_vocab({str(path)!r})\nassert v.find('{WORDS[5]}5') == 5")
    vocab_rows = [
        ("bare: import torch, the vocab module", "", f"{module:.0f}", "", "", ""),
        ("load + find a token (the first line)", f"{size:.0f} MiB", f"{found:.0f}", f"+{found - module:.0f}", f"{(found - module) / size:.1f}", f"{found_s:.1f}"),
        ("load + find nothing (searched folded too)", f"{size:.0f} MiB", f"{used:.0f}", f"+{used - module:.0f}", f"{(used - module) / size:.1f}", f"{seconds:.1f}"),
    ]
    print(table(("vocab.txt", "file", "peak RSS MB", "over bare", "× file", "s"), vocab_rows))


if __name__ == "__main__":
    main()
