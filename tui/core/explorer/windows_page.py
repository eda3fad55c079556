"""A batch of the text's windows as the book shows it (section 2.6): the windows view (F11) and the `windows`
command print the same page."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.core.texts.shown import printable

if TYPE_CHECKING:
    from tui.core.chapter.windows import TextWindows

EXCERPT = 12  # tokens of the text shown on each side of a batch's first window


def page(windows: TextWindows, index: int, label: Callable[[int], str | None], t: Callable[..., str]) -> str:
    """Batch `index`: how many windows and batches, the text around its first window (marked ⟦ ⟧; … where
    the text goes on beyond what is shown), that window's context ----> target pairs (IDs, then tokens),
    and `inputs` and `targets` as torch prints them; `t` renders the sentences in the reader's language."""
    inputs, targets = windows.batch(index)
    settings, tokens = windows.settings, windows.tokens
    summary = t(
        "windows.summary", path=windows.path, tokens=len(tokens.ids), tokenizer=windows.tokenizer.name, windows=windows.windows,
        max_length=settings.max_length, stride=settings.stride, batches=windows.batches,
        batch_size=settings.batch_size, shuffle=settings.shuffle,
    )
    start = windows.start(index)
    end = start + settings.max_length

    def pieces(first: int, stop: int) -> str:
        return "".join(tokens.piece(at) for at in range(max(0, first), min(stop, len(tokens.ids))))

    cut_before, cut_after = "…" if start > EXCERPT else "", "…" if end + EXCERPT < len(tokens.ids) else ""
    excerpt = cut_before + pieces(start - EXCERPT, start) + "⟦" + pieces(start, end) + "⟧" + pieces(end, end + EXCERPT) + cut_after
    window = tokens.ids[start : end + 1].tolist()
    pairs = [f"{list(window[:cut])} ----> {window[cut]}" for cut in range(1, len(window))]
    shown = [label(token_id) or "·" for token_id in window]
    pairs += [f"{''.join(shown[:cut])} ----> {shown[cut]}" for cut in range(1, len(window))]
    return "\n".join(
        [
            printable(summary),
            "",
            printable(excerpt.replace("\n", " ⏎ ")),
            "",
            t("windows.pairs"),
            *pairs,
            "",
            t("windows.batch", index=index, batches=windows.batches, last=windows.batches - 1),
            "inputs:",
            repr(inputs),
            "",
            "targets:",
            repr(targets),
        ]
    )
