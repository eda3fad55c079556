"""The windows view on a 1 MB text with GPT-2's tokenizer: seconds from the tokenizer to the first batch.

Run from the repository root, in the venv:

    python tests/benchmarks/bench_windows.py            # 3 rounds
    python tests/benchmarks/bench_windows.py --quick    # 1 round

The text is made here (200,000 words drawn from a small list, cut at 1,000,000 characters; the project ships
no book text). torch is imported and a first cut made before timing, as in the app, where the layer's job has
imported it. Measured: `TextWindows.cut` (read, tokenize, the book's windows, the loader's order) and its
first batch. Baseline, in the same run: the book's `GPTDatasetV1` as printed (a pair of tensors per window,
made up front) and every batch of `list(DataLoader(...))`, what a first version did. Target (the chapter
issue): ready ≤ 1 s after the tokenizer. Not collected by pytest.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from _bench_common import machine_header, median, round_parser, rounds, table, verdict

from tui.core.chapter.windows import TextWindows, WindowSettings, loader, read_text
from tui.core.tokens.tokenizer import gpt2

WORDS = "the cat sat on a mat and dog log ran far away into trees while birds sang softly".split()
TARGET = 1.0  # seconds


def book_eager(path: Path, tokenizer, settings: WindowSettings) -> int:  # type: ignore[no-untyped-def]
    """The book's class as printed, every window a pair of tensors up front, and every batch made."""
    import torch
    from torch.utils.data import Dataset

    class GPTDatasetV1(Dataset):
        def __init__(self, token_ids: list[int], max_length: int, stride: int) -> None:
            self.input_ids, self.target_ids = [], []
            for i in range(0, len(token_ids) - max_length, stride):
                self.input_ids.append(torch.tensor(token_ids[i : i + max_length]))
                self.target_ids.append(torch.tensor(token_ids[i + 1 : i + max_length + 1]))

        def __len__(self) -> int:
            return len(self.input_ids)

        def __getitem__(self, index: int):  # type: ignore[no-untyped-def]
            return self.input_ids[index], self.target_ids[index]

    ids = list(tokenizer.encode(read_text(path)).ids)
    return len(list(loader(GPTDatasetV1(ids, settings.max_length, settings.stride), settings)))


def write_text(path: Path) -> None:
    """The 1 MB text: 200,000 words drawn (seeded) from a small list, cut at 1,000,000 characters."""
    random.seed(1)
    path.write_text(" ".join(random.choice(WORDS) for _ in range(200_000))[:1_000_000], encoding="utf-8")


def main() -> None:
    args = round_parser(__doc__, "rounds", sizes=False).parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "text.txt"
        write_text(path)
        tokenizer, settings = gpt2(), WindowSettings()
        TextWindows.cut(str(path), tokenizer, settings).batch(0)  # torch's data modules imported, as in the app
        view, eager = [], []
        for _ in range(rounds(args)):
            started = time.perf_counter()
            cut = TextWindows.cut(str(path), tokenizer, settings)
            cut.batch(0)
            view.append(time.perf_counter() - started)
            started = time.perf_counter()
            book_eager(path, tokenizer, settings)
            eager.append(time.perf_counter() - started)
    print(machine_header("The windows view: 1 MB of text, GPT-2's tokenizer, the book's batch settings"))
    print(f"{len(cut.tokens.ids):,} tokens, {cut.windows:,} windows, {cut.batches:,} batches")
    rows = [("windows view (TextWindows.cut + batch 0)", f"{median(view):.2f}", f"{median(view) / median(eager):.2f}", verdict(median(view) <= TARGET))]
    rows.append(("book's class as printed + list(DataLoader)", f"{median(eager):.2f}", "1.00", verdict(median(eager) <= TARGET)))
    print(table(("", "seconds", "÷ baseline", f"≤ {TARGET:g} s"), rows))


if __name__ == "__main__":
    main()
