"""Training a byte pair encoding tokenizer from a text (issue 25, `bpe --train`): `BPETokenizer.train`, whose
pair counts are updated only around each merge, beside the naive algorithm (every pair counted again after
each merge, as the bonus notebook does: the plain class copy-as-code writes, `tokens/bpe_code.py`), in the
same run.

Run from the repository root, in the venv:

    python tests/benchmarks/bench_bpe_training.py            # 3 rounds
    python tests/benchmarks/bench_bpe_training.py --quick    # 1 round

The text is the repository's own: its Markdown and Python files (sorted by path) joined and cut to the size
measured; nothing is downloaded. Each measurement is a fresh process:

* ours 1 MB: 1,000,000 characters to a vocabulary of 5,000 (4,742 merges with Ġ and <|endoftext|>, plus the
  text's characters above 255). Target (issue 25): ≤ 30 s.
* ours 100 KB, naive 100 KB: 100,000 characters to a vocabulary of 1,000, both. The naive algorithm on the
  1 MB text would take most of an hour (about 0.3 s a merge), so the two are compared on the smaller text;
  both print a digest of their merges, which must be equal. Both without special tokens: the repository's
  text spells `<|endoftext|>` out, which ours keeps whole (a wall no merge crosses) and the notebook does not.

Not collected by pytest (no `test_` names).
"""

from __future__ import annotations

from _bench_common import CHILD_PRELUDE, REPO, machine_header, measured_rounds, round_parser, rounds, run_child, table, verdict

SIZES = {"1 MB": (1_000_000, 5000), "100 KB": (100_000, 1000)}
TARGET = 30.0
MODES = ("ours 1 MB", "ours 100 KB", "naive 100 KB")

# Run in a child: prints one JSON line of seconds, merges and a digest of them.
CHILD = CHILD_PRELUDE + """
import hashlib, subprocess
from pathlib import Path
mode, characters, vocab_size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
files = sorted(subprocess.run(["git", "ls-files", "*.md", "*.py"], capture_output=True, text=True, check=True).stdout.split())
text = "".join(Path(name).read_text(encoding="utf-8") for name in files)[:characters]

def naive(text, vocab_size):
    # the plain class copy-as-code writes (every pair counted again after each merge), run as a script runs it
    from tui.core.tokens.bpe_code import BPE_CLASS
    import re
    from collections import Counter
    plain = {"re": re, "Counter": Counter}  # what the script imports above the class
    exec(BPE_CLASS, plain)
    tokenizer = plain["BPETokenizerSimple"]()
    tokenizer.train(text, vocab_size, allowed_special=())
    return list(tokenizer.bpe_merges.items())

started = time.perf_counter()
if mode.startswith("naive"):
    merges = naive(text, vocab_size)
else:
    from tui.core.tokens.bpe_training import BPETokenizer
    tokenizer = BPETokenizer()
    tokenizer.train(text, vocab_size, allowed_special=() if mode.endswith("100 KB") else ("<|endoftext|>",))
    merges = [(merge.pair, merge.token) for merge in tokenizer.merges]
seconds = time.perf_counter() - started
digest = int(hashlib.sha256(repr(merges).encode()).hexdigest()[:12], 16)
print(json.dumps({"seconds": seconds, "merges": len(merges), "digest": digest, "anon_mb": rss_anon()}))
"""


def main() -> None:
    args = round_parser(__doc__, "rounds (each mode a fresh process per round)", sizes=False).parse_args()
    print(machine_header("BPE training: pair counts kept, or recounted after each merge"), flush=True)
    if not (REPO / ".git").exists():
        raise SystemExit("run from a git checkout: the text is the repository's files")

    def measure(mode: str) -> dict[str, float]:
        characters, vocab_size = SIZES[mode.split(" ", 1)[1]]
        return run_child(CHILD, mode, str(characters), str(vocab_size))

    median = measured_rounds(measure, MODES, rounds(args))
    rows = []
    for mode in MODES:
        characters, vocab_size = SIZES[mode.split(" ", 1)[1]]
        rows.append((mode, f"{characters:,}", f"{vocab_size:,}", int(median(mode, "merges")), f"{median(mode, 'seconds'):.2f}", f"{median(mode, 'anon_mb'):.0f}"))
    print(table(("algorithm", "characters", "vocabulary", "merges", "seconds", "RssAnon MB"), rows))
    same = median("ours 100 KB", "digest") == median("naive 100 KB", "digest")
    ratio = median("naive 100 KB", "seconds") / median("ours 100 KB", "seconds")
    print(f"\nsame merges as the naive algorithm (100 KB): {same}")
    print(f"naive / ours at 100 KB: {ratio:.0f}×")
    print(f"1 MB to 5,000 in ≤ {TARGET:.0f} s: {verdict(median('ours 1 MB', 'seconds') <= TARGET)} ({median('ours 1 MB', 'seconds'):.1f} s)")


if __name__ == "__main__":
    main()
