"""Section 2.6: a text cut into input → target windows by the book's sliding-window `Dataset`, batched by a
real `DataLoader`.

`GPTDatasetV1` is the book's class with the tokenizer's IDs given to it: the same loop
(`for i in range(0, len(token_ids) - max_length, stride)`), the same chunks, the same order.
`create_dataloader_v1`'s `DataLoader` keeps `drop_last=True`; a shuffle draws from its own seeded
generator, so the same settings give the same batches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.messages import Message, MessageError, translate
from tui.core.paths import Kind, kind_of
from tui.core.text import printable

if TYPE_CHECKING:
    import torch

    from tui.core.tokenizer import TextTokenizer, Tokens

EXCERPT = 12  # tokens of the text shown on each side of a batch's first window


class WindowsError(MessageError):
    """A text or a setting the windows cannot be made from."""


@dataclass(frozen=True)
class WindowSettings:
    """`create_dataloader_v1`'s settings (the book's example of batches: 8, 4, 4, no shuffle)."""

    max_length: int = 4
    stride: int = 4
    batch_size: int = 8
    shuffle: bool = False
    seed: int = 123  # the shuffle's generator

    def check(self) -> None:
        for name in ("max_length", "stride", "batch_size"):
            value = getattr(self, name)
            if value < 1:
                raise WindowsError(Message("windows.positive", {"name": name.replace("_", "-"), "value": value}))


def read_text(path: str | Path) -> str:
    """A UTF-8 text file, whole; what else lies at the path is said, not read."""
    path = Path(path)
    kind, error = kind_of(path)
    if kind is not Kind.FILE:
        raise WindowsError(Message(f"windows.{kind.value}", {"path": str(path), "error": error}))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise WindowsError(Message("windows.not_utf8", {"path": str(path), "byte": error.start})) from None
    if not text.strip():
        raise WindowsError(Message("windows.empty", {"path": str(path)}))
    return text


def dataset(token_ids: list[int], settings: WindowSettings) -> torch.utils.data.Dataset:
    """The book's `GPTDatasetV1` over these IDs; at least `max_length + 1` of them (one window and its target)."""
    from torch.utils.data import Dataset

    settings.check()
    if len(token_ids) < settings.max_length + 1:
        raise WindowsError(Message("windows.too_short", {"tokens": len(token_ids), "needed": settings.max_length + 1}))

    class GPTDatasetV1(Dataset):
        def __init__(self, token_ids: list[int], max_length: int, stride: int) -> None:
            import torch

            self.input_ids, self.target_ids = [], []
            for i in range(0, len(token_ids) - max_length, stride):
                self.input_ids.append(torch.tensor(token_ids[i : i + max_length]))
                self.target_ids.append(torch.tensor(token_ids[i + 1 : i + max_length + 1]))

        def __len__(self) -> int:
            return len(self.input_ids)

        def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
            return self.input_ids[index], self.target_ids[index]

    return GPTDatasetV1(token_ids, settings.max_length, settings.stride)


def loader(windows: torch.utils.data.Dataset, settings: WindowSettings) -> torch.utils.data.DataLoader:
    """`create_dataloader_v1`'s `DataLoader`: `drop_last=True`, no worker processes."""
    import torch
    from torch.utils.data import DataLoader

    generator = torch.Generator().manual_seed(settings.seed)
    return DataLoader(
        windows, batch_size=settings.batch_size, shuffle=settings.shuffle, drop_last=True, num_workers=0, generator=generator
    )


def pick(batches: list, index: int, windows: int, settings: WindowSettings) -> tuple[torch.Tensor, torch.Tensor]:
    """Batch `index` (inputs, targets); a message when there is none, or none at all (drop_last)."""
    if not batches:
        raise WindowsError(Message("windows.no_batches", {"windows": windows, "batch_size": settings.batch_size}))
    if index >= len(batches):
        raise WindowsError(Message("windows.no_batch", {"index": index, "batches": len(batches), "last": len(batches) - 1}))
    return batches[index]


@dataclass(frozen=True)
class TextWindows:
    """A text cut into the book's windows and the DataLoader's batches: what `windows` prints and the windows
    view pages through. `starts[b]` is where batch b's first window starts in the text's tokens."""

    path: str
    tokenizer: str
    tokens: Tokens
    settings: WindowSettings
    windows: int
    batches: list[tuple[torch.Tensor, torch.Tensor]]
    starts: list[int]

    @classmethod
    def cut(cls, path: str, tokenizer: TextTokenizer, settings: WindowSettings) -> TextWindows:
        settings.check()
        tokens = tokenizer.encode(read_text(path))
        made = dataset(list(tokens.ids), settings)
        batches = list(loader(made, settings))
        starts = [indices[0] * settings.stride for indices in loader(made, settings).batch_sampler]  # same seed: same order
        return cls(path, tokenizer.name, tokens, settings, len(made), batches, starts)

    def batch(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return pick(self.batches, index, self.windows, self.settings)

    def page(self, index: int, label: Callable[[int], str | None], lang: str) -> str:
        """Batch `index` as the book shows it: how many windows and batches, the text around its first
        window (marked ⟦ ⟧), that window's context ----> target pairs (IDs, then tokens), and `inputs` and
        `targets` as torch prints them."""
        inputs, targets = self.batch(index)
        settings, ids = self.settings, self.tokens.ids

        def t(key: str, **params: object) -> str:
            return translate(lang, key, **params)

        summary = t(
            "windows.summary", path=self.path, tokens=len(ids), tokenizer=self.tokenizer, windows=self.windows,
            max_length=settings.max_length, stride=settings.stride, batches=len(self.batches),
            batch_size=settings.batch_size, shuffle=settings.shuffle,
        )
        start = self.starts[index]
        end = start + settings.max_length
        pieces = self.tokens.pieces
        excerpt = "".join(pieces[max(0, start - EXCERPT) : start]) + "⟦" + "".join(pieces[start:end]) + "⟧"
        excerpt += "".join(pieces[end : end + EXCERPT])
        window = ids[start : end + 1]
        pairs = [f"{list(window[:cut])} ----> {window[cut]}" for cut in range(1, len(window))]
        shown = [label(token_id) or "·" for token_id in window]
        pairs += [f"{''.join(shown[:cut])} ----> {shown[cut]}" for cut in range(1, len(window))]
        return "\n".join(
            [
                printable(summary),
                "",
                printable("…" + excerpt.replace("\n", " ⏎ ") + "…"),
                "",
                t("windows.pairs"),
                *pairs,
                "",
                t("windows.batch", index=index, batches=len(self.batches), last=len(self.batches) - 1),
                "inputs:",
                repr(inputs),
                "",
                "targets:",
                repr(targets),
            ]
        )
