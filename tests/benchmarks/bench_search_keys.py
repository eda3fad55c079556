"""Searching a 128,256-token vocabulary as a query is typed: ms of CPU per key, the search alone.

Run from the repository root, in the venv:

    python tests/benchmarks/bench_search_keys.py            # 3 rounds
    python tests/benchmarks/bench_search_keys.py --quick    # 1 round

The vocabulary is GPT-2's 50,257 tokens (decoded, as the app reads encoder.json), then each of them again
with `s` and with `ed` appended, cut at 128,256 (Llama 3's size; no tokenizer of that size is on this
machine offline). Each query is typed a key at a time (`t`, `th`, `the`, …) and every prefix is searched,
as the search box does, keeping the first 100 matches. Measured: the index's build (both the shown and the
case-folded labels) and CPU per key for each typed query, and the same keys searched by a plain Python loop
over the labels (precomputed, folded: `needle in label`, no ranking), the obvious way to do it. The frame
that shows the matches is measured by the terminal benchmarks. Target (issue 15): a few ms per key, here
≤ 5 ms for the slowest query's median key. Not collected by pytest.
"""

from __future__ import annotations

import time

from _bench_common import machine_header, median, round_parser, rounds, table, verdict

from tui.core.texts.shown import visible
from tui.core.tokens.tokenizer import gpt2_data
from tui.core.tokens.vocab import Vocab, load_vocab
from tui.core.tokens.vocab_search import VocabIndex, parse_query

SIZE = 128_256
SUFFIXES = ("", "s", "ed")
QUERIES = ("the", " the", "^the", "^the$", "ing$", "The", "e", "embedding", "␣of", "zzq")
TARGET = 5.0  # ms per key
REPEATS = 20  # searches of each key per round: CPU time is read over all of them


def vocabulary() -> Vocab:
    """GPT-2's tokens, then again with each suffix, cut at SIZE."""
    gpt2 = load_vocab(gpt2_data() / "encoder.json")
    tokens = [token + suffix for suffix in SUFFIXES for token in gpt2.tokens if token is not None]
    return Vocab(gpt2.path, tuple(tokens[:SIZE]))


def keys(query: str) -> list[str]:
    """What the search box holds after each key of `query`."""
    return [query[:end] for end in range(1, len(query) + 1)]


def cpu_ms_per_key(search, typed: list[str]) -> float:  # type: ignore[no-untyped-def]
    started = time.process_time()
    for _ in range(REPEATS):
        for text in typed:
            search(text)
    return (time.process_time() - started) * 1000 / (REPEATS * len(typed))


def plain_loop(labels: list[str], folded: list[str]):  # type: ignore[no-untyped-def]
    """The obvious search: every label tested with `in`, in Python."""

    def search(typed: str) -> list[int]:
        query = parse_query(typed)
        pool = labels if query.case_sensitive else folded
        return [token_id for token_id, label in enumerate(pool) if query.text and query.text in label]

    return search


def main() -> None:
    args = round_parser(__doc__, "rounds", sizes=False).parse_args()
    vocab = vocabulary()
    builds, per_key, loop = [], {query: [] for query in QUERIES}, {query: [] for query in QUERIES}
    labels = [visible(token) for token in vocab.tokens if token is not None]
    folded = [label.casefold() for label in labels]
    for _ in range(rounds(args)):
        started = time.process_time()
        index = VocabIndex(vocab.tokens)
        index.search("a")  # builds the folded labels
        index.search("A")  # and the shown ones
        builds.append(time.process_time() - started)
        for query in QUERIES:
            per_key[query].append(cpu_ms_per_key(lambda text: index.search(text, limit=100), keys(query)))
            loop[query].append(cpu_ms_per_key(plain_loop(labels, folded), keys(query)[-1:]))
    print(machine_header(f"Searching {len(vocab):,} tokens as typed (GPT-2's, extended), ms of CPU per key"))
    print(f"index built in {median(builds):.2f} s (both label arrays)")
    rows = []
    for query in QUERIES:
        matches = index.search(query)
        rows.append(
            (
                repr(query),
                len(query),
                f"{matches.total:,}",
                f"{median(per_key[query]):.2f}",
                ", ".join(f"{value:.2f}" for value in per_key[query]),
                f"{median(loop[query]):.1f}",
            )
        )
    print(table(("query", "keys", "matches", "ms/key", "rounds", "plain loop, last key"), rows))
    slowest = max(median(values) for values in per_key.values())
    print(f"slowest query's median key: {slowest:.2f} ms (≤ {TARGET:g} ms: {verdict(slowest <= TARGET)})")


if __name__ == "__main__":
    main()
