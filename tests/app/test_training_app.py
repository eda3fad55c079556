"""The training lab at the keyboard: backward, the grad view, steps, undo, reset and the layer's options."""


import torch
from textual.widgets import Input, OptionList, Select

from tests.app.conftest import running, screen_text
from tui.app import ExplorerApp
from tui.core.chapter.spec import LayerOptions
from tui.screens.choice import ChoiceScreen
from tui.screens.code import CodeScreen
from tui.screens.message import MessageScreen
from tui.screens.options import OptionsScreen
from tui.widgets.matrix_view import MatrixView
from tui.widgets.result_view import ResultView
from tui.widgets.status_bar import StatusBar
from tui.widgets.toggle_bar import ToggleBar

BOOK_IDS = [2, 3, 5, 1, 3]



def row_values(app: ExplorerApp, row: int) -> list[float]:
    """The numbers the matrix shows on `row` (the view is scrolled to the top)."""
    return [float(cell) for cell in app.query_one(MatrixView).render_line(row + 1).text.split()[-3:]]


async def press(app: ExplorerApp, pilot, *keys: str) -> None:
    """Press keys and wait for the lab's worker to finish each."""
    for key in keys:
        await pilot.press(key)
        await app.workers.wait_for_complete()
        await pilot.pause()


async def test_backward_shows_where_the_gradient_goes(book_layer) -> None:
    app = ExplorerApp(ids="2, 3, 5, 1, 3")
    async with running(app, (100, 30)) as pilot:
        await press(app, pilot, "f7")
        matrix = app.query_one(MatrixView)
        assert row_values(app, 3) == [2.0, 2.0, 2.0]  # looked up twice: 1 + 1
        assert row_values(app, 1) == row_values(app, 2) == row_values(app, 5) == [1.0, 1.0, 1.0]
        assert row_values(app, 0) == row_values(app, 4) == [0.0, 0.0, 0.0]
        assert matrix.marked_rows == {1, 2, 3, 5}
        assert "∇×2 @1,4" in matrix.render_line(4).text
        assert str(matrix.border_title) == "layer.weight.grad · (6, 3) · dense · 4 rows ≠ 0"
        layer = book_layer()
        layer(torch.tensor(BOOK_IDS)).sum().backward()
        assert app.query_one(ResultView).text == repr(layer.weight.grad)
        status = app.query_one(StatusBar).text
        assert "rows 1, 2, 3, 5 received gradient; rows 0, 4 stayed exactly 0" in status
        assert app.query_one(ToggleBar).value("grad")
        assert "grad=(6, 3)" in screen_text(app)


async def test_gradients_accumulate_until_zero_grad(book_layer) -> None:
    app = ExplorerApp(ids="2, 3, 5, 1, 3")
    async with running(app, (100, 30)) as pilot:
        await press(app, pilot, "f7", "f7")
        assert row_values(app, 3) == [4.0, 4.0, 4.0]
        await press(app, pilot, "f9")
        assert app.explorer.session.layer.weight.grad is None
        assert not app.query_one(ToggleBar).value("grad")  # nothing left to show
        assert row_values(app, 3) == [round(v, 4) for v in book_layer().weight[3].tolist()]
        assert "weight.grad is None again" in app.query_one(StatusBar).text


async def test_frozen_weight_and_no_grad_give_torchs_error_as_a_lesson() -> None:
    app = ExplorerApp(ids="2, 3")
    async with running(app, (100, 30)) as pilot:
        for toggle in ("f2", "f3"):
            await press(app, pilot, toggle, "f7")
            torch_says = "element 0 of tensors does not require grad and does not have a grad_fn"
            status = app.query_one(StatusBar)
            assert status.has_class("-error") and torch_says in status.text
            assert isinstance(app.screen, MessageScreen)  # the whole lesson, which the status line would cut
            assert torch_says in app.screen.dialog.text and "torch refused backward()" in screen_text(app)
            assert app.explorer.session.layer.weight.grad is None
            await press(app, pilot, "escape", toggle)
        await press(app, pilot, "f7")  # trainable again, autograd on: it works
        assert app.explorer.session.layer.weight.grad is not None


