"""A served session (`embedding-explorer serve`): what it may read (the files and models given, the --files
folder) and where its files go (handed to the browser, never written on the server)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from tui import cli
from tui.core.explorer.changes import Delivered
from tui.core.explorer.dialogs import Act, Ask, Choice, Code, OpenPane, Prompt
from tui.core.explorer.explorer import Explorer, Setup
from tui.core.files import access as access_module
from tui.core.files.access import SERVED, Access
from tui.core.texts.messages import MessageError
from tui.core.texts.shown import printable


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A class's --files folder: a weight file, a model folder, a text, a hidden file, a link leading out, and
    the server's own file beside it."""
    files = tmp_path / "class"
    (files / "model").mkdir(parents=True)
    torch.manual_seed(7)
    save_file({"wte.weight": torch.randn(8, 4)}, files / "tiny.safetensors")
    (files / "model" / "config.json").write_text("{}", encoding="utf-8")
    (files / "the-verdict.txt").write_text("I HAD always thought Jack Gisburn rather a cheap genius", encoding="utf-8")
    (files / ".hidden.txt").write_text("x", encoding="utf-8")
    (files / "notes.md").write_text("x", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("the server's", encoding="utf-8")
    save_file({"wte.weight": torch.zeros(3, 2)}, tmp_path / "secret.safetensors")
    (files / "leak.txt").symlink_to(tmp_path / "secret.txt")
    return files


def served(folder: Path, **settings: object) -> Explorer:
    explorer = Explorer(Setup.of(**{"lang": "en", "ids": "2, 3", **settings}, access=Access.of(str(folder), ["gpt2"])))
    explorer.settle(explorer.start())
    return explorer


# -- the access ------------------------------------------------------------------------------
def test_a_local_session_reads_anything() -> None:
    local = Access.of(None, ["gpt2"])
    assert not local.served and local.allows("/etc/passwd") and local.offered() == ()


def test_a_served_session_reads_the_folder_and_what_was_named_and_nothing_else(folder: Path) -> None:
    access = Access.of(str(folder), ["gpt2", str(folder.parent / "secret.safetensors")])
    assert access.allows(str(folder / "tiny.safetensors")) and access.allows(str(folder / "model"))
    assert access.allows("gpt2") and access.allows(str(folder.parent / "secret.safetensors"))  # named by the teacher
    assert not access.allows(str(folder.parent / "secret.txt"))
    assert not access.allows(str(folder / ".." / "secret.txt"))  # `..` leads out
    assert not access.allows(str(folder / "leak.txt"))  # a link leading out of the folder
    assert not access.allows("org/model") and not access.allows("/etc/passwd")
    with pytest.raises(MessageError) as refused:
        access.checked("/etc/passwd")
    assert refused.value.message.render("en") == f"/etc/passwd is not among the files this session may open: open one the teacher gave (gpt2, {folder.parent / 'secret.safetensors'}) or a file in {folder}."
    assert refused.value.message.render("es").startswith("/etc/passwd no está entre los archivos que esta sesión puede abrir")


def test_the_refusal_names_only_what_there_is(folder: Path) -> None:
    """The folder alone, the names alone, or nothing at all: never an empty list in brackets."""
    said = {
        "folder": Access.of(str(folder), []).refusal("/etc/passwd").render("en"),
        "names": Access.of("", ["gpt2"]).refusal("/etc/passwd").render("en"),
        "none": Access.of("", []).refusal("/etc/passwd").render("en"),
    }
    assert said["folder"].endswith(f"may open: open a file in {folder}.")
    assert said["names"].endswith("may open: open one the teacher gave (gpt2).")
    assert said["none"].endswith("may open: the teacher gave none.")
    assert Access.of("", []).refusal("x").render("es").endswith("el profesor no ha dado ninguno.")


def test_a_model_id_given_is_allowed_by_its_name_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    access = Access.of("", ["org/model"])
    assert access.allows("org/model") and access.folder is None
    (tmp_path / "org" / "model").mkdir(parents=True)  # a folder of that name made later is not the model given
    assert not access.allows("org/model/weights.safetensors")


def test_what_is_offered_is_the_given_names_then_the_folders_openable_files(folder: Path) -> None:
    hostile = folder / "a\x1b[31mred\u202e.txt"
    hostile.write_text("x", encoding="utf-8")
    offered = Access.of(str(folder), ["gpt2"]).offered()
    assert offered == ("gpt2", str(hostile), str(folder / "model"), str(folder / "the-verdict.txt"), str(folder / "tiny.safetensors"))
    assert printable(offered[1]).endswith("a\\x1b[31mred\\u202e.txt")  # what the screens show of it


def test_the_walk_is_bounded_in_entries_and_depth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = tmp_path.joinpath(*"abcdefgh")
    deep.mkdir(parents=True)
    for level in range(1, 9):
        (tmp_path.joinpath(*"abcdefgh"[:level]) / f"level{level}.txt").write_text("x", encoding="utf-8")
    offered = Access.of(str(tmp_path)).offered()
    assert offered == tuple(str(tmp_path.joinpath(*"abcdefgh"[:level]) / f"level{level}.txt") for level in range(1, access_module.OFFERED_DEPTH + 1))
    wide = tmp_path / "wide"
    wide.mkdir()
    for number in range(50):
        (wide / f"{number:02}.txt").write_text("x", encoding="utf-8")
    monkeypatch.setattr(access_module, "OFFERED_ENTRIES", 10)
    assert len(Access.of(str(wide)).offered()) == 10


def test_the_app_alone_is_served_when_the_server_says_so(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Setup] = []
    monkeypatch.setattr("tui.app.ExplorerApp.run", lambda app: made.append(app.explorer.setup))
    monkeypatch.setenv(SERVED, str(folder))
    assert cli.main(["--tokenizer", "gpt2", "--lang", "en"]) == 0
    assert made[0].access == Access.of(str(folder), ["gpt2"])
    monkeypatch.delenv(SERVED)
    assert cli.main(["--lang", "en"]) == 0
    assert made[1].access == Access()


# -- reads through the explorer ----------------------------------------------------------------
def test_a_path_outside_is_refused_and_the_layer_on_screen_stays(folder: Path) -> None:
    explorer = served(folder)
    layer = explorer.session
    pane = explorer.ask_open().panel
    assert isinstance(pane, OpenPane) and pane.offered == ("gpt2", str(folder / "model"), str(folder / "the-verdict.txt"), str(folder / "tiny.safetensors"))
    assert not explorer.jobs.running  # no scan of the Hugging Face cache
    for path in (str(folder.parent / "secret.safetensors"), str(folder / ".." / "secret.safetensors"), str(folder / "leak.txt")):
        view = explorer.answer(pane, pane.parse(path))
        assert view.status.error and view.status.text.startswith(f"{path} is not among the files this session may open")
        assert view.jobs == () and explorer.session is layer and explorer.panel is None
    explorer.settle(explorer.answer(pane, str(folder / "tiny.safetensors")))
    assert explorer.session is not layer and explorer.spec.vocab_size == 8  # what was offered opens


def test_compare_with_a_file_outside_and_a_text_outside_are_refused(folder: Path) -> None:
    explorer = served(folder)
    layer = explorer.session
    view = explorer.compare_with(str(folder.parent / "secret.safetensors"))
    assert view.status.error and view.jobs == () and explorer.sources.other is None
    prompt = explorer.train_tokenizer().dialog
    assert isinstance(prompt, Prompt) and prompt.paths and prompt.offered == explorer.access.offered()
    view = explorer.answer(prompt, prompt.parse(str(folder.parent / "secret.txt")))
    assert view.status.error and view.dialog is None and explorer.session is layer
    size = explorer.answer(prompt, prompt.parse(str(folder / "the-verdict.txt"))).dialog
    assert isinstance(size, Prompt) and size.topic.name == "BPE_SIZE"


# -- writes: handed to the reader --------------------------------------------------------------
def test_the_copied_script_is_delivered_and_nothing_is_written(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    explorer = served(folder)
    code = explorer.copy_code().dialog
    assert isinstance(code, Code) and not code.clipboard
    assert code.explanation.startswith("Run in Python, it prints what the screen shows. Press s to download it as embedding_layer.py")
    assert "clipboard" not in code.explanation
    view = explorer.answer(code, Choice.SAVE)
    assert view.delivered == (Delivered("embedding_layer.py", explorer.code_script()),)
    assert view.status.text == "The script is on its way to your browser as embedding_layer.py: python embedding_layer.py prints what the screen shows."
    assert list(cwd.iterdir()) == []


def test_exports_are_delivered_as_tables_or_the_projectors_pair(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    before = sorted(folder.rglob("*"))
    explorer = served(folder, vocab_size=30, dim=4, ids="1")
    weight = explorer.session.layer.weight.detach()
    panel = explorer.settle(explorer.neighbours(1)).panel
    panel = explorer.settle(explorer.answer(panel, Ask("1"))).panel
    prompt = explorer.answer(panel, Act.EXPORT).dialog
    assert isinstance(prompt, Prompt) and not prompt.paths and prompt.prompt.startswith("Download these rows as a file")
    view = explorer.answer(prompt, prompt.parse("near.csv"))
    (delivered,) = view.delivered
    rows = list(csv.reader(io.StringIO(delivered.text, newline="")))
    assert delivered.name == "near.csv" and rows[0][:4] == ["id", "token", "rank", "cosine"]
    assert [int(row[0]) for row in rows[1:]] == list(panel.ids)
    assert torch.equal(torch.tensor([float(value) for value in rows[1][4:]]), weight[int(rows[1][0])])
    assert view.panel.said.text == f"{len(panel.ids)} rows on their way to your browser as near.csv."
    view = explorer.answer(prompt, prompt.parse("../../etc/near.tsv"))  # only a name counts
    assert [file.name for file in view.delivered] == ["near.tsv"] and "\t" in view.delivered[0].text
    view = explorer.answer(prompt, prompt.parse("projector/"))
    tensor, metadata = view.delivered
    assert (tensor.name, metadata.name) == ("tensor.tsv", "metadata.tsv") and metadata.text.startswith("token\tid\trank\tcosine")
    assert np.array_equal(np.loadtxt(io.StringIO(tensor.text), delimiter="\t", dtype=np.float32), weight[list(panel.ids)].numpy())
    stats = explorer.settle(explorer.statistics()).panel
    view = explorer.answer(explorer.answer(stats, Act.EXPORT).dialog, "looked-up.tsv")
    assert [file.name for file in view.delivered] == ["looked-up.tsv"] and view.delivered[0].text.startswith("id\ttoken\td0")
    assert list(cwd.iterdir()) == [] and sorted(folder.rglob("*")) == before


def test_the_diff_export_is_delivered(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    explorer = served(folder)
    explorer.settle(explorer.step())
    question = explorer.compare().dialog
    diff = explorer.settle(explorer.answer(question, Choice.FIRST)).panel
    prompt = explorer.answer(diff, Act.EXPORT).dialog
    view = explorer.answer(prompt, prompt.parse("ranked.tsv"))
    assert [file.name for file in view.delivered] == ["ranked.tsv"] and view.delivered[0].text.startswith("rank\tid\ttoken")
    view = explorer.answer(prompt, prompt.parse("pair/"))
    assert [file.name for file in view.delivered] == ["tensor.tsv", "metadata.tsv"]
    assert sorted(os.listdir(tmp_path)) == ["class", "secret.safetensors", "secret.txt"]
