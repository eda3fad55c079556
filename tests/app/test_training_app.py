"""The training lab at the keyboard: backward, the grad view, steps, undo, reset and the layer's options."""

from collections.abc import Callable

import torch
from textual.command import CommandPalette
from textual.widgets import Input, OptionList, Select

from tests.app.conftest import idle, running, screen_text, until
from tui.app import ExplorerApp
from tui.core.chapter.spec import LayerOptions
from tui.core.explorer.tasks import Task
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


def status(app: ExplorerApp) -> str:
    """What the status line says: each training action's outcome, once its job is done."""
    return app.query_one(StatusBar).text


async def press(pilot, key: str, done: Callable[[], bool]) -> None:
    """Press `key`, then wait until `done()` holds: what the key did, which for the lab's actions a job does
    off the event loop."""
    await pilot.press(key)
    await until(pilot, done)


async def test_backward_shows_where_the_gradient_goes(book_layer) -> None:
    app = ExplorerApp(ids="2, 3, 5, 1, 3")
    async with running(app, (100, 30)) as pilot:
        await press(pilot, "f7", lambda: "received gradient" in status(app))
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
        assert "rows 1, 2, 3, 5 received gradient; rows 0, 4 stayed exactly 0" in status(app)
        assert app.query_one(ToggleBar).value("grad")
        assert "grad=(6, 3)" in screen_text(app)


async def test_gradients_accumulate_until_zero_grad(book_layer) -> None:
    app = ExplorerApp(ids="2, 3, 5, 1, 3")
    async with running(app, (100, 30)) as pilot:
        await press(pilot, "f7", lambda: "received gradient" in status(app))
        await press(pilot, "f7", lambda: "gradients accumulate" in status(app))  # the second backward, not the first again
        assert row_values(app, 3) == [4.0, 4.0, 4.0]
        await press(pilot, "f9", lambda: "weight.grad is None again" in status(app))
        assert app.explorer.session.layer.weight.grad is None
        assert not app.query_one(ToggleBar).value("grad")  # nothing left to show
        assert row_values(app, 3) == [round(v, 4) for v in book_layer().weight[3].tolist()]


async def test_frozen_weight_and_no_grad_give_torchs_error_as_a_lesson() -> None:
    app = ExplorerApp(ids="2, 3")
    async with running(app, (100, 30)) as pilot:
        for toggle, on, off in (("f2", "Weight frozen", "Weight trainable again"), ("f3", "under torch.no_grad()", "autograd on again")):
            await press(pilot, toggle, lambda: on in status(app))
            await press(pilot, "f7", lambda: isinstance(app.screen, MessageScreen))  # the whole lesson, which the status line would cut
            torch_says = "element 0 of tensors does not require grad and does not have a grad_fn"
            assert app.query_one(StatusBar).has_class("-error") and torch_says in status(app)
            assert isinstance(app.screen, MessageScreen)  # the whole lesson, which the status line would cut
            assert torch_says in app.screen.dialog.text and "torch refused backward()" in screen_text(app)
            assert app.explorer.session.layer.weight.grad is None
            await press(pilot, "escape", lambda: app.screen is app.main)
            await press(pilot, toggle, lambda: off in status(app))
        await press(pilot, "f7", lambda: "received gradient" in status(app))  # trainable again, autograd on: it works
        assert app.explorer.session.layer.weight.grad is not None


async def test_step_marks_the_changed_rows_shows_before_and_after_and_undo_restores(book_layer) -> None:
    app = ExplorerApp(ids="2, 3, 5, 1, 3")
    async with running(app, (100, 30)) as pilot:
        original = app.explorer.session.layer.weight.detach().clone()
        await press(pilot, "f7", lambda: "received gradient" in status(app))
        await press(pilot, "f8", lambda: "changed rows" in status(app))
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
        await press(pilot, "ctrl+z", lambda: "The last step is undone" in status(app))
        assert torch.equal(app.explorer.session.layer.weight.detach(), original)
        assert app.explorer.session.layer.weight.grad is not None  # back to just before the step
        await press(pilot, "ctrl+z", lambda: "No SGD step to undo" in status(app))
        await press(pilot, "f8", lambda: "changed rows" in status(app))
        await press(pilot, "ctrl+r", lambda: "Reset: the weight as it was created" in status(app))
        assert torch.equal(app.explorer.session.layer.weight.detach(), original) and app.explorer.session.layer.weight.grad is None


