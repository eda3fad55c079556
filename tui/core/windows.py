"""Section 2.6: a text cut into input → target windows by the book's sliding-window `Dataset`, batched by a
real `DataLoader`.

`GPTDatasetV1` is the book's class with the tokenizer's IDs given to it: the same loop
(`for i in range(0, len(token_ids) - max_length, stride)`), the same chunks, the same order.
`create_dataloader_v1`'s `DataLoader` keeps `drop_last=True`; a shuffle draws from its own seeded
generator, so the same settings give the same batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.messages import Message, MessageError
from tui.core.paths import Kind, kind_of

if TYPE_CHECKING:
    import torch


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
