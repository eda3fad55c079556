"""The explorer without a screen: its actions, the views they return, and its jobs."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
import torch
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from safetensors.torch import save_file

from tests.depth import examples
from tui.core.chapter.session import EmbeddingSession
from tui.core.chapter.spec import LayerOptions
from tui.core.explorer import presenter
from tui.core.explorer.copied_code import save
from tui.core.explorer.dialogs import Act, Choice, Code, Move, Notice, Pick, Question, TrainingChoice, WindowsPane
from tui.core.explorer.explorer import Explorer, Setup
from tui.core.explorer.input_line import read
from tui.core.explorer.sources import LabelsLoaded
from tui.core.explorer.tasks import Task
from tui.core.explorer.training import Training
from tui.core.explorer.view import View
from tui.core.files.weights import open_weights
from tui.core.jobs import Failed
from tui.core.tokens.tokenizer import gpt2, simple_v2


def ready(**settings: object) -> Explorer:
    """An explorer whose layer exists (its making job run here)."""
    explorer = Explorer(Setup.of(**{"lang": "en", **settings}))
    explorer.settle(explorer.start())
    return explorer


def typed(explorer: Explorer, text: str) -> View:
    return explorer.edit(text, len(text))


@pytest.fixture
def tiny_file(tmp_path: Path) -> tuple[Path, torch.Tensor]:
    torch.manual_seed(5)
    weight = torch.randn(8, 4)
    save_file({"wte.weight": weight}, tmp_path / "tiny.safetensors")
    return tmp_path / "tiny.safetensors", weight


# -- views -----------------------------------------------------------------------------------
def test_while_the_layer_is_made_the_input_is_parsed_and_the_panels_say_so() -> None:
    explorer = Explorer(Setup.of(ids="2, 3", lang="en"))
    view = explorer.view()
    assert view.loading == "Importing torch and creating nn.Embedding(6, 3, dtype=float32)…"
    assert view.matrix is None and not view.toggles_enabled
    assert view.result.text == "The result appears here once the layer exists."
    view = explorer.start()
    assert view.jobs[0].task is Task.CREATE and view.loading
    view = explorer.settle(view)
    assert view.loading is None and view.toggles_enabled
    assert view.matrix.title == "layer.weight · Parameter · (6, 3) · torch.float32 · requires_grad=True"
    assert dict(view.matrix.positions) == {2: (0,), 3: (1,)} and view.matrix.follow == 3  # the cursor is after 3


def test_a_lookup_shows_torchs_repr_its_flags_and_what_it_means(book_layer) -> None:
    view = typed(ready(), "2, 3, 5, 1")
    assert view.result.title == "print(layer(torch.tensor(ids)))"
    assert view.result.text == repr(book_layer()(torch.tensor([2, 3, 5, 1])))
    assert view.result.follow == 3 and not view.result.stale
    assert view.flags[0] == ("result", (("shape", "(4, 3)"), ("dtype", "torch.float32"), ("requires_grad", "True"), ("grad_fn", "<EmbeddingBackward0>"), ("is_leaf", "False")))
    assert view.flags[1][0] == "layer.weight" and ("grad", "None") in view.flags[1][1]
    assert view.status.text.startswith("torch.manual_seed(123); layer = torch.nn.Embedding(6, 3): each ID picks its row of layer.weight") and not view.status.error


def test_a_comma_or_a_cursor_move_looks_nothing_up_again() -> None:
    explorer = ready()
    typed(explorer, "2, 3")
    lookup = explorer.lookup
    typed(explorer, "2, 3, ")
    view = explorer.edit("2, 3, ", 1)
    assert explorer.lookup is lookup
    assert view.matrix.follow == 2 and view.result.follow == 0  # the ID under the cursor comes into view
    assert explorer.view().matrix.follow is None  # only an edit or a move brings it into view


def test_an_invalid_input_keeps_the_last_result_dimmed_and_says_what_is_valid() -> None:
    explorer = ready()
    good = typed(explorer, "2, 3").result.text
    view = typed(explorer, "2, 3, 7")
    assert view.status.error and "ID 7 at position 2 (column 7) is out of range: valid IDs are 0..5" in view.status.text
    assert view.result.text == good and view.result.stale
    assert set(view.matrix.positions) == {2, 3} and view.matrix.follow is None
    view = typed(explorer, "2, 3, 4")
    assert not view.status.error and not view.result.stale and set(view.matrix.positions) == {2, 3, 4}


def test_pasted_line_breaks_and_control_characters_leave_one_clean_line() -> None:
    view = typed(ready(), "2,\n3\x1b[31m")
    assert view.input.value == "2, 3[31m"
    assert "\x1b" not in view.status.text and view.status.error  # '[31m' is no ID


def test_a_file_name_with_control_characters_is_printable_in_the_title(tmp_path: Path) -> None:
    path = tmp_path / "evil\x1b[2J.safetensors"
    save_file({"wte.weight": torch.ones(3, 2)}, path)
    explorer = ready()
    explorer.settle(explorer.open(str(path)))
    title = explorer.view().matrix.title
    assert "\x1b" not in title and "evil\\x1b[2J.safetensors" in title


def test_toggles_relook_up_and_say_what_torch_now_does() -> None:
    explorer = ready(ids="2")
    view = explorer.toggle("freeze")
    assert view.toggles == {"freeze"} and view.status.text == "Weight frozen: layer.weight.requires_grad_(False)."
    assert ("grad_fn", "None") in view.flags[0][1]
    view = explorer.set_toggle("no_grad", True)
    assert view.toggles == {"freeze", "no_grad"} and view.result.title.startswith("with torch.no_grad()")


def test_given_a_tokenizer_it_starts_in_text_mode_and_gives_the_ids_back(tmp_path: Path) -> None:
    (tmp_path / "verdict.txt").write_text("I HAD always thought Jack Gisburn rather a cheap genius.", encoding="utf-8")
    tokenizer = simple_v2(tmp_path / "verdict.txt")
    explorer = ready(vocab_size=13, tokenizer=tokenizer)
    view = explorer.view()
    assert (view.input.title, view.input.value) == ("Text", "") and "(F5: type token IDs instead)" in view.input.placeholder
    assert ("toggle_text", "F5", "IDs") in view.keys  # F5 names the mode it goes to
    assert ready(vocab_size=13, tokenizer=tokenizer, ids="2, 3").view().input.title == "Token IDs"  # IDs given: IDs
    view = typed(explorer, "Jack, a genius.")
    assert view.status.text == "5 tokens: Jack | <|unk|> (,) | a | genius | . → IDs [4, 12, 5, 8, 0]"  # "," is not in the text
    view = explorer.toggle_text()
    assert (view.input.title, view.input.value) == ("Token IDs", "4, 12, 5, 8, 0") and "(F5: type text instead)" in view.input.placeholder
    assert ("toggle_text", "F5", "Text") in view.keys
    assert explorer.lookup.ids == (4, 12, 5, 8, 0)


def test_text_mode_without_a_tokenizer_says_how_to_get_one() -> None:
    view = ready().toggle_text()
    assert view.status.error and view.status.text.startswith("Text needs a tokenizer: --tokenizer gpt2")


def test_copy_code_is_a_dialog_with_the_script() -> None:
    explorer = ready(ids="2, 3")
    view = explorer.copy_code()
    assert isinstance(view.dialog, Code) and "input_ids = torch.tensor([2, 3])" in view.dialog.script


def test_the_copied_script_saves_to_a_new_file_and_says_where(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    explorer = ready(ids="2, 3")
    script = explorer.code_script()
    explorer.answer(explorer.copy_code().dialog, Choice.SAVE)  # in the current folder
    view = explorer.answer(explorer.copy_code().dialog, Choice.SAVE)  # never over the first
    assert (tmp_path / "embedding_layer.py").read_text(encoding="utf-8") == script
    assert (tmp_path / "embedding_layer-2.py").read_text(encoding="utf-8") == script
    saved = tmp_path / "embedding_layer-2.py"
    assert view.status.text == f"embedding_layer.py is there already and is kept: the script is saved in {saved}; python {saved} prints what the screen shows."
    view = explorer.apply(save(script, tmp_path / "no-such-folder"))
    assert view.status.error and "could not be saved" in view.status.text and "No such file or directory" in view.status.text


def test_rows_are_found_by_id_or_refused_with_what_is_valid_and_a_row_gone_to_names_its_token(tmp_path: Path) -> None:
    (tmp_path / "vocab.txt").write_text("a\nb\nc\nd\ne\nf\n", encoding="utf-8")
    from tui.core.tokens.vocab import load_vocab

    explorer = ready(vocab=load_vocab(tmp_path / "vocab.txt"))
    assert explorer.row_of_id("5") == 5 and explorer.row_of_id("-0") == 0
    for text in ("6", "３"):  # ３ as the input refuses it
        with pytest.raises(Exception) as refused:
            explorer.row_of_id(text)
        assert refused.value.message.render("en") == f"'{text}' is not a row: type a whole number from 0 to 5."
    assert explorer.go_to(3).status.text == "Row 3: the token d."
    assert ready().go_to(3).status.text == "Row 3: the embedding vector of token ID 3."  # no vocabulary: no token
    assert ready().find().status.text.startswith("Finding a token needs a vocabulary")


# -- the training lab ------------------------------------------------------------------------
def test_backward_is_a_job_whose_outcome_shows_the_gradient(book_layer) -> None:
    explorer = ready(ids="2, 3, 5, 1, 3")
    view = explorer.backward()
    (job,) = view.jobs
    assert job.task is Task.BACKWARD and job.layer is explorer.session
    assert explorer.busy is job and not view.toggles_enabled
    view = explorer.finish(job, job.run())
    layer = book_layer()
    layer(torch.tensor([2, 3, 5, 1, 3])).sum().backward()
    assert view.result.title == "print(layer.weight.grad)" and view.result.text == repr(layer.weight.grad)
    assert view.matrix.title == "layer.weight.grad · (6, 3) · dense · 4 rows ≠ 0"
    assert dict(view.matrix.prefixes) == {1: "∇", 2: "∇", 3: "∇", 5: "∇"} and "grad" in view.toggles
    assert "rows 1, 2, 3, 5 received gradient; rows 0, 4 stayed exactly 0" in view.status.text


def test_while_a_job_has_the_layer_typing_waits_and_is_looked_up_after() -> None:
    explorer = ready(ids="2")
    (job,) = explorer.backward().jobs
    view = typed(explorer, "2, 4")
    assert explorer.lookup.ids == (2,) and not view.status.error
    assert explorer.apply_training(TrainingChoice("sum", 0.1, LayerOptions(sparse=True))).status.text == (
        "Still working on the last training action; try again when it is done."
    )
    assert explorer.tick().status.text.startswith("Backward… ")
    view = explorer.finish(job, job.run())
    assert explorer.lookup.ids == (2, 4) and view.jobs == ()


def test_training_keys_pressed_while_a_job_runs_wait_their_turn(book_layer) -> None:
    explorer = ready(ids="2, 3")
    explorer.settle(explorer.backward())
    first = explorer.step()
    for count in range(1, 5):
        view = explorer.step()
        assert view.jobs == () and view.status.text.startswith(f"Step waits its turn: {count} {'action' if count == 1 else 'actions'} waiting")
    assert explorer.tick().status.text.endswith("· then: Step, Step, Step, Step")
    explorer.settle(first)  # each finished step starts the next
    layer = book_layer()
    layer(torch.tensor([2, 3])).sum().backward()
    for _ in range(5):
        torch.optim.SGD(layer.parameters(), lr=0.1).step()
    assert explorer.session.steps == 5 and torch.equal(explorer.session.layer.weight.detach(), layer.weight.detach())


def test_a_refused_action_drops_what_waited_for_it() -> None:
    explorer = ready(ids="2", freeze=True)
    first = explorer.backward()
    explorer.step()
    view = explorer.settle(first)
    assert isinstance(view.dialog, Notice) and explorer.jobs.queued == [] and explorer.session.steps == 0


def test_a_step_shows_its_rows_before_and_after_until_the_input_changes() -> None:
    explorer = ready(ids="2, 3")
    explorer.settle(explorer.backward())
    view = explorer.settle(explorer.step())
    assert view.result.title == "optimizer.step(), lr=0.1: rows 2, 3 before → after" and "↓" in view.result.text
    assert dict(view.matrix.prefixes) == {2: "Δ", 3: "Δ"} and "grad" not in view.toggles
    view = typed(explorer, "2, 3, 1")
    assert view.result.title == "print(layer(torch.tensor(ids)))" and "↓" not in view.result.text


def test_training_while_the_input_is_invalid_keeps_the_last_good_result_in_every_panel() -> None:
    explorer = ready(ids="2, 3")
    typed(explorer, "2, 3x")
    view = explorer.settle(explorer.backward())  # on the last good IDs
    assert view.matrix.title.startswith("layer.weight.grad") and "grad" in view.toggles
    assert ("grad", "(6, 3)") in view.flags[1][1]  # the flags say what torch says now
    view = explorer.toggle("grad")
    assert view.result.text == explorer.lookup.text and view.result.stale and explorer.lookup.ids == (2, 3)
    view = explorer.settle(explorer.step())
    assert dict(view.matrix.prefixes) == {2: "Δ", 3: "Δ"} and view.status.text.startswith("optimizer.step()")
    assert typed(explorer, "2, 3xx").status.error  # the input is still wrong: said at the next key


def test_torchs_refusal_is_a_lesson_in_a_panel() -> None:
    explorer = ready(ids="2", freeze=True)
    view = explorer.settle(explorer.backward())
    assert isinstance(view.dialog, Notice) and view.dialog.title == "torch refused backward()"
    assert "element 0 of tensors does not require grad" in view.dialog.text and view.status.error
    assert explorer.session.grad is None


def test_a_big_dense_gradient_is_a_question_and_sparse_rebuilds_then_runs_backward() -> None:
    explorer = ready(vocab_size=50257, dim=768, ids="2, 3")  # GPT-2's size: from here on, it asks
    view = explorer.backward()
    assert isinstance(view.dialog, Question) and dict(view.dialog.keys) == {"enter": Choice.DENSE, "s": Choice.SPARSE}
    assert view.jobs == () and explorer.session.grad is None
    view = explorer.answer(view.dialog, Choice.SPARSE)
    (job,) = view.jobs
    assert job.task is Task.OPTIONS and job.generation == explorer.jobs.generation
    view = explorer.finish(job, job.run())  # the layer, rebuilt sparse, then backward
    assert view.jobs[0].task is Task.BACKWARD
    view = explorer.settle(view)
    assert explorer.session.layer.sparse and explorer.session.grad.sparse
    assert view.result.text.startswith("tensor(indices=tensor([[2, 3]]),")


def test_options_set_the_loss_and_lr_or_rebuild_the_layer() -> None:
    explorer = ready(ids="3")
    view = explorer.apply_training(TrainingChoice("sqmean", 0.5, LayerOptions()))
    assert view.jobs == () and view.status.text == "Loss (result ** 2).mean(), lr=0.5."
    view = explorer.settle(explorer.apply_training(TrainingChoice("sqmean", 0.5, LayerOptions(padding_idx=3))))
    assert explorer.session.layer.padding_idx == 3 and explorer.lab.training == Training("sqmean", 0.5)
    assert explorer.spec.options == LayerOptions(padding_idx=3)
    assert "built again with padding_idx=3" in view.status.text and "Row 3 is padding_idx" in view.status.text


# -- files and jobs --------------------------------------------------------------------------
def test_a_file_opens_as_a_job_and_a_bad_one_leaves_the_layer_and_says_why(tiny_file, tmp_path: Path) -> None:
    path, weight = tiny_file
    explorer = ready(ids="2, 7")
    session = explorer.session
    view = explorer.settle(explorer.open(str(tmp_path / "missing.safetensors")))
    assert isinstance(view.dialog, Notice) and view.dialog.title == "Could not open the file"
    assert explorer.session is session and view.status.error
    view = explorer.settle(explorer.open(str(path)))
    assert explorer.session.weights.key == "wte.weight" and "freeze" in view.toggles
    assert view.result.text == repr(torch.nn.Embedding.from_pretrained(weight)(torch.tensor([2, 7])))


def test_several_tensors_are_a_pick_whose_answer_opens_one(tmp_path: Path) -> None:
    save_file({"a": torch.ones(4, 2), "b": torch.zeros(9, 2)}, tmp_path / "two.safetensors")
    explorer = ready()
    view = explorer.settle(explorer.open(str(tmp_path / "two.safetensors")))
    assert isinstance(view.dialog, Pick) and [key for key, _ in view.dialog.choices] == ["b", "a"]
    explorer.settle(explorer.answer(view.dialog, "a"))
    assert explorer.session.weights.key == "a" and explorer.spec.vocab_size == 4


@pytest.mark.parametrize("rebuild_ends_first", [False, True])
def test_the_newest_layer_asked_for_wins_whichever_job_ends_last(tiny_file, rebuild_ends_first: bool) -> None:
    """A rebuild, then a file opened before it ends: the file's layer stays, in either order of ending."""
    path, weight = tiny_file
    explorer = ready(ids="2, 3")
    (rebuild,) = explorer.apply_training(TrainingChoice("sum", 0.1, LayerOptions(padding_idx=1))).jobs
    (opening,) = explorer.open(str(path)).jobs
    jobs = [rebuild, opening] if rebuild_ends_first else [opening, rebuild]
    for job in jobs:
        explorer.finish(job, job.run())
    assert explorer.session.weights is not None and explorer.session.weights.path == path
    assert explorer.session.layer.padding_idx is None and explorer.busy is None and explorer.jobs.running == []
    view = explorer.view()
    assert view.matrix.title.startswith("wte.weight · (8, 4) · torch.float32") and view.matrix.title.endswith("tiny.safetensors")
    assert view.result.text == repr(torch.nn.Embedding.from_pretrained(weight)(torch.tensor([2, 3])))


