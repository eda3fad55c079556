"""Section 2.6: a text cut into input → target windows by the book's sliding-window `Dataset`, batched by a
real `DataLoader`.

`GPTDatasetV1` is the book's class with the tokenizer's IDs given to it: the same loop
(`for i in range(0, len(token_ids) - max_length, stride)`), the same chunks, the same order.
`create_dataloader_v1`'s `DataLoader` keeps `drop_last=True`; a shuffle draws from its own seeded
generator, so the same settings give the same batches.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.chapter.code import windows_script
from tui.core.files import paths as files
from tui.core.files.limits import batch_bytes, check_windows, cost
from tui.core.files.paths import FileProblem
from tui.core.texts.messages import Message, MessageError
from tui.core.tokens.parse import whole_number

if TYPE_CHECKING:
    import torch

    from tui.core.tokens.tokenizer import LongTokens, TextTokenizer

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

    def code(self) -> str:
        """As `create_dataloader_v1` takes them: `batch_size=8, max_length=4, stride=4, shuffle=False`."""
        return f"batch_size={self.batch_size}, max_length={self.max_length}, stride={self.stride}, shuffle={self.shuffle}"

    def text(self) -> str:
        """As they are typed to change them: `max_length=4 stride=4 batch_size=8 shuffle=False`."""
        return f"max_length={self.max_length} stride={self.stride} batch_size={self.batch_size} shuffle={self.shuffle}"

    def changed(self, text: str) -> WindowSettings:
        """These settings with those `text` gives (`stride=1 shuffle=True`, any of them, in any order); a
        `WindowsError` says what is wrong and what is valid."""
        values: dict[str, object] = {}
        for item in text.replace(",", " ").split():
            name, _, value = item.partition("=")
            if name not in SETTINGS:
                raise WindowsError(Message("windows.setting_unknown", {"item": item, "names": ", ".join(SETTINGS)}))
            if name == "shuffle":
                if value not in ("True", "False"):
                    raise WindowsError(Message("windows.setting_shuffle", {"value": value}))
                values[name] = value == "True"
                continue
            try:
                values[name] = whole_number(value)
            except ValueError:
                values[name] = 0  # refused by check(), which names the setting
            if values[name] < 1:
                raise WindowsError(Message("windows.setting_positive", {"name": name, "value": value}))
        return replace(self, **values)


SETTINGS = ("max_length", "stride", "batch_size", "shuffle")


def read_text(path: str | Path) -> str:
    """A UTF-8 text file, whole; what else lies at the path is said, not read."""
    try:
        text = files.read_text(path)
    except FileProblem as error:
        raise WindowsError(error.message) from None
    except UnicodeDecodeError as error:
        raise WindowsError(Message("windows.not_utf8", {"path": str(path), "byte": error.start})) from None
    if not text.strip():
        raise WindowsError(Message("windows.empty", {"path": str(path)}))
    return text


def dataset(token_ids: torch.Tensor, settings: WindowSettings) -> torch.utils.data.Dataset:
    """The book's `GPTDatasetV1` over these IDs (one `torch.long` tensor), once `limits.check_windows` says
    the settings fit them: at least one window and its target, a batch within the windows."""
    from torch.utils.data import Dataset

    check_windows(len(token_ids), settings.max_length, settings.stride, settings.batch_size)

    class GPTDatasetV1(Dataset):
        """The book's class, its loop unchanged as a `range` of starts; each window and its target are views
        of the one tensor of IDs, which the loader's collate stacks into a batch (a 20 MB text has five
        million tokens: no Python object for each)."""

        def __init__(self, token_ids: torch.Tensor, max_length: int, stride: int) -> None:
            self.token_ids, self.max_length = token_ids, max_length
            self.starts = range(0, len(token_ids) - max_length, stride)

        def __len__(self) -> int:
            return len(self.starts)

        def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
            i = self.starts[index]
            return self.token_ids[i : i + self.max_length], self.token_ids[i + 1 : i + self.max_length + 1]

    return GPTDatasetV1(token_ids, settings.max_length, settings.stride)


def loader(windows: torch.utils.data.Dataset | range, settings: WindowSettings) -> torch.utils.data.DataLoader:
    """`create_dataloader_v1`'s `DataLoader`: `drop_last=True`, no worker processes."""
    import torch
    from torch.utils.data import DataLoader

    generator = torch.Generator().manual_seed(settings.seed)
    return DataLoader(
        windows, batch_size=settings.batch_size, shuffle=settings.shuffle, drop_last=True, num_workers=0, generator=generator
    )


def order(windows: int, settings: WindowSettings) -> torch.Tensor:
    """The windows in the order the loader reads them: in turn, or shuffled as the loader over them
    shuffles (its generator draws its base seed, then the sampler's permutation): one tensor, not a list
    per batch."""
    import torch

    if not settings.shuffle:
        return torch.arange(windows)
    (everything,) = loader(range(windows), replace(settings, batch_size=windows))
    return everything


def pick(batches: int, index: int) -> None:
    """Refuse a batch `index` that the `batches` of the loader do not have (`limits.check_windows` made sure
    there is one)."""
    if not 0 <= index < batches:
        raise WindowsError(Message("windows.no_batch", {"index": index, "batches": batches, "last": batches - 1}))


@dataclass(frozen=True)
class TextWindows:
    """A text cut into the book's windows and the DataLoader's batches: what `windows` prints and the windows
    view pages through. Batch b is windows `order[b * batch_size : (b + 1) * batch_size]`."""

    path: str
    tokenizer: TextTokenizer  # the one that cut the text: a new cut and the copied script use it again
    tokens: LongTokens
    settings: WindowSettings
    dataset: torch.utils.data.Dataset
    order: torch.Tensor  # the windows in the loader's order

    @classmethod
    def cut(cls, path: str, tokenizer: TextTokenizer, settings: WindowSettings) -> TextWindows:
        settings.check()
        batch = {"batch_size": settings.batch_size, "max_length": settings.max_length}
        cost(batch_bytes(settings.max_length, settings.batch_size), Message("limits.what_batch", batch))
        tokens = tokenizer.encode_long(read_text(path))
        made = dataset(tokens.ids, settings)
        return cls(path, tokenizer, tokens, settings, made, order(len(made), settings))

    @property
    def windows(self) -> int:
        return len(self.dataset)

    @property
    def batches(self) -> int:
        return self.windows // self.settings.batch_size  # drop_last

    def indices(self, index: int) -> list[int]:
        """Batch `index`'s windows, in the loader's order."""
        size = self.settings.batch_size
        return self.order[index * size : (index + 1) * size].tolist()

    def start(self, index: int) -> int:
        """Where batch `index`'s first window starts in the text's tokens."""
        return self.indices(index)[0] * self.settings.stride

    def batch(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Batch `index` as the loader gives it: its sampler's windows through torch's default collate,
        what a `DataLoader` without worker processes does for each batch."""
        from torch.utils.data import default_collate

        pick(self.batches, index)
        return default_collate([self.dataset[window] for window in self.indices(index)])

    def script(self, index: int) -> str | None:
        """The book's code that prints batch `index`; None when the tokenizer cannot be written as code
        (the book's SimpleTokenizerV2 built from a text)."""
        if self.tokenizer.code is None:
            return None
        return windows_script(self.path, self.tokenizer.code, self.settings.code(), self.settings.seed, index)