async def test_step_marks_the_changed_rows_shows_before_and_after_and_undo_restores(book_layer) -> None:
    app = ExplorerApp(ids="2, 3, 5, 1, 3")
    async with running(app, (100, 30)) as pilot:
        original = app.explorer.session.layer.weight.detach().clone()
        await press(app, pilot, "f7", "f8")
        layer = book_layer()
        layer(torch.tensor(BOOK_IDS)).sum().backward()
        before = layer.weight.detach()[[1, 2, 3, 5]].clone()
        torch.optim.SGD(layer.parameters(), lr=0.1).step()
        assert torch.equal(app.explorer.session.layer.weight.detach(), layer.weight.detach())
        matrix = app.query_one(MatrixView)
        assert not app.query_one(ToggleBar).value("grad")  # the weight, after the step
        assert "Δ×2 @1,4" in matrix.render_line(4).text and "Δ" not in matrix.render_line(1).text
        result = app.query_one(ResultView)
        assert result.text == f"{before!r}\n↓\n{layer.weight.detach()[[1, 2, 3, 5]]!r}"
        assert "rows 1, 2, 3, 5" in str(result.border_title)
        await pilot.press("backspace", "3")  # typing: the result of the new weight
        assert result.text == repr(layer(torch.tensor(BOOK_IDS)))
        await press(app, pilot, "ctrl+z")
        assert torch.equal(app.explorer.session.layer.weight.detach(), original)
        assert app.explorer.session.layer.weight.grad is not None  # back to just before the step
        await press(app, pilot, "ctrl+z")
        assert "No SGD step to undo" in app.query_one(StatusBar).text
        await press(app, pilot, "f8", "ctrl+r")
        assert torch.equal(app.explorer.session.layer.weight.detach(), original) and app.explorer.session.layer.weight.grad is None


async def test_step_without_gradient_says_to_run_backward_first() -> None:
    app = ExplorerApp(ids="1")
    async with running(app) as pilot:
        await press(app, pilot, "f8")
        assert "run backward() first (F7)" in app.query_one(StatusBar).text
        await press(app, pilot, "ctrl+t")
        assert not app.query_one(ToggleBar).value("grad")
        assert "no gradient to show" in app.query_one(StatusBar).text


async def test_view_key_switches_between_weight_and_grad(book_layer) -> None:
    app = ExplorerApp(ids="2")
    async with running(app, (100, 30)) as pilot:
        await press(app, pilot, "f7", "ctrl+t")
        assert row_values(app, 2) == [1.2753, -0.201, -0.1606]
        assert app.query_one(ResultView).text == repr(book_layer()(torch.tensor([2])))
        await press(app, pilot, "ctrl+t")
        assert row_values(app, 2) == [1.0, 1.0, 1.0]


async def test_options_set_loss_lr_and_rebuild_the_layer_with_padding_idx(book_layer) -> None:
    app = ExplorerApp(ids="2, 3, 5, 1, 3")
    async with running(app, (100, 34)) as pilot:
        await press(app, pilot, "ctrl+o")
        screen = app.screen
        assert isinstance(screen, OptionsScreen)
        screen.query_one("#lr", Input).value = "0.5"
        screen.query_one("#padding_idx", Input).value = "3"
        screen.query_one("#flags", ToggleBar).focus()
        await pilot.press("right", "space")  # sparse on
        assert "[x] sparse" in screen_text(app) and "[ ] scale_grad_by_freq" in screen_text(app)
        screen.query_one("#loss", Select).focus()
        await pilot.press("enter", "down", "enter")  # (result ** 2).mean()
        assert "(result ** 2).mean()" in screen_text(app)
        await press(app, pilot, "ctrl+o")  # ignored: the panel has the keys
        screen.query_one("#lr", Input).focus()
        await press(app, pilot, "enter")
        assert not isinstance(app.screen, OptionsScreen)
        assert (app.explorer.lab.training.loss, app.explorer.lab.training.lr) == ("sqmean", 0.5)
        assert app.explorer.session.layer.padding_idx == 3 and app.explorer.session.layer.sparse
        assert row_values(app, 3) == [0.0, 0.0, 0.0]  # the padding row starts at zero
        assert "padding_idx=3, sparse=True" in app.query_one(StatusBar).text
        assert "Row 3 is padding_idx: it starts at zero and never receives gradient" in app.query_one(StatusBar).text
        await press(app, pilot, "f7")
        layer = book_layer(padding_idx=3, sparse=True)
        (layer(torch.tensor(BOOK_IDS)) ** 2).mean().backward()
        assert app.query_one(ResultView).text == repr(layer.weight.grad)  # indices and values
        assert app.query_one(ResultView).text.startswith("tensor(indices=")
        assert row_values(app, 3) == [0.0, 0.0, 0.0]  # looked up twice, no gradient
        assert "Row 3 is padding_idx" in app.query_one(StatusBar).text
        await press(app, pilot, "f8")
        torch.optim.SGD(layer.parameters(), lr=0.5).step()
        assert torch.equal(app.explorer.session.layer.weight.detach(), layer.weight.detach())