async def test_step_without_gradient_says_to_run_backward_first() -> None:
    app = ExplorerApp(ids="1")
    async with running(app) as pilot:
        await press(pilot, "f8", lambda: "run backward() first (F7)" in status(app))
        await pilot.press("ctrl+t")
        assert not app.query_one(ToggleBar).value("grad")
        assert "no gradient to show" in status(app)


async def test_view_key_switches_between_weight_and_grad(book_layer) -> None:
    app = ExplorerApp(ids="2")
    async with running(app, (100, 30)) as pilot:
        await press(pilot, "f7", lambda: "received gradient" in status(app))
        await pilot.press("ctrl+t")
        assert row_values(app, 2) == [1.2753, -0.201, -0.1606]
        assert app.query_one(ResultView).text == repr(book_layer()(torch.tensor([2])))
        await pilot.press("ctrl+t")
        assert row_values(app, 2) == [1.0, 1.0, 1.0]


async def test_options_set_loss_lr_and_rebuild_the_layer_with_padding_idx(book_layer) -> None:
    app = ExplorerApp(ids="2, 3, 5, 1, 3")
    async with running(app, (100, 34)) as pilot:
        await pilot.press("ctrl+o")
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
        await pilot.press("ctrl+o")  # ignored: the panel has the keys
        screen.query_one("#lr", Input).focus()
        await press(pilot, "enter", lambda: "built again" in status(app))
        assert not isinstance(app.screen, OptionsScreen)
        assert (app.explorer.lab.training.loss, app.explorer.lab.training.lr) == ("sqmean", 0.5)
        assert app.explorer.session.layer.padding_idx == 3 and app.explorer.session.layer.sparse
        assert row_values(app, 3) == [0.0, 0.0, 0.0]  # the padding row starts at zero
        assert "padding_idx=3, sparse=True" in status(app)
        assert "Row 3 is padding_idx: it starts at zero and never receives gradient" in status(app)
        await press(pilot, "f7", lambda: "received gradient" in status(app))
        layer = book_layer(padding_idx=3, sparse=True)
        (layer(torch.tensor(BOOK_IDS)) ** 2).mean().backward()
        assert app.query_one(ResultView).text == repr(layer.weight.grad)  # indices and values
        assert app.query_one(ResultView).text.startswith("tensor(indices=")
        assert row_values(app, 3) == [0.0, 0.0, 0.0]  # looked up twice, no gradient
        assert "Row 3 is padding_idx" in status(app)
        await press(pilot, "f8", lambda: "changed rows" in status(app))
        torch.optim.SGD(layer.parameters(), lr=0.5).step()
        assert torch.equal(app.explorer.session.layer.weight.detach(), layer.weight.detach())


async def test_options_refuse_bad_values_and_keep_the_layer() -> None:
    app = ExplorerApp()
    async with running(app, (100, 34)) as pilot:
        await pilot.press("ctrl+o")
        screen = app.screen
        for field, text, expected in (
            ("padding_idx", "9", "padding_idx must be a whole number from -6 to 5 (got 9)"),
            ("max_norm", "-1", "max_norm must be a number > 0 (got -1.0)"),
            ("lr", "fast", "lr: 'fast' is not a number."),
            ("lr", "-0.1", "The learning rate (lr) must be a number ≥ 0 (got -0.1)"),
        ):
            screen.query_one(f"#{field}", Input).value = text
            screen.query_one(f"#{field}", Input).focus()
            await pilot.press("enter")
            assert app.screen is screen
            assert expected in str(screen.query_one("#options-error").render())
            screen.query_one(f"#{field}", Input).value = {"lr": "0.1"}.get(field, "")
        await pilot.press("escape")
        assert app.explorer.session.spec.options == LayerOptions() and app.explorer.lab.training.lr == 0.1