def test_a_training_job_on_a_layer_replaced_meanwhile_is_dropped(tiny_file) -> None:
    path, _ = tiny_file
    explorer = ready(ids="2")
    (backward,) = explorer.backward().jobs
    explorer.settle(explorer.open(str(path)))
    view = explorer.finish(backward, backward.run())
    assert explorer.session.weights is not None and explorer.session.grad is None
    assert "grad" not in view.toggles and view.matrix.title.endswith("tiny.safetensors")


def test_a_refused_job_is_a_failure_and_an_unexpected_error_is_said_with_the_layer_kept() -> None:
    explorer = ready(ids="2")
    (opening,) = explorer.open("/").jobs
    outcome = opening.run()
    assert isinstance(outcome, Failed) and outcome.message.key == "model.no_weights"  # a folder is a model's
    assert isinstance(explorer.finish(opening, outcome).dialog, Notice)
    (job,) = explorer.backward().jobs
    job.work = lambda job: 1 / 0
    view = explorer.settle(explorer.view(job))
    assert view.status.error and "ZeroDivisionError: division by zero" in view.status.text
    assert explorer.busy is None and explorer.jobs.running == [] and explorer.session.grad is None
    assert not typed(explorer, "2, 3").status.error and explorer.lookup.ids == (2, 3)  # the layer is free again