async def test_options_refuse_bad_values_and_keep_the_layer() -> None:
    app = ExplorerApp()
    async with running(app, (100, 34)) as pilot:
        await press(app, pilot, "ctrl+o")
        screen = app.screen
        for field, text, expected in (
            ("padding_idx", "9", "padding_idx must be a whole number from -6 to 5 (got 9)"),
            ("max_norm", "-1", "max_norm must be a number > 0 (got -1.0)"),
            ("lr", "fast", "lr: 'fast' is not a number."),
            ("lr", "-0.1", "The learning rate (lr) must be a number ≥ 0 (got -0.1)"),
        ):
            screen.query_one(f"#{field}", Input).value = text
            screen.query_one(f"#{field}", Input).focus()
            await press(app, pilot, "enter")
            assert app.screen is screen
            assert expected in str(screen.query_one("#options-error").render())
            screen.query_one(f"#{field}", Input).value = {"lr": "0.1"}.get(field, "")
        await press(app, pilot, "escape")
        assert app.explorer.session.spec.options == LayerOptions() and app.explorer.lab.training.lr == 0.1


async def test_max_norm_lookup_changes_the_weight_and_says_which_rows(book_layer) -> None:
    app = ExplorerApp(options=LayerOptions(max_norm=1.0))
    async with running(app, (100, 30)) as pilot:
        await pilot.press(*"0, 1")
        layer = book_layer(max_norm=1.0)
        layer(torch.tensor([0, 1]))
        assert row_values(app, 1) == [round(v, 4) for v in layer.weight[1].tolist()]
        assert "max_norm=1.0: this lookup renormalised rows 1 in place" in app.query_one(StatusBar).text
        assert "Δ@1" in app.query_one(MatrixView).render_line(2).text


async def test_padding_idx_at_launch_is_said(book_layer) -> None:
    app = ExplorerApp(options=LayerOptions(padding_idx=-6))
    async with running(app) as pilot:
        assert row_values(app, 0) == [0.0, 0.0, 0.0]
        assert "Row 0 is padding_idx" in app.query_one(StatusBar).text
        await pilot.press("1")
        assert app.query_one(ResultView).text == repr(book_layer(padding_idx=0)(torch.tensor([1])))


async def test_big_frozen_layer_refuses_backward_without_asking_about_memory() -> None:
    app = ExplorerApp(vocab_size=50257, dim=768, ids="2", freeze=True)
    async with running(app, (100, 30)) as pilot:
        await press(app, pilot, "f7")
        assert not isinstance(app.screen, ChoiceScreen)
        assert "element 0 of tensors does not require grad" in app.query_one(StatusBar).text


async def test_big_dense_gradient_asks_first_and_can_go_sparse() -> None:
    app = ExplorerApp(vocab_size=50257, dim=768, ids="2, 3")
    async with running(app, (100, 30)) as pilot:
        await press(app, pilot, "f7")
        assert isinstance(app.screen, ChoiceScreen)
        assert "154.4 MB" in screen_text(app)
        await press(app, pilot, "escape")
        assert app.explorer.session.layer.weight.grad is None
        await press(app, pilot, "f7", "s")
        assert app.explorer.session.layer.sparse and app.explorer.session.layer.weight.grad.is_sparse
        assert app.query_one(ResultView).text.startswith("tensor(indices=tensor([[2, 3]]),")
        assert "rows 2, 3 received gradient; the other 50255 rows stayed exactly 0" in app.query_one(StatusBar).text


async def test_copy_as_code_copies_the_trained_layer() -> None:
    app = ExplorerApp(ids="2, 3, 5, 1, 3", options=LayerOptions(scale_grad_by_freq=True))
    async with running(app, (100, 30)) as pilot:
        await press(app, pilot, "f7")
        assert "divided by k: rows 3 (×2)." in app.query_one(StatusBar).text
        assert row_values(app, 3) == [1.0, 1.0, 1.0]  # 2 look-ups, divided by 2
        await press(app, pilot, "f8", "f7")
        await pilot.press("backspace", "4")
        await pilot.press("f4")
        script = app.clipboard  # what it prints: tests/core/test_code.py, the same actions
        assert script == app.explorer.code_script()
        assert "scale_grad_by_freq=True" in script and "result.sum().backward()" in script and "optimizer.step()" in script


