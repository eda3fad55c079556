"""`embedding-explorer lookup` prints what torch prints; bad input is one line on stderr, exit 2."""

import errno
import io
import subprocess
import sys

import pytest
import torch

from tui.core.tokens.tokenizer import gpt2


def test_lookup_prints_weight_result_and_flags(cli, book_layer) -> None:
    done = cli("lookup", "2", "3", "5", "1")
    assert done.returncode == 0
    layer = book_layer()
    assert repr(layer.weight) in done.stdout
    assert repr(layer(torch.tensor([2, 3, 5, 1]))) in done.stdout
    assert "grad_fn=<EmbeddingBackward0>  is_leaf=False" in done.stdout
    assert "layer.weight: Parameter=True  shape=(6, 3)  requires_grad=True  is_leaf=True  grad=None" in done.stdout


def test_options_before_and_after_lookup(cli) -> None:
    done = cli("--dim", "4", "lookup", "--dtype", "float64", "--no-grad", "[1, 0]")
    assert done.returncode == 0
    torch.manual_seed(123)
    layer = torch.nn.Embedding(6, 4, dtype=torch.float64)
    with torch.no_grad():
        assert repr(layer(torch.tensor([1, 0]))) in done.stdout


@pytest.mark.parametrize(
    "args, expected",
    [
        (("lookup", "7"), "ID 7 at position 0 (column 1) is out of range: valid IDs are 0..5"),
        (("lookup", "2.5"), "'2.5' at column 1 (position 0) is not a whole number"),
        (("--vocab-size", "0"), "--vocab-size must be a whole number ≥ 1 (got 0)"),
        (("--dim", "-2"), "--dim must be a whole number ≥ 1 (got -2)"),
        (("--dtype", "int8"), "--dtype must be one of float32, float64, float16, bfloat16 (got int8)"),
        (("--dim", "x"), "argument --dim: 'x' is not a whole number (digits 0-9)"),
        (("--dim", "３"), "argument --dim: '３' is not a whole number (digits 0-9)"),
        (("--weights", ""), "--weights needs a value (it was given an empty one)."),
        (("--tokenizer", "", "lookup", "1"), "--tokenizer needs a value"),
        (("--freeze", "lookup", "--unfreeze", "1"), "--freeze and --unfreeze contradict each other"),
        (("--ids", "1", "lookup", "2"), "The IDs are given twice"),
        (("--key", "wte.weight", "lookup", "1"), "--key works with --weights or --model, which is not given."),
        (("lookup", "٣"), "'٣' at column 1 (position 0) is not a token ID"),
        (("--lang", "fr"), "invalid choice: 'fr'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, args: tuple[str, ...], expected: str) -> None:
    done = cli(*args)
    assert (done.returncode, done.stdout) == (2, "")
    assert expected in done.stderr
    assert done.stderr.count("\n") == 1


def test_a_real_process_refuses_bad_input_with_exit_2_and_no_traceback() -> None:
    """The process itself: its exit code and its one line (the in-process tests above check every message)."""
    done = subprocess.run([sys.executable, "-m", "tui", "lookup", "2.5"], capture_output=True, text=True, env={"LANG": "C.UTF-8"})
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "embedding-explorer: '2.5' at column 1 (position 0) is not a whole number: token IDs are integers.\n"


def test_spanish_messages(cli) -> None:
    done = cli("--lang", "es", "lookup", "abc")
    assert done.returncode == 2
    assert "no es un ID de token" in done.stderr


def test_the_help_is_in_spanish_with_lang_es_or_a_spanish_locale(cli, monkeypatch) -> None:
    done = cli("--lang", "es", "--help")
    assert done.returncode == 0 and done.stdout.startswith("uso: embedding-explorer")
    assert "opciones:" in done.stdout and "mostrar esta ayuda y salir" in done.stdout and "options:" not in done.stdout
    monkeypatch.setenv("LANG", "es_ES.UTF-8")
    assert "buscar bajo torch.no_grad()" in cli("lookup", "--help").stdout
    assert "look up under torch.no_grad()" in cli("--lang", "en", "lookup", "--help").stdout


def test_lookup_into_a_closed_pipe_is_quiet() -> None:
    command = f"{sys.executable} -m tui lookup --vocab-size 5000 --dim 64 1 2 3 | head -1"
    done = subprocess.run(command, shell=True, capture_output=True, text=True, env={"LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"})
    assert done.stdout == "print(layer.weight)\n"
    assert done.stderr == ""


def test_lookup_backward_and_step_print_grad_and_weight_as_torch(cli, book_layer) -> None:
    done = cli("lookup", "2", "3", "5", "1", "3", "--backward", "sum", "--step", "0.1")
    assert done.returncode == 0, done.stderr
    layer = book_layer()
    before = repr(layer.weight)
    layer(torch.tensor([2, 3, 5, 1, 3])).sum().backward()
    torch.optim.SGD(layer.parameters(), lr=0.1).step()
    grad_at = done.stdout.index("print(layer.weight.grad)\n" + repr(layer.weight.grad))
    assert done.stdout.index(before) < grad_at < done.stdout.index("print(layer.weight)\n" + repr(layer.weight))
    assert "rows with gradient: [1, 2, 3, 5]; rows exactly 0: 2" in done.stdout
    assert "lr=0.1).step()  # rows changed: [1, 2, 3, 5]" in done.stdout


def test_lookup_backward_with_layer_options(cli, book_layer) -> None:
    done = cli("--sparse", "--padding-idx", "3", "lookup", "2", "3", "3", "--backward", "sqmean")
    assert done.returncode == 0, done.stderr
    layer = book_layer(padding_idx=3, sparse=True)
    (layer(torch.tensor([2, 3, 3])) ** 2).mean().backward()
    assert repr(layer.weight.grad) in done.stdout
    assert "rows with gradient: [2]; rows exactly 0: 5" in done.stdout


@pytest.mark.parametrize(
    "args, expected",
    [
        (("--freeze", "lookup", "2", "--backward", "sum"), "element 0 of tensors does not require grad"),
        (("lookup", "2", "--step", "0.1"), "--step needs --backward"),
        (("lookup", "2", "--backward", "sum", "--step", "-1"), "The learning rate (lr) must be a number ≥ 0 (got -1.0)"),
        (("lookup", "2", "--backward", "sum", "--step", "1e308"), "lr=1e+308 is more than a float32 weight can hold"),
        (("--padding-idx", "6", "lookup", "2"), "padding_idx must be a whole number from -6 to 5 (got 6)"),
        (("--max-norm", "0", "lookup", "2"), "max_norm must be a number > 0 (got 0.0)"),
        (("lookup", "2", "--backward", "mean"), "invalid choice: 'mean'"),
    ],
)
def test_bad_training_options_are_one_line_and_exit_2(cli, args: tuple[str, ...], expected: str) -> None:
    done = cli(*args)
    assert (done.returncode, done.stdout) == (2, "")
    assert expected in done.stderr and done.stderr.count("\n") == 1


class Unwritable(io.RawIOBase):
    """A file that refuses every write, as a full disk does."""

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize(
    "stdout, expected",
    [
        (io.TextIOWrapper(io.BytesIO(), encoding="ascii"), "The output cannot be written in ascii: it holds '␣'"),
        (io.TextIOWrapper(Unwritable(), encoding="utf-8"), "The output could not be written: No space left on device."),
    ],
)
def test_output_that_cannot_be_written_is_one_line_and_exit_1(cli, monkeypatch, capsys, stdout, expected: str) -> None:
    monkeypatch.setattr(sys, "stdout", stdout)
    done = cli("lookup", "--tokenizer", "gpt2", "--text", "Hello tea")  # the tokens line shows ␣tea
    assert done.returncode == 1 and expected in done.stderr and done.stderr.count("\n") == 1


def test_ids_may_come_with_ids_before_or_after_lookup(cli, book_layer) -> None:
    expected = repr(book_layer()(torch.tensor([2, 3])))
    for args in (("--ids", "2, 3", "lookup"), ("lookup", "--ids", "2 3"), ("lookup", "2", "3")):
        done = cli(*args)
        assert done.returncode == 0 and expected in done.stdout, args


def test_a_vocabulary_longer_than_the_matrix_is_a_warning_on_stderr(cli, tmp_path) -> None:
    (tmp_path / "vocab.txt").write_text("a\nb\nc\nd\ne\nf\ng\n", encoding="utf-8")
    done = cli("lookup", "--vocab", str(tmp_path / "vocab.txt"), "1")
    assert done.returncode == 0 and "tokens: b" in done.stdout
    assert done.stderr == "embedding-explorer: The vocabulary has 7 tokens and the matrix only 6 rows: tokens past row 6 have no row here.\n"
    (tmp_path / "vocab.txt").write_text("a\nb\n", encoding="utf-8")  # shorter: the rest is padding, said in the app
    done = cli("lookup", "--vocab", str(tmp_path / "vocab.txt"), "1", "4")
    assert done.returncode == 0 and done.stderr == "" and "tokens: b ∅" in done.stdout


def test_lookup_with_max_norm_says_which_rows_it_renormalised(cli) -> None:
    done = cli("--max-norm", "1.0", "lookup", "1", "5")
    assert "# max_norm=1.0: this lookup renormalised rows 1, 5 of layer.weight in place" in done.stdout
    assert "renormalised" not in cli("--max-norm", "10", "lookup", "1", "5").stdout  # rows already short enough


def test_lookup_one_hot_prints_the_comparison(cli) -> None:
    done = cli("--vocab-size", "4", "--dim", "5", "lookup", "--one-hot", "2", "3", "1")
    assert done.returncode == 0
    one_hot = "print(one_hot)\ntensor([[0, 0, 1, 0],\n        [0, 0, 0, 1],\n        [0, 1, 0, 0]])\n"  # as the bonus notebook prints it
    assert "one_hot = torch.nn.functional.one_hot(input_ids, num_classes=4)\n" + one_hot in done.stdout
    assert "print(linear(one_hot.float()))" in done.stdout  # converted in the product, as the notebook does
    assert "grad_fn=<MmBackward0>" in done.stdout and "torch.equal(grads[0], grads[1])  # True" in done.stdout


def test_lookup_with_a_context_length_adds_positions_as_torch_does(cli) -> None:
    done = cli("lookup", "--context-length", "4", "[[2, 3], [5, 1]]")
    assert done.returncode == 0, done.stderr
    torch.manual_seed(123)
    token_layer, pos_layer = torch.nn.Embedding(6, 3), torch.nn.Embedding(4, 3)  # made one after the other
    ids = torch.tensor([[2, 3], [5, 1]])
    assert repr(pos_layer(torch.arange(2))) in done.stdout
    assert repr(token_layer(ids) + pos_layer(torch.arange(2))) in done.stdout
    assert "# [2, 2, 3] + [2, 3] → [2, 2, 3]: broadcasting adds the same 2 position rows to each of the 2 rows" in done.stdout


def test_the_books_input_embeddings_have_the_books_shapes(cli) -> None:
    batch = str([[index * 4 + position for position in range(4)] for index in range(8)])
    done = cli("--vocab-size", "50257", "--dim", "256", "lookup", "--context-length", "4", batch)
    assert "token_embeddings = layer(input_ids)                    # [8, 4, 256]\n" in done.stdout
    assert "pos_embeddings = pos_embedding_layer(torch.arange(4))  # [4, 256]\n" in done.stdout
    assert "input_embeddings = token_embeddings + pos_embeddings   # [8, 4, 256]\n" in done.stdout
    assert "# [8, 4, 256] + [4, 256] → [8, 4, 256]: broadcasting adds the same 4 position rows to each of the 8 rows" in done.stdout


def test_an_input_longer_than_the_context_is_torchs_index_error_naming_the_position(cli) -> None:
    done = cli("lookup", "--context-length", "2", "2", "3", "4")
    assert done.returncode == 2 and done.stderr == (
        "embedding-explorer: The input has 3 positions and the context length is 2: position 2 has no row in "
        "pos_embedding_layer (rows 0..1). torch says: IndexError: index out of range in self\n"
    )


def test_the_chapter_end_to_end_text_windows_batch_token_and_position_embeddings(cli, tmp_path) -> None:
    from tui.core.chapter.windows import WindowSettings, dataset, loader

    story = tmp_path / "story.txt"
    story.write_text("The cat sat on the mat, and the dog sat on the log. " * 6, encoding="utf-8")
    done = cli("lookup", "--preset", "book-2.8", "--text-file", str(story))
    assert done.returncode == 0, done.stderr
    ids = gpt2().encode(story.read_text(encoding="utf-8")).ids
    first = next(iter(loader(dataset(torch.tensor(ids), WindowSettings()), WindowSettings())))[0]  # the book's batch: 8 × 4
    assert f"input_ids = torch.tensor({first.tolist()})" in done.stdout
    assert "token_embeddings = layer(input_ids)                    # [8, 4, 256]" in done.stdout
    assert "# [8, 4, 256] + [4, 256] → [8, 4, 256]: broadcasting" in done.stdout
    torch.manual_seed(123)
    token_layer, pos_layer = torch.nn.Embedding(50257, 256), torch.nn.Embedding(4, 256)  # the book's, in its order
    assert repr(token_layer(first) + pos_layer(torch.arange(4))) in done.stdout
    assert "There is no batch 11" in cli("lookup", "--preset", "book-2.8", "--text-file", str(story), "--batch", "11").stderr
    assert "The IDs are given twice" in cli("lookup", "--text-file", str(story), "2").stderr


def test_an_app_that_ended_on_an_error_ends_the_process_with_its_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual prints an uncaught error's traceback and sets return_code 1: the exit code says so (a served tab
    shows the traceback only for a session that ended with an error)."""
    from tui import cli
    from tui.app import ExplorerApp

    def crashed(app: ExplorerApp) -> None:
        app._return_code = 1  # what Textual's App._handle_exception leaves

    monkeypatch.setattr(ExplorerApp, "run", crashed)
    assert cli.main(["--lang", "en"]) == 1
    monkeypatch.setattr(ExplorerApp, "run", lambda app: None)
    assert cli.main(["--lang", "en"]) == 0