# -- any sequence of actions -----------------------------------------------------------------
class ExplorerMachine(RuleBasedStateMachine):
    """Random actions through the explorer, each job run to its end: typing (good and bad), cursor moves,
    toggles, training, option changes, switches between IDs and text, new labels and layers opened mid-way,
    statistics read, and the open file cut or replaced on disk. After each, the view tells the truth: what
    the input reads as is what its text reads as now, the marks are the looked-up IDs, the flags are what
    torch says; the weight is what a fresh layer becomes when its history is replayed; and a file's rows
    are read whole or not at all (never past its end), a cut said once."""

    CONTEXT_LENGTH: int | None = None  # a positional layer of this many rows (section 2.8)

    def __init__(self) -> None:
        super().__init__()
        words = Path(__file__).with_name("eight-words.txt")  # 8 words, <|endoftext|> and <|unk|>: 10 rows
        self.folder = Path(tempfile.mkdtemp())
        (self.folder / "reversed.txt").write_text("h g f e d c b a z", encoding="utf-8")  # other IDs for the same words
        self.tokenizers = (simple_v2(words), simple_v2(self.folder / "reversed.txt"))
        torch.manual_seed(7)
        padding = torch.zeros(4096)  # saved first (by name): the rows lie on a page past the first, as a real matrix's do
        save_file({"wte.weight": torch.randn(11, 3), "a.padding": padding}, self.folder / "eleven.safetensors")
        self.pristine = (self.folder / "eleven.safetensors").read_bytes()
        (self.folder / "pristine").mkdir()
        (self.folder / "pristine" / "eleven.safetensors").write_bytes(self.pristine)  # what the open file held
        self.explorer = ready(vocab_size=10, dim=3, tokenizer=self.tokenizers[0], context_length=self.CONTEXT_LENGTH)
        self.opened_inode = -1  # the open file's, as opened
        self.cut = None  # the weights whose file was cut under them
        self.statistics: dict[tuple[int, int], object] = {}  # what each layer's pass found, by its version
        self.view = self.explorer.view()

    def teardown(self) -> None:
        shutil.rmtree(self.folder)

    def act(self, view: View) -> None:
        self.view = self.explorer.settle(view)

    @rule(text=st.text(alphabet="0123456789, []x-", max_size=12))
    def type_ids(self, text: str) -> None:
        self.act(typed(self.explorer, text))

    @rule(words=st.lists(st.sampled_from(["a", "b", "c", "h", "z", "zz", ",", " "]), max_size=6))
    def type_text(self, words: list[str]) -> None:
        if self.explorer.input.text_mode:
            self.act(typed(self.explorer, " ".join(words)))

    @rule()
    def switch_mode(self) -> None:
        self.act(self.explorer.toggle_text())

    @rule(cursor=st.integers(0, 12))
    def move(self, cursor: int) -> None:
        self.act(self.explorer.edit(self.explorer.input.text, cursor))

    @rule(name=st.sampled_from(["freeze", "no_grad", "grad"]))
    def toggle(self, name: str) -> None:
        self.act(self.explorer.toggle(name))

    @rule()
    def switch_matrix(self) -> None:
        self.act(self.explorer.switch_matrix())

    @rule(action=st.sampled_from(["backward", "step", "zero_grad", "undo", "reset"]))
    def train(self, action: str) -> None:
        self.act(getattr(self.explorer, action)())

    @rule(
        loss=st.sampled_from(["sum", "sqmean"]),
        lr=st.sampled_from([0.0, 0.1, 2.0]),
        options=st.sampled_from([LayerOptions(), LayerOptions(padding_idx=2), LayerOptions(max_norm=1.0), LayerOptions(sparse=True)]),
    )
    def set_options(self, loss: str, lr: float, options: LayerOptions) -> None:
        self.act(self.explorer.apply_training(TrainingChoice(loss, lr, options)))

    @rule(which=st.sampled_from([0, 1]))
    def open_tokenizer(self, which: int) -> None:
        """F6 with a tokenizer: its labels and tokenizer on the layer on screen (the outcome of the job made here)."""
        tokenizer = self.tokenizers[which]
        (job,) = self.explorer.open("tokenizer.json").jobs
        self.act(self.explorer.finish(job, LabelsLoaded(tokenizer.vocab, tokenizer)))

    @rule()
    def open_layer(self) -> None:
        """F6 with a weight file: 11 rows, no labels beside it, frozen as a file's layer is (refused if cut)."""
        inode, before = (self.folder / "eleven.safetensors").stat().st_ino, self.explorer.session.weights
        self.act(self.explorer.open(str(self.folder / "eleven.safetensors")))
        if self.explorer.session.weights is not None and self.explorer.session.weights is not before:  # opened, not refused
            self.opened_inode = inode

    @rule(kept=st.sampled_from([0, 100, 4096, 16384, 16400]))
    def cut_file(self, kept: int) -> None:
        """The file at the path truncated in place to `kept` bytes (its rows begin past 16 KB): the open one
        is said once to be cut and read no more; one renamed over it since is no concern of the open one."""
        weights = self.explorer.session.weights
        if weights is None or weights.path.stat().st_size <= kept:
            return
        opened = weights.path.stat().st_ino == self.opened_inode  # not a file renamed over it since
        os.truncate(weights.path, kept)
        said = self.explorer.check_file()
        if opened and self.cut is not weights:
            assert said is not None and said.status.error and said.status.text.startswith("eleven.safetensors was cut on disk")
            assert isinstance(said.dialog, Notice) and self.explorer.check_file() is None  # said once
            self.cut = weights
        if said is not None:
            self.act(said)

    @rule()
    def replace_file(self) -> None:
        """A new file renamed over the path, as a checkpoint is saved: the open one is still read, whole."""
        (self.folder / "new").write_bytes(self.pristine)
        os.replace(self.folder / "new", self.folder / "eleven.safetensors")

    @rule()
    def read_statistics(self) -> None:
        """The statistics pass over the layer on screen, then its panel closed: once the file was cut, what
        an earlier pass found, or refused with the one message."""
        view = self.explorer.settle(self.explorer.statistics())
        if view.panel is not None and self.cut is not None and self.cut is self.explorer.session.weights:
            kept = self.explorer.panel.statistics is self.statistics.get((id(self.explorer.session), self.explorer.session.version))
            assert kept or view.panel.said.text.startswith("eleven.safetensors was cut on disk") and view.status.error
        elif view.panel is not None and not view.panel.said.error:  # kept while the values are the same
            self.statistics[(id(self.explorer.session), self.explorer.session.version)] = self.explorer.panel.statistics
        if view.panel is not None:
            view = self.explorer.answer(view.panel, None)
        self.act(view)

    @invariant()
    def a_files_rows_are_read_whole_or_not_at_all(self) -> None:
        session = self.explorer.session
        if session.weights is None:
            return
        rows = [session.rows.row(row, 0, 3) for row in range(session.spec.vocab_size)]
        if self.cut is session.weights:  # cut: nothing is read from it, nor from its pages
            assert all(row.size == 0 for row in rows)
            return
        assert all(torch.equal(torch.from_numpy(row), weight) for row, weight in zip(rows, session.layer.weight.detach(), strict=True))

    @invariant()
    def the_view_tells_the_truth(self) -> None:
        explorer, view = self.explorer, self.view
        session, lookup, lab, line = explorer.session, explorer.lookup, explorer.lab, explorer.input
        rows = session.spec.vocab_size
        assert explorer.jobs.running == [] and explorer.jobs.queued == [] and view.toggles_enabled
        assert view.toggles == {name for name, on in (("freeze", session.frozen), ("no_grad", session.no_grad), ("grad", lab.grad_view(session))) if on}
        assert (session.grad is None) == (session.layer.weight.grad is None)
        assert view.input.value == line.text and line.text_mode <= (explorer.tokenizer is not None)
        reading = explorer.reading  # derived: the text read now, with the tokenizer and the layer on screen
        assert reading == read(line.text, explorer.tokenizer if line.text_mode else None, session)
        said_error = explorer.said[1] if explorer.said is not None else reading.problem is not None or explorer.lookup_failed is not None
        assert view.status.error == said_error
        positions = session.positions
        shown, name, shown_rows = (positions, "pos_embedding_layer", self.CONTEXT_LENGTH) if explorer.positions_shown else (session, "layer", rows)
        if lab.grad_view(session):
            assert view.matrix.title.startswith(f"{name}.weight.grad · ({shown_rows}, 3)")
            assert dict(view.matrix.prefixes) == dict.fromkeys(shown.grad.rows, "∇")
        else:
            assert f"({shown_rows}, 3) · torch.float32 · requires_grad={not session.frozen}" in view.matrix.title
            assert set(view.matrix.prefixes) <= set(range(shown_rows)) and set(view.matrix.prefixes.values()) <= {"Δ"}
        current = explorer.lookup_failed is None  # else its file was cut: the last lookup stays on screen
        if reading.parsed is not None and current:  # the lookup is of what the input reads as: the marks are its IDs
            assert lookup is not None and (lookup.ids, lookup.parsed.rows) == (reading.parsed.ids, reading.parsed.rows)
        if lookup is not None:
            assert all(0 <= row < rows for row in lookup.ids)
            assert (lookup.steps is None) == (positions is None)
            marks = lookup.steps.rows if explorer.positions_shown else lookup.positions
            assert view.matrix.positions is marks
            assert explorer.positions_shown or set(marks) == set(lookup.ids)
            assert not current or lookup.weight == session.weight_flags()  # the flags say what torch says now
            assert not current or (lookup.no_grad, lookup.requires_grad) == (session.no_grad, not session.no_grad and not session.frozen)
        if not lab.grad_view(session) and lab.step_shown is None and lookup is not None:
            text = lookup.text if lookup.steps is None else presenter.input_embeddings_text(lookup)
            assert view.result.text == text and view.result.stale == presenter.stale(explorer)

    @invariant()
    def the_weight_is_its_history_replayed(self) -> None:
        session = self.explorer.session
        checked = (session, tuple(session.history), session.version)
        if checked == getattr(self, "checked", None):  # nothing happened to the layer since the last check
            return
        self.checked = checked
        if self.cut is not None and self.cut is session.weights:  # cut: its pages may not be read
            return
        weights = open_weights(self.folder / "pristine" / "eleven.safetensors") if session.weights is not None else None  # as opened
        fresh = EmbeddingSession(session.spec, weights, frozen=session.frozen, context_length=self.CONTEXT_LENGTH)
        fresh.replay(list(session.history))
        for made, kept in zip(fresh.weights_trained(), session.weights_trained(), strict=True):
            assert torch.equal(made.detach(), kept.detach())
            assert (made.grad is None) == (kept.grad is None)
            if made.grad is not None:
                assert torch.equal(made.grad.to_dense(), kept.grad.to_dense())