async def test_max_norm_lookup_changes_the_weight_and_says_which_rows(book_layer) -> None:
    app = ExplorerApp(options=LayerOptions(max_norm=1.0))
    async with running(app, (100, 30)) as pilot:
        await pilot.press(*"0, 1")
        layer = book_layer(max_norm=1.0)
        layer(torch.tensor([0, 1]))
        assert row_values(app, 1) == [round(v, 4) for v in layer.weight[1].tolist()]
        assert "max_norm=1.0: this lookup renormalised rows 1 in place" in status(app)
        assert "Δ@1" in app.query_one(MatrixView).render_line(2).text


async def test_padding_idx_at_launch_is_said(book_layer) -> None:
    app = ExplorerApp(options=LayerOptions(padding_idx=-6))
    async with running(app) as pilot:
        assert row_values(app, 0) == [0.0, 0.0, 0.0]
        assert "Row 0 is padding_idx" in status(app)
        await pilot.press("1")
        assert app.query_one(ResultView).text == repr(book_layer(padding_idx=0)(torch.tensor([1])))


async def test_big_frozen_layer_refuses_backward_without_asking_about_memory() -> None:
    app = ExplorerApp(vocab_size=50257, dim=768, ids="2", freeze=True)
    async with running(app, (100, 30)) as pilot:
        await press(pilot, "f7", lambda: "element 0 of tensors does not require grad" in status(app))
        assert not isinstance(app.screen, ChoiceScreen)


async def test_big_dense_gradient_asks_first_and_can_go_sparse() -> None:
    app = ExplorerApp(vocab_size=50257, dim=768, ids="2, 3")
    async with running(app, (100, 30)) as pilot:
        await pilot.press("f7")
        assert isinstance(app.screen, ChoiceScreen)
        assert "154.4 MB" in screen_text(app)
        await pilot.press("escape")
        assert app.explorer.session.layer.weight.grad is None
        await pilot.press("f7")
        await press(pilot, "s", lambda: "received gradient" in status(app))  # built again sparse, then backward
        assert app.explorer.session.layer.sparse and app.explorer.session.layer.weight.grad.is_sparse
        assert app.query_one(ResultView).text.startswith("tensor(indices=tensor([[2, 3]]),")
        assert "rows 2, 3 received gradient; the other 50255 rows stayed exactly 0" in status(app)


async def test_copy_as_code_copies_the_trained_layer() -> None:
    app = ExplorerApp(ids="2, 3, 5, 1, 3", options=LayerOptions(scale_grad_by_freq=True))
    async with running(app, (100, 30)) as pilot:
        await press(pilot, "f7", lambda: "received gradient" in status(app))
        assert "divided by k: rows 3 (×2)." in status(app)
        assert row_values(app, 3) == [1.0, 1.0, 1.0]  # 2 look-ups, divided by 2
        await press(pilot, "f8", lambda: "changed rows" in status(app))
        await press(pilot, "f7", lambda: "received gradient" in status(app))
        await pilot.press("backspace", "4")
        await pilot.press("f4")
        script = app.clipboard  # what it prints: tests/core/test_code.py, the same actions
        assert script == app.explorer.code_script()
        assert "scale_grad_by_freq=True" in script and "result.sum().backward()" in script and "optimizer.step()" in script


async def test_command_palette_runs_the_lab_and_help_lists_its_keys() -> None:
    app = ExplorerApp(ids="2, 3")
    async with running(app, (100, 40)) as pilot:
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Backward")
        await until(pilot, lambda: idle(app) and app.screen.query_one(OptionList).option_count == 1)  # searched: Enter runs the one found
        await press(pilot, "enter", lambda: "received gradient" in status(app))
        assert app.explorer.session.layer.weight.grad is not None and app.query_one(ToggleBar).value("grad")
        await pilot.press("f1")
        await pilot.pause()
        text = screen_text(app)
        for words in ("backward() on the loss", "torch.optim.SGD step", "layer.zero_grad()", "Undo the last SGD step", "Back to the weight as created"):
            assert words in text


async def test_backward_over_every_row_says_none_stayed_at_zero() -> None:
    app = ExplorerApp(ids="0, 1, 2, 3, 4, 5")
    async with running(app, (100, 30)) as pilot:
        await press(pilot, "f7", lambda: "received gradient" in status(app))
        assert "rows 0, 1, 2, 3, 4, 5 received gradient; no row stayed exactly 0" in status(app)


