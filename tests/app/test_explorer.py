"""Behaviour, as a person at the keyboard sees it."""


import torch
from textual import events
from textual.widgets import Input

from tests.app.conftest import running, screen_text, settled, until
from tui.app import ExplorerApp
from tui.core.tokens.tokenizer import gpt2
from tui.screens.code import CodeScreen
from tui.screens.help import HelpScreen
from tui.widgets.flags_view import FlagsView
from tui.widgets.matrix_view import MatrixView
from tui.widgets.result_view import THUMB, TRACK, ResultView
from tui.widgets.status_bar import StatusBar
from tui.widgets.toggle_bar import ToggleBar


async def test_launch_shows_the_books_matrix_with_the_input_focused() -> None:
    app = ExplorerApp()
    async with running(app) as pilot:
        assert app.focused is app.query_one("#ids", Input)
        matrix = app.query_one(MatrixView)
        assert matrix.render_line(1).text.split()[:4] == ["0", "0.3374", "-0.1778", "-0.1690"]
        assert matrix.render_line(6).text.split()[:4] == ["5", "-2.8400", "-0.7849", "-1.4096"]
        assert "layer.weight · Parameter · (6, 3) · torch.float32 · requires_grad=True" in screen_text(app)
        await pilot.press("3")
        assert app.query_one(ResultView).text == "tensor([[-0.4015,  0.9666, -1.1481]], grad_fn=<EmbeddingBackward0>)"


async def test_typing_highlights_rows_and_shows_torchs_repr(book_layer) -> None:
    app = ExplorerApp()
    async with running(app) as pilot:
        await pilot.press(*"2, 3, 5, 1, 3")
        matrix = app.query_one(MatrixView)
        assert matrix.marked_rows == {1, 2, 3, 5}
        assert app.query_one(ResultView).text == repr(book_layer()(torch.tensor([2, 3, 5, 1, 3])))
        row3 = matrix.render_line(4).text
        assert row3.startswith("▶") and "×2 @1,4" in row3
        assert not matrix.render_line(1).text.startswith("▶")
        assert any(segment.style.bold and segment.style.reverse for segment in matrix.render_line(4))


async def test_an_invalid_id_keeps_the_last_good_result_and_says_why() -> None:
    app = ExplorerApp()
    async with running(app) as pilot:
        await pilot.press(*"2, 3")
        good = app.query_one(ResultView).text
        await pilot.press(*", 7")
        status = app.query_one(StatusBar)
        assert status.has_class("-error")
        assert "ID 7 at position 2 (column 7) is out of range: valid IDs are 0..5" in status.text
        assert "IndexError: index out of range in self" in status.text
        assert app.query_one(ResultView).text == good
        assert app.query_one(ResultView).has_class("-stale")
        assert app.query_one(MatrixView).marked_rows == {2, 3}
        await pilot.press("backspace")
        assert not status.has_class("-error")  # back to the last good IDs: no longer an error
        assert not app.query_one(ResultView).has_class("-stale")
        await pilot.press("1")
        assert app.query_one(MatrixView).marked_rows == {1, 2, 3}


async def test_toggles_change_the_flags_truthfully(book_layer) -> None:
    app = ExplorerApp(ids="2, 3")
    async with running(app) as pilot:
        assert app.explorer.lookup.grad_fn == "EmbeddingBackward0"
        await pilot.press("f2")
        assert app.explorer.session.layer.weight.requires_grad is False
        assert (app.explorer.lookup.requires_grad, app.explorer.lookup.grad_fn, app.explorer.lookup.weight.requires_grad) == (False, None, False)
        assert "grad_fn" not in app.query_one(ResultView).text
        assert "requires_grad=False" in screen_text(app)
        await pilot.press("f2", "f3")
        assert app.explorer.lookup.weight.requires_grad is True
        assert (app.explorer.lookup.requires_grad, app.explorer.lookup.no_grad) == (False, True)
        with torch.no_grad():
            assert app.query_one(ResultView).text == repr(book_layer()(torch.tensor([2, 3])))


async def test_the_view_follows_the_typed_id_in_a_big_matrix() -> None:
    app = ExplorerApp(vocab_size=50257, dim=768)
    async with running(app, size=(100, 30)) as pilot:
        await pilot.press(*"17, 50000")
        await pilot.pause()
        matrix = app.query_one(MatrixView)
        top = round(matrix.scroll_offset.y)
        assert top <= 50000 < top + matrix.scrollable_content_region.height - 1
        assert any(matrix.render_line(y).text.startswith("▶ 50000") for y in range(1, matrix.size.height))