class PositionsMachine(ExplorerMachine):
    """The same, with section 2.8's positional layer of 4 rows beside the token layer: inputs longer than 4
    are refused, and training goes through both layers."""

    CONTEXT_LENGTH = 4


TestExplorerMachine = ExplorerMachine.TestCase
TestExplorerMachine.settings = settings(max_examples=examples(60), stateful_step_count=20, deadline=None)
TestPositionsMachine = PositionsMachine.TestCase
TestPositionsMachine.settings = settings(max_examples=examples(40), stateful_step_count=20, deadline=None)


def test_backward_says_what_repeats_and_that_gradients_accumulate() -> None:
    explorer = ready(ids="2, 3")
    first = explorer.settle(explorer.backward()).status.text
    assert "repeated" not in first and "accumulate" not in first
    second = explorer.settle(explorer.backward()).status.text
    assert "gradients accumulate (row 2 now tensor([2., 2., 2.]))" in second
    repeated = ready(ids="2, 3, 3")
    assert "A repeated ID's gradients add up: rows 3 (×2)." in repeated.settle(repeated.backward()).status.text


def test_backward_with_the_weight_frozen_and_no_grad_names_both() -> None:
    explorer = ready(ids="2, 3", freeze=True, no_grad=True)
    text = explorer.settle(explorer.backward()).dialog.text
    assert text.startswith("backward() cannot run, for two reasons: the weight is frozen") and "torch.no_grad()" in text