async def test_a_burst_of_step_keys_takes_every_step(monkeypatch, book_layer) -> None:
    """Five F8s while the first step still runs (held until the other four wait their turn): five steps, none
    dropped."""
    import threading

    from tui.core.chapter.session import EmbeddingSession

    release = threading.Event()
    sgd_step = EmbeddingSession._sgd_step

    def held(self, lr: float) -> None:
        release.wait(10)
        sgd_step(self, lr)

    monkeypatch.setattr(EmbeddingSession, "_sgd_step", held)
    app = ExplorerApp(ids="2, 3")
    async with running(app, (100, 30)) as pilot:
        await press(pilot, "f7", lambda: "received gradient" in status(app))
        await pilot.press(*["f8"] * 5)
        await until(pilot, lambda: app.explorer.jobs.queued == [Task.STEP] * 4)
        release.set()
        await until(pilot, lambda: app.explorer.session.steps == 5 and idle(app))  # each finished step starts the next
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
        await press(pilot, "f7", lambda: "recibieron gradiente" in status(app))
        assert "F8" in keys_line() and "F9" in keys_line()
        await press(pilot, "f8", lambda: "cambió las filas" in status(app))
        assert "^Z" in keys_line()


async def test_the_palette_names_each_commands_keys_and_quit_once() -> None:
    app = ExplorerApp(ids="2, 3")
    async with running(app, (100, 50)) as pilot:
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"quit")
        await until(pilot, lambda: idle(app) and app.screen.query_one(OptionList).option_count > 0)  # searched
        found = [str(option.prompt) for option in app.screen.query_one(OptionList).options]
        assert found and any("Quit (^Q, q)" in prompt for prompt in found)
        assert sum("Quit" in prompt for prompt in found) == 1


async def test_f12_shows_the_lookup_as_one_hot_times_the_weight() -> None:
    app = ExplorerApp(ids="2, 3, 1", vocab_size=4, dim=5)
    async with running(app, (100, 40)) as pilot:
        await press(pilot, "f12", lambda: isinstance(app.screen, MessageScreen))  # worked out in a job
        assert "grad_fn=<MmBackward0>" in app.screen.dialog.text
        assert "MmBackward0" in screen_text(app)
        await pilot.press("c")
        assert isinstance(app.screen, CodeScreen) and "one_hot.float() @ w" in app.clipboard
        assert app.clipboard.startswith("import torch\n\ninput_ids = torch.tensor([2, 3, 1])\nvocab_size = 4\n")
        await pilot.press("escape")
        assert isinstance(app.screen, MessageScreen)  # back to the comparison


async def test_section_2_8_at_80x24_positions_switched_trained_and_refused() -> None:
    app = ExplorerApp(ids="[[2, 3], [5, 1]]", context_length=4)
    async with running(app, (80, 24)) as pilot:
        matrix = app.query_one(MatrixView)
        assert "input_embeddings = token_embeddings + pos_embeddings" in screen_text(app)
        await pilot.press("ctrl+l")
        assert str(matrix.border_title).startswith("pos_embedding_layer.weight") and matrix.marked_rows == {0, 1}
        assert "▶  0 ×2 @(0,0),(1,0)" in screen_text(app)  # position 0, in both rows of the batch
        await press(pilot, "f7", lambda: "received gradient" in status(app))
        assert str(matrix.border_title).startswith("pos_embedding_layer.weight.grad")
        assert row_values(app, 0) == [2.0, 2.0, 2.0] and row_values(app, 2) == [0.0, 0.0, 0.0]
        await press(pilot, "f8", lambda: "changed rows" in status(app))
        await pilot.press("ctrl+l")
        assert str(matrix.border_title).startswith("layer.weight") and matrix.marked_rows == {1, 2, 3, 5}
        kept = app.explorer.lookup
        app.query_one(Input).value = "[[2, 3, 4, 5, 1], [1, 2, 3, 4, 5]]"  # five positions: one too many
        await until(pilot, lambda: "position 4 has no row in pos_embedding_layer" in status(app))
        assert app.explorer.lookup is kept