async def test_command_palette_runs_the_lab_and_help_lists_its_keys() -> None:
    app = ExplorerApp(ids="2, 3")
    async with running(app, (100, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Backward")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.explorer.session.layer.weight.grad is not None and app.query_one(ToggleBar).value("grad")
        await pilot.press("f1")
        await pilot.pause()
        text = screen_text(app)
        for words in ("backward() on the loss", "torch.optim.SGD step", "layer.zero_grad()", "Undo the last SGD step", "Back to the weight as created"):
            assert words in text


async def test_backward_over_every_row_says_none_stayed_at_zero() -> None:
    app = ExplorerApp(ids="0, 1, 2, 3, 4, 5")
    async with running(app, (100, 30)) as pilot:
        await press(app, pilot, "f7")
        assert "rows 0, 1, 2, 3, 4, 5 received gradient; no row stayed exactly 0" in app.query_one(StatusBar).text


async def test_a_burst_of_step_keys_takes_every_step(monkeypatch, book_layer) -> None:
    """Five F8s while the first step still runs: five steps, none dropped."""
    import time

    from tui.core.chapter.session import EmbeddingSession

    sgd_step = EmbeddingSession._sgd_step
    monkeypatch.setattr(EmbeddingSession, "_sgd_step", lambda self, lr: time.sleep(0.15) or sgd_step(self, lr))
    app = ExplorerApp(ids="2, 3")
    async with running(app, (100, 30)) as pilot:
        await press(app, pilot, "f7")
        await pilot.press(*["f8"] * 5)
        for _ in range(40):  # each finished step starts the next
            await app.workers.wait_for_complete()
            await pilot.pause(0.05)
            if app.explorer.session.steps == 5:
                break
        layer = book_layer()
        layer(torch.tensor([2, 3])).sum().backward()
        for _ in range(5):
            torch.optim.SGD(layer.parameters(), lr=0.1).step()
        assert app.explorer.session.steps == 5
        assert torch.equal(app.explorer.session.layer.weight.detach(), layer.weight.detach())


async def test_at_80_columns_the_key_bar_offers_the_step_once_there_is_a_gradient(book_layer) -> None:
    app = ExplorerApp(ids="2, 3, 5, 1", lang="es")
    async with running(app, size=(80, 24)) as pilot:
        keys_line = lambda: app.query_one(StatusBar).render_line(2).text  # noqa: E731
        assert "F8" not in keys_line()
        await press(app, pilot, "f7")
        assert "F8" in keys_line() and "F9" in keys_line()
        await press(app, pilot, "f8")
        assert "^Z" in keys_line()


async def test_the_palette_names_each_commands_keys_and_quit_once() -> None:
    app = ExplorerApp(ids="2, 3")
    async with running(app, (100, 50)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"quit")
        await pilot.pause(0.5)
        found = [str(option.prompt) for option in app.screen.query_one(OptionList).options]
        assert found and any("Quit (^Q, q)" in prompt for prompt in found)
        assert sum("Quit" in prompt for prompt in found) == 1


async def test_f12_shows_the_lookup_as_one_hot_times_the_weight() -> None:
    app = ExplorerApp(ids="2, 3, 1", vocab_size=4, dim=5)
    async with running(app, (100, 40)) as pilot:
        await press(app, pilot, "f12")
        assert isinstance(app.screen, MessageScreen) and "grad_fn=<MmBackward0>" in app.screen.dialog.text
        assert "MmBackward0" in screen_text(app)
        await press(app, pilot, "c")
        assert isinstance(app.screen, CodeScreen) and "one_hot @ w" in app.clipboard
        assert app.clipboard.startswith("import torch\n\ninput_ids = torch.tensor([2, 3, 1])\nvocab_size = 4\n")
        await press(app, pilot, "escape")
        assert isinstance(app.screen, MessageScreen)  # back to the comparison


async def test_section_2_8_at_80x24_positions_switched_trained_and_refused() -> None:
    app = ExplorerApp(ids="[[2, 3], [5, 1]]", context_length=4)
    async with running(app, (80, 24)) as pilot:
        await press(app, pilot)
        matrix = app.query_one(MatrixView)
        assert "input_embeddings = token_embeddings + pos_embeddings" in screen_text(app)
        await press(app, pilot, "ctrl+l")
        assert str(matrix.border_title).startswith("pos_embedding_layer.weight") and matrix.marked_rows == {0, 1}
        assert "▶  0 ×2 @(0,0),(1,0)" in screen_text(app)  # position 0, in both rows of the batch
        await press(app, pilot, "f7")
        assert str(matrix.border_title).startswith("pos_embedding_layer.weight.grad")
        assert row_values(app, 0) == [2.0, 2.0, 2.0] and row_values(app, 2) == [0.0, 0.0, 0.0]
        await press(app, pilot, "f8", "ctrl+l")
        assert str(matrix.border_title).startswith("layer.weight") and matrix.marked_rows == {1, 2, 3, 5}
        kept = app.explorer.lookup
        app.query_one(Input).value = "[[2, 3, 4, 5, 1], [1, 2, 3, 4, 5]]"  # five positions: one too many
        await press(app, pilot)
        assert app.explorer.lookup is kept
        assert "position 4 has no row in pos_embedding_layer" in app.query_one(StatusBar).text