def test_f6_given_a_vocabulary_or_tokenizer_labels_the_rows_on_screen(tmp_path: Path, minilm: Path) -> None:
    (tmp_path / "vocab.txt").write_text("a\nb\nc\nd\ne\nf\n", encoding="utf-8")
    explorer = ready(ids="2, 3")
    view = explorer.settle(explorer.open(str(tmp_path / "vocab.txt")))
    assert view.matrix.tokens(2) == "c" and view.status.text == "Row labels from vocab.txt: 6 tokens." and not explorer.input.text_mode
    view = explorer.settle(explorer.open(str(minilm / "tokenizer.json")))  # 30522 tokens for 6 rows: said
    assert explorer.tokenizer is not None and view.status.error and "30522 tokens and the matrix only 6 rows" in view.status.text
    empty = ready()
    empty.settle(empty.open("gpt2"))
    assert empty.input.text_mode and empty.view().input.title == "Text"  # a tokenizer and nothing typed: text
    view = empty.settle(empty.open(str(tmp_path / "missing.json")))
    assert view.status.error and explorer.vocab is not None


def test_one_hot_times_the_weight_is_the_lookup_at_the_notebooks_setup() -> None:
    explorer = ready(vocab_size=4, dim=5, ids="2, 3, 1")
    view = explorer.settle(explorer.one_hot())
    text = view.dialog.text
    assert "print(one_hot)\ntensor([[0, 0, 1, 0],\n        [0, 0, 0, 1],\n        [0, 1, 0, 0]])" in text  # as the notebook prints it
    assert "[ 0.6957, -1.8061, -1.1589,  0.3255, -0.6315]" in text and "[-2.8400, -0.7849, -1.4096, -0.4076,  0.7953]" in text
    assert "grad_fn=<MmBackward0>" in text and "grad_fn=<EmbeddingBackward0>" in text
    assert "layer(input_ids))  # True" in text and "torch.equal(grads[0], grads[1])  # True" in text
    assert "rows_with_gradient  # [1, 2, 3]" in text
    session = explorer.session
    assert session.layer.weight.grad is None and session.history == []  # the layer itself was not touched