async def test_markup_and_control_characters_are_shown_literally() -> None:
    app = ExplorerApp()
    async with running(app) as pilot:
        await pilot.press(*"[bold]x[/]")
        assert app.query_one("#ids", Input).value == "[bold]x[/]"
        assert "[bold]x[/]" in screen_text(app)
        assert "'bold' at column 2" in app.query_one(StatusBar).text
        app.query_one("#ids", Input).value = "2\x1b[31m"
        await pilot.pause()
        assert "\x1b" not in app.query_one("#ids", Input).value
        assert "\x1b" not in screen_text(app)


async def test_resizing_to_tiny_and_huge_keeps_working() -> None:
    app = ExplorerApp(ids="2, 3, 5, 1")
    async with running(app) as pilot:
        for size in ((10, 5), (300, 100), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
        await pilot.press("end", ",", "4")
        assert app.explorer.lookup.ids == (2, 3, 5, 1, 4)
        assert app.query_one(MatrixView).marked_rows == {1, 2, 3, 4, 5}


async def test_matrix_keys_move_the_cursor_and_enter_appends_the_id() -> None:
    app = ExplorerApp(ids="[2]")
    async with running(app) as pilot:
        app.query_one(MatrixView).focus()
        await pilot.press("down", "down", "down", "enter", "end", "enter", "home", "enter")
        assert app.query_one("#ids", Input).value == "[2, 3, 5, 0]"
        assert app.explorer.lookup.ids == (2, 3, 5, 0)


async def test_go_to_row_refuses_what_is_not_a_row() -> None:
    app = ExplorerApp(vocab_size=1000, dim=4)
    async with running(app) as pilot:
        await pilot.press("ctrl+g", *"1000", "enter")
        assert "'1000' is not a row" in screen_text(app)
        await pilot.press(*["backspace"] * 4, *"640", "enter")
        matrix = app.query_one(MatrixView)
        assert matrix.cursor_row == 640
        assert app.focused is matrix


async def test_help_lists_every_command_and_closes() -> None:
    app = ExplorerApp()
    async with running(app, size=(100, 60)) as pilot:  # at 80×24 the panel scrolls
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for words in ("Show every key", "Freeze / unfreeze", "torch.no_grad()", "Copy a Python script", "Jump to the row", "Quit", "Type text", "Open a weight file", "Shift+Tab", "Ctrl+P"):
            assert words in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_copy_as_code_copies_the_script_and_shows_it() -> None:
    """What the script prints is tests/core/test_code.py's to check, for this screen and others."""
    app = ExplorerApp(ids="2, 3, 5, 1", freeze=True)
    async with running(app) as pilot:
        await pilot.press("f3", "f4")
        assert isinstance(app.screen, CodeScreen)
        assert app.clipboard == app.screen.dialog.script == app.explorer.code_script()
        assert "with torch.no_grad():\n    print(embedding_layer(input_ids))" in app.clipboard
        assert "layer.weight.requires_grad_(False)" in screen_text(app)


async def test_s_in_the_copied_code_saves_it_to_a_file(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = ExplorerApp(ids="2, 3")
    async with running(app) as pilot:
        await pilot.press("f4", "s")
        await pilot.pause()
        assert app.screen is app.main
        assert (tmp_path / "embedding_layer.py").read_text(encoding="utf-8") == app.explorer.code_script()
        assert "The script is saved in" in app.query_one(StatusBar).text
        await pilot.press("f4", "s")  # again: a new file beside the first, and the status names it
        await pilot.pause()
        assert (tmp_path / "embedding_layer.py").read_text(encoding="utf-8") == (tmp_path / "embedding_layer-2.py").read_text(encoding="utf-8")
        said = app.query_one(StatusBar).text
        assert "embedding_layer.py is there already and is kept" in said and f"saved in {tmp_path / 'embedding_layer-2.py'}" in said


async def test_a_pasted_flood_of_ids_is_summarised_and_marks_every_row() -> None:
    app = ExplorerApp()
    async with running(app) as pilot:
        app.query_one("#ids", Input).value = ", ".join(str(i % 6) for i in range(100_000))
        await pilot.pause()
        assert app.explorer.lookup.shape == (100_000, 3)
        assert "..." in app.query_one(ResultView).text
        assert app.query_one(MatrixView).marked_rows == set(range(6))


async def test_an_unexpected_error_is_said_and_the_app_lives_on(monkeypatch) -> None:
    app = ExplorerApp(ids="2, ")
    async with running(app) as pilot:
        monkeypatch.setattr(app.explorer.session, "lookup", lambda parsed: 1 / 0)
        await pilot.press("3")
        status = app.query_one(StatusBar)
        assert status.text.startswith("✗ ") and "ZeroDivisionError: division by zero" in status.text
        assert app.is_running
        assert app.explorer.lookup.ids == (2,)


async def test_a_layer_whose_first_lookup_fails_is_still_shown(monkeypatch) -> None:
    from tui.core.chapter.session import EmbeddingSession
    from tui.widgets.loading_panel import LoadingPanel

    looked_up = EmbeddingSession.lookup
    failed = []

    def fails_once(session: EmbeddingSession, parsed: object) -> object:
        if not failed:
            failed.append(True)
            raise ValueError("a reader that cannot shape nothing")
        return looked_up(session, parsed)

    monkeypatch.setattr(EmbeddingSession, "lookup", fails_once)
    app = ExplorerApp(ids="2, 3")
    async with running(app) as pilot:
        await settled(pilot)
        assert failed and "ValueError: a reader that cannot shape nothing" in app.query_one(StatusBar).text
        assert not app.query(LoadingPanel) or not app.query_one(LoadingPanel).display  # not left loading
        assert "layer.weight" in str(app.query_one(MatrixView).border_title)
        await pilot.press("backspace", "5")  # 2, 5: the layer works on
        assert app.explorer.lookup.ids == (2, 5)


async def test_spanish_interface() -> None:
    app = ExplorerApp(lang="es", ids="2, 9")
    async with running(app):
        text = screen_text(app)
        assert "IDs de token" in text
        assert "Ayuda" in text
        assert "fuera de rango" in app.query_one(StatusBar).text
        assert "Congelar pesos" in text


async def test_typing_while_the_layer_is_created_is_looked_up_when_it_is_ready(monkeypatch) -> None:
    import threading

    import tui.core.chapter.session

    release = threading.Event()
    real = tui.core.chapter.session.EmbeddingSession

    class SlowSession(real):
        def __init__(self, *args, **kwargs) -> None:
            release.wait(10)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(tui.core.chapter.session, "EmbeddingSession", SlowSession)
    app = ExplorerApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"2, 3", "f2")
        await until(pilot, lambda: "creating the layer" in screen_text(app))  # the job's step, shown as it goes
        assert app.explorer.session is None
        assert not app.query_one(ToggleBar).value("freeze")  # nothing to freeze yet
        assert app.query_one("#loading").display and not app.query_one(MatrixView).display
        release.set()
        await settled(pilot)
        assert app.explorer.lookup.ids == (2, 3)
        assert app.query_one(MatrixView).marked_rows == {2, 3}


async def test_highlight_needs_no_colour(monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = ExplorerApp(ids="4")
    async with running(app) as pilot:
        await pilot.pause()
        line = app.query_one(MatrixView).render_line(5)
        assert line.text.startswith("▶")
        assert all(segment.style.reverse and segment.style.bold for segment in line if segment.text.strip())


async def test_the_toggle_bar_works_by_keyboard_and_mouse() -> None:
    app = ExplorerApp(ids="2")
    async with running(app) as pilot:
        bar = app.query_one(ToggleBar)
        bar.focus()
        await pilot.press("right", "space")
        assert bar.value("no_grad") and app.explorer.session.no_grad and app.explorer.lookup.no_grad
        assert "[x] torch.no_grad()" in screen_text(app)
        await pilot.click(ToggleBar, offset=(3, 0))  # on "[ ] Freeze weight"
        assert bar.value("freeze") and app.explorer.session.frozen
        await pilot.press("enter")  # the clicked switch is the chosen one now
        assert not bar.value("freeze") and app.explorer.lookup.weight.requires_grad


async def test_the_status_bar_keeps_long_messages_to_two_lines_above_the_keys() -> None:
    app = ExplorerApp(ids="1, 2, 3, 4, 9")
    async with running(app, size=(50, 24)) as pilot:
        await pilot.press("9")
        status = app.query_one(StatusBar)
        lines = [status.render_line(y).text for y in range(3)]
        assert lines[1].rstrip().endswith("…")  # the message goes on beyond two lines
        assert lines[2].startswith(" F1  Help")
        assert all(len(line) == 50 for line in lines)


async def test_the_result_follows_the_id_under_the_cursor() -> None:
    app = ExplorerApp(ids="0, 1, 2, 3, 4, 5, 0, 1")
    async with running(app) as pilot:  # 80×24: the result panel shows a few lines
        await pilot.press(*", 5")
        result = app.query_one(ResultView)
        height = result.scrollable_content_region.height
        assert 0 < height < 9 and result.line_count == 9
        shown = [result.render_line(y).text for y in range(height)]
        assert shown[-1].strip().startswith("[-2.8400, -0.7849, -1.4096]]")  # ID 5, typed last, in view
        await pilot.press("home")  # the cursor on the first ID: its line comes back into view
        assert result.render_line(0).text.startswith("tensor([[ 0.3374, -0.1778, -0.1690]")


async def test_the_result_shows_where_it_is_scrolled_to() -> None:
    app = ExplorerApp(ids="0, 1")
    async with running(app) as pilot:  # 80×24: four of the result's nine lines fit
        result = app.query_one(ResultView)
        marks = lambda: "".join(result.render_line(y).text[-1] for y in range(result.scrollable_content_region.height))  # noqa: E731
        assert marks() == "    "  # all of it in view: no indicator
        app.query_one("#ids", Input).value = "0, 1, 2, 3, 4, 5, 0, 1"
        await pilot.press("end", *", 5")
        assert marks() == f"{TRACK * 2}{THUMB * 2}"  # the lines typed last are in view
        result.focus()
        await pilot.press("home")  # the result scrolls by keyboard, without Textual's scrollbar
        assert result.scroll_offset.y == 0 and marks() == f"{THUMB * 2}{TRACK * 2}"
        await pilot.press("down", "down", "down")
        assert result.scroll_offset.y == 3 and marks() == f"{TRACK}{THUMB * 2}{TRACK}"
        result.post_message(events.MouseScrollUp(result, 1, 1, 0, -1, 0, False, False, False))  # and by the wheel
        await pilot.pause()
        assert result.scroll_offset.y < 3


async def test_the_result_follows_the_cursor_from_launch() -> None:
    app = ExplorerApp(ids="2, 3, 5, 1, 0, 4, 2")
    async with running(app) as pilot:  # 80×24: the result shrinks when the matrix appears
        await pilot.pause()
        result = app.query_one(ResultView)
        assert result.scroll_offset.y == result.max_scroll_y > 0  # the cursor is after the last ID


async def test_a_narrower_terminal_puts_the_flags_below_the_result_again() -> None:
    app = ExplorerApp(ids="2, 3, 5, 1, 0, 4, 2")
    async with running(app, size=(160, 50)) as pilot:
        result = app.query_one(ResultView)
        assert result.max_scroll_y == 0 and result.size.width < 120  # all seven lines fit, beside the flags
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: result.size.width == 80)  # laid out again (Textual resizes on a timer)
        await pilot.pause()  # the result's own Resize: it scrolls to its cursor line
        assert app.query_one(FlagsView).region.y > result.region.y
        assert result.scroll_offset.y == result.max_scroll_y > 0  # and the line of the ID at the cursor stays in view


async def test_tab_goes_input_matrix_result_toggles_and_back() -> None:
    app = ExplorerApp(ids="2, 3")
    async with running(app) as pilot:
        seen = [app.focused]
        for _ in range(4):
            await pilot.press("tab")
            seen.append(app.focused)
        assert seen == [app.main.ids_input, app.main.matrix, app.main.result, app.main.toggles, app.main.ids_input]
        await pilot.press("shift+tab")
        assert app.focused is app.main.toggles


async def test_esc_clears_the_input_as_one_edit() -> None:
    app = ExplorerApp(ids="2, 3, 5, 1")
    async with running(app) as pilot:
        await pilot.press("escape")
        assert app.main.ids_input.value == "" and app.explorer.lookup.ids == ()


async def test_a_maximized_panel_has_the_screen_and_gives_it_back() -> None:
    app = ExplorerApp(ids="2, 3, 5, 1", vocab_size=40, dim=3)
    async with running(app, size=(80, 24)) as pilot:
        await pilot.press("f10")  # from the input: the result
        assert app.main.maximized is app.main.result and app.main.result.outer_size.height == 24 - 3
        await pilot.press("escape")
        await pilot.press("shift+tab", "f10")  # from the result back to the matrix: every row it can show
        assert app.main.maximized is app.main.matrix and app.main.matrix.outer_size.height == 24 - 3
        await pilot.press("f10")
        await pilot.pause()
        assert app.main.maximized is None and app.main.matrix.size.height < 12 and app.main.ids_input.region.height == 3


async def test_short_terminals_give_the_result_its_lines_and_fold_the_flags() -> None:
    app = ExplorerApp(ids="2, 3, 5, 1")
    async with running(app, size=(80, 20)) as pilot:
        assert app.main.result.size.height >= 4 and app.main.flags.size.height == 3  # folded: the titles run on
        assert "grad_fn=<EmbeddingBackward0>" in screen_text(app) and "is_leaf=True" in screen_text(app)
        await pilot.resize_terminal(80, 30)
        await pilot.pause()
        assert app.main.flags.size.height == 4
        await pilot.resize_terminal(40, 15)
        await pilot.pause()
        assert app.main.too_small.display and not app.main.ids_input.display and not app.main.matrix.display
        assert "needs at least 50×15" in str(app.main.too_small.render())


async def test_the_matrix_header_says_with_arrows_where_more_columns_lie() -> None:
    app = ExplorerApp(vocab_size=50, dim=20)
    async with running(app, size=(80, 24)) as pilot:
        header = lambda: app.main.matrix.render_line(0).text  # noqa: E731
        assert header().rstrip().endswith("→") and not header().startswith("←")
        app.main.matrix.focus()
        await pilot.press("end", "right", "right", "right", "right", "right", "right", "right", "right", "right", "right", "right", "right", "right")
        await pilot.pause()
        assert app.main.matrix.scroll_offset.x > 0 and header().startswith("←") and header().rstrip().endswith("19")


async def test_a_batch_marks_each_row_with_its_batch_row_and_position() -> None:
    app = ExplorerApp(ids="[[2, 3], [5, 2]]")
    async with running(app, size=(80, 24)) as pilot:
        assert app.explorer.lookup.shape == (2, 2, 3)
        lines = [app.main.matrix.render_line(y).text for y in range(1, 7)]
        assert "@(1,0)" in lines[5] and "×2 @(0,0),(1,1)" in lines[2]
        assert "shape=(2, 2, 3)" in screen_text(app)
        await pilot.press("backspace", "backspace", "backspace")  # [[2, 3], [5 — unclosed: the last good result stays
        assert app.explorer.lookup.shape == (2, 2, 3) and app.explorer.reading.problem is not None


async def test_f11_pages_the_books_windows_and_enter_looks_a_batch_up(tmp_path) -> None:
    from tui.core.chapter.windows import WindowSettings
    from tui.screens.windows import WindowsScreen

    story = tmp_path / "story.txt"
    story.write_text("The cat sat on the mat, and the dog sat on the log. " * 6, encoding="utf-8")
    app = ExplorerApp(vocab_size=50257, dim=3, tokenizer=gpt2(), text_file=str(story), windows=WindowSettings(batch_size=2))
    async with running(app, size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f11")
        assert isinstance(app.screen, WindowsScreen)
        await pilot.press("right", "right", "left")
        assert app.screen.dialog.index == 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is app.main and app.explorer.lookup.shape == (2, 4, 3)


async def test_in_the_windows_view_s_changes_the_settings_and_c_copies_the_books_loader(tmp_path) -> None:
    from tui.screens.ask import AskScreen
    from tui.screens.windows import WindowsScreen

    story = tmp_path / "story.txt"
    story.write_text("The cat sat on the mat, and the dog sat on the log. " * 6, encoding="utf-8")
    app = ExplorerApp(vocab_size=50257, dim=3, tokenizer=gpt2(), text_file=str(story))
    async with running(app, size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f11", "s")
        await pilot.pause()
        assert isinstance(app.screen, AskScreen)
        ask = app.screen.query_one(Input)
        assert ask.value == "max_length=4 stride=4 batch_size=8 shuffle=False"
        ask.value = "stride=0"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AskScreen) and "stride must be a whole number ≥ 1 (got '0')" in screen_text(app)
        ask.value = "stride=1 batch_size=4"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, WindowsScreen) and app.screen.dialog.count == 21)  # cut again in a job, shown again
        assert app.screen.dialog.index == 0 and app.explorer.windows.batches == 21
        await pilot.press("right", "c")
        await pilot.pause()
        assert isinstance(app.screen, CodeScreen) and app.clipboard == app.explorer.windows.script(1)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WindowsScreen) and app.screen.dialog.index == 1
