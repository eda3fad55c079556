"""A weight file changed on disk under the app: said, and never read again when changed in place."""

import os
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from tui.core.explorer.dialogs import Notice
from tui.core.explorer.explorer import Explorer, Setup
from tui.core.files.file_watch import Change, FileWatch
from tui.core.files.weights import open_weights


@pytest.fixture
def opened(tmp_path: Path) -> tuple[Explorer, Path, torch.Tensor]:
    torch.manual_seed(5)
    weight = torch.randn(1000, 256)  # 1 KB a row: most rows lie on pages past the first
    save_file({"wte.weight": weight}, tmp_path / "m.safetensors")
    explorer = Explorer(Setup.of(weights=open_weights(tmp_path / "m.safetensors"), ids="2, 3", lang="en"))
    explorer.settle(explorer.start())
    return explorer, tmp_path / "m.safetensors", weight


def test_a_watch_tells_a_file_written_in_place_from_one_replaced(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    watch = FileWatch(path)
    assert watch.check() is Change.NONE
    (tmp_path / "g").write_bytes(b"y" * 100)
    os.replace(tmp_path / "g", path)  # as a checkpoint is saved: the mapped pages are still the old file's
    assert watch.check() is Change.REPLACED
    watch = FileWatch(path)
    os.truncate(path, 10)
    assert watch.check() is Change.WRITTEN
    path.unlink()
    assert watch.check() is Change.REPLACED


def test_a_file_cut_short_is_never_read_again_and_the_screen_keeps_what_it_shows(opened) -> None:
    explorer, path, weight = opened
    shown = explorer.view()
    assert explorer.check_file() is None  # nothing changed
    os.truncate(path, 100)  # reading a row past the new end would kill the process (SIGBUS)
    view = explorer.check_file()
    assert isinstance(view.dialog, Notice) and view.status.error
    assert view.status.text.startswith("m.safetensors was cut on disk from 1.0 MB to 100 B while it was open")
    assert view.result.text == shown.result.text and explorer.session.file.changed is not None
    assert view.matrix.rows.row(500, 0, 4).size == 0  # the matrix reads nothing more
    view = explorer.edit("2, 3, 700", 9)
    assert view.status.error and "was cut on disk" in view.status.text and explorer.lookup.ids == (2, 3)
    explorer.toggle("freeze")  # trainable, as a file's layer is not at first
    for action in (explorer.backward, explorer.reset, explorer.copy_code):
        view = explorer.settle(action())
        assert view.status.error and "was cut on disk" in view.status.text
    assert explorer.check_file() is None  # said once


def test_a_file_written_in_place_at_the_same_size_is_not_read_again(opened) -> None:
    explorer, path, weight = opened
    with path.open("r+b") as file:
        file.seek(-1024, os.SEEK_END)
        file.write(np.ones(256, dtype=np.float32).tobytes())
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a write, even within the clock's tick
    view = explorer.check_file()
    assert isinstance(view.dialog, Notice) and "was written to on disk while it was open" in view.status.text


def test_a_file_replaced_keeps_the_one_opened(opened, tmp_path: Path) -> None:
    explorer, path, weight = opened
    save_file({"wte.weight": torch.zeros(1000, 256)}, tmp_path / "new.safetensors")
    os.replace(tmp_path / "new.safetensors", path)
    view = explorer.check_file()
    assert view.dialog is None and not view.status.error and "replaced or removed on disk" in view.status.text
    view = explorer.edit("2, 3, 700", 9)
    assert view.result.text == repr(torch.nn.Embedding.from_pretrained(weight)(torch.tensor([2, 3, 700])))