def test_one_hot_asks_before_a_big_one() -> None:
    explorer = ready(vocab_size=50257, dim=768, ids="2, 3")
    question = explorer.one_hot().dialog
    assert isinstance(question, Question) and "50257" in question.text and "MB" in question.text
    assert explorer.answer(question, None).jobs == ()  # Escape: nothing made


def test_one_hot_says_why_the_gradients_differ_with_a_padding_row() -> None:
    from tui.core.chapter.spec import LayerOptions

    explorer = ready(ids="2, 3, 1", options=LayerOptions(padding_idx=2))
    text = explorer.settle(explorer.one_hot()).dialog.text
    assert "torch.equal(grads[0], grads[1])  # False" in text and "rows_with_gradient  # [1, 3]" in text
    assert "# padding_idx=2: the lookup gives that row no gradient; one_hot @ weight does" in text


def test_a_text_given_at_start_is_cut_into_windows_paged_and_sent_to_the_lookup(tmp_path: Path) -> None:
    from tui.core.chapter.windows import WindowSettings

    story = tmp_path / "story.txt"
    story.write_text("The cat sat on the mat, and the dog sat on the log. " * 6, encoding="utf-8")
    tokenizer = gpt2()
    explorer = ready(vocab_size=50257, tokenizer=tokenizer, text_file=str(story), windows=WindowSettings(batch_size=2))
    assert explorer.windows is not None and explorer.view().keys[2][0] == "show_windows"
    assert explorer.view().status.text.startswith(f"{story}: 22 windows in 11 batches of 2. F11 shows them")
    pane = explorer.show_windows().panel
    assert isinstance(pane, WindowsPane) and pane.count == 11 and pane.index == 0
    pane = explorer.answer(pane, Move(1)).panel
    assert "batch 1 of 11 (0 … 10):" in pane.page and "inputs:\ntensor([[" in pane.page
    view = explorer.settle(explorer.answer(pane, Act.SEND))
    inputs = explorer.windows.batch(1)[0]
    assert view.panel is None and not explorer.input.text_mode and explorer.lookup.ids == tuple(inputs.flatten().tolist())
    assert explorer.lookup.shape == (2, 4, 3) and view.input.value == str(inputs.tolist())


def test_windows_without_a_text_or_a_tokenizer_say_what_is_needed(tmp_path: Path) -> None:
    assert "start with --text-file FILE" in ready().show_windows().status.text
    (tmp_path / "t.txt").write_text("some text here", encoding="utf-8")
    assert "needs a tokenizer" in ready(text_file=str(tmp_path / "t.txt")).view().status.text


def test_windows_cut_again_with_settings_typed_in_their_view(tmp_path) -> None:

    story = tmp_path / "story.txt"
    story.write_text("The cat sat on the mat, and the dog sat on the log. " * 6, encoding="utf-8")
    explorer = Explorer(Setup.of(vocab_size=50257, dim=3, tokenizer=gpt2(), text_file=str(story)))
    explorer.settle(explorer.start())
    assert (explorer.windows.windows, explorer.windows.batches) == (22, 2)
    pane = explorer.show_windows().panel
    prompt = explorer.answer(pane, Act.SETTINGS).dialog
    assert prompt.value == "max_length=4 stride=1 batch_size=8 shuffle=False".replace("stride=1", "stride=4")
    view = explorer.settle(explorer.answer(prompt, prompt.parse("stride=1 batch_size=4")))
    assert isinstance(view.panel, WindowsPane) and view.panel.count == 21 and view.panel.index == 0
    assert (explorer.windows.windows, explorer.windows.batches) == (87, 21)
    assert explorer.windows.settings.text() == "max_length=4 stride=1 batch_size=4 shuffle=False"
    kept = explorer.windows
    prompt = explorer.answer(view.panel, Act.SETTINGS).dialog
    view = explorer.settle(explorer.answer(prompt, prompt.parse("max_length=500")))  # longer than the text
    assert explorer.windows is kept and view.status.error and "one window needs 501" in view.status.text
    pane = explorer.answer(view.panel, Move(3)).panel
    copied = explorer.answer(pane, Act.COPY).dialog
    assert isinstance(copied, Code) and copied.script == kept.script(3) and "stride=1, shuffle=False)" in copied.script


def test_a_tokenizer_opened_reads_the_text_again_with_it(minilm: Path) -> None:
    """The text typed is read again by the new tokenizer: its IDs are looked up, and labelled by its vocabulary."""
    explorer = ready(vocab_size=50257, tokenizer=gpt2())  # given a tokenizer: text mode
    typed(explorer, "hello world")
    assert explorer.lookup.ids == (31373, 995)
    explorer.settle(explorer.open(str(minilm / "tokenizer.json")))
    assert explorer.reading.tokens.ids == explorer.lookup.ids == (101, 7592, 2088, 102)
    said, _ = presenter.input_status(explorer)
    assert said.render("en") == "4 tokens: [CLS] | hello | world | [SEP] → IDs [101, 7592, 2088, 102]"
