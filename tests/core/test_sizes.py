"""Sizes from outside (options, settings typed in the app, a text, a vocabulary file) are checked against what
they would allocate before anything is allocated (`tui.core.files.limits`), and cost memory in proportion to
their files."""

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
WORDS = "the cat sat on a mat while seven quick foxes jumped over lazy brown dogs near riverbanks".split()


def varied_text(path: Path, megabytes: float) -> Path:
    """A text of repeated, varied words: real tokens, not one repeated piece."""
    words = (WORDS[(i * 7 + i // 13) % len(WORDS)] + ("." if i % 11 == 0 else "") for i in range(int(megabytes * 2**20 / 5)))
    path.write_text(" ".join(words), encoding="utf-8")
    return path


@settings(max_examples=300, deadline=None)
@given(tokens=st.integers(0, 10**9), max_length=st.integers(1, 10**10), stride=st.integers(1, 10**10), batch_size=st.integers(1, 10**10))
def test_window_settings_beyond_the_text_are_refused_naming_the_limit(tokens: int, max_length: int, stride: int, batch_size: int) -> None:
    from tui.core.files.limits import SizeError, check_windows

    windows = len(range(0, tokens - max_length, stride))
    if max_length >= tokens or batch_size > windows:
        with pytest.raises(SizeError) as caught:
            check_windows(tokens, max_length, stride, batch_size)
        said = caught.value.message.english()
        assert f"one window needs {max_length + 1}" in said if max_length >= tokens else f"one batch of {batch_size}" in said
    else:
        assert check_windows(tokens, max_length, stride, batch_size) == windows


@settings(max_examples=100, deadline=None)
@given(nbytes=st.integers(0, 2**50))
def test_an_allocation_is_fine_asked_about_or_refused_by_its_size(nbytes: int) -> None:
    from tui.core.files import limits
    from tui.core.files.limits import SizeError
    from tui.core.texts.messages import Message

    what = Message("limits.what_batch", {"batch_size": 1, "max_length": 1})
    if nbytes > limits.memory():
        with pytest.raises(SizeError) as caught:
            limits.cost(nbytes, what)
        assert "more than this machine's memory" in caught.value.message.english()
    else:
        assert limits.cost(nbytes, what) is (limits.Cost.ASK if nbytes > limits.BYTES_WITHOUT_ASKING else limits.Cost.FINE)


@pytest.fixture
def story(tmp_path: Path) -> Path:
    path = tmp_path / "story.txt"
    path.write_text("The cat sat on the mat, and the dog sat on the log. " * 6, encoding="utf-8")  # 91 tokens
    return path


def test_a_huge_batch_size_is_refused_in_one_line_before_anything_is_allocated(cli, story: Path) -> None:
    done = cli("windows", "--text-file", str(story), "--batch-size", "1000000000")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("embedding-explorer: A batch of 1000000000 windows of 4 tokens (batch_size=1000000000, max_length=4; inputs and targets) needs 64.0 GB")
    assert done.stderr.count("\n") == 1
    fits = cli("windows", "--text-file", str(story), "--batch-size", "1000")  # fits in memory, not in the text's 22 windows
    assert fits.returncode == 2 and "The 22 windows do not fill one batch of 1000" in fits.stderr


def test_a_max_length_beyond_the_text_is_refused_naming_its_tokens(cli, story: Path) -> None:
    done = cli("windows", "--text-file", str(story), "--max-length", "1000000", "--batch-size", "1")
    assert (done.returncode, done.stderr) == (2, "embedding-explorer: The text gives 91 tokens: one window needs 1000001 (max_length and its target).\n")


@pytest.mark.parametrize("command", ["windows", "lookup"])
def test_a_negative_batch_is_refused_with_the_valid_range(cli, story: Path, command: str) -> None:
    options = ("--tokenizer", "gpt2", "--vocab-size", "50257") if command == "lookup" else ()
    done = cli(command, "--text-file", str(story), *options, "--batch", "-1")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "embedding-explorer: There is no batch -1: the loader gives 2 batches, 0 … 1.\n"


def test_a_context_length_beyond_the_limit_is_refused_naming_it(cli) -> None:
    done = cli("lookup", "1", "--context-length", "1000000000", "--dim", "12")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "embedding-explorer: pos_embedding_layer = torch.nn.Embedding(1000000000, 12) (--context-length) has 12000000000 elements:"
        " the limit is 525336576 elements (128256 × 4096).\n"
    )


@pytest.mark.parametrize("asked", ["-1", "−3", "-0000002"])
def test_a_negative_id_is_refused_by_neighbours_as_by_lookup(cli, asked: str) -> None:
    done = cli("neighbours", asked, "--vocab-size", "6", "--dim", "3")
    number = int(asked.replace("−", "-"))
    assert (done.returncode, done.stderr) == (2, f"embedding-explorer: Token ID {number} has no row: valid IDs are 0..5.\n")
    assert cli("lookup", asked, "--vocab-size", "6", "--dim", "3").returncode == 2


def peak_megabytes(code: str) -> float:
    """The peak resident memory of a fresh Python that imports torch and runs `code`, in MB."""
    script = f"import resource, torch\n{code}\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300, check=True)
    return float(done.stdout.split()[-1])


def test_a_text_cut_into_windows_costs_memory_in_proportion_to_the_text(tmp_path: Path) -> None:
    """A 2 MB text (half a million tokens) took 220 MB above a bare torch as tuples of Python objects; the IDs
    in one tensor, with the text itself and the tokenizer's own work, take a few times the file."""
    text = varied_text(tmp_path / "text.txt", 2)
    bare = peak_megabytes("from tui.core.tokens.tokenizer import gpt2; gpt2()")
    cut = peak_megabytes(
        "from tui.core.chapter.windows import TextWindows, WindowSettings; from tui.core.tokens.tokenizer import gpt2\n"
        f"TextWindows.cut({str(text)!r}, gpt2(), WindowSettings()).batch(3)"
    )
    assert cut - bare < 8 * 2, (bare, cut)


tokens = st.lists(st.text(st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)), max_size=6), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(tokens=tokens, data=st.data())
def test_a_vocab_txt_finds_each_token_as_a_vocabulary_held_as_strings_does(tokens: list[str], data: st.DataObject) -> None:
    from tui.core.texts.shown import visible
    from tui.core.tokens.vocab import Lines, Vocab

    ending = b"\n" if tokens[-1] == "" else data.draw(st.sampled_from([b"", b"\n"]))  # a last empty token needs its newline
    lines = Vocab(Path("vocab.txt"), Lines("\n".join(tokens).encode("utf-8") + ending))
    strings = Vocab(Path("vocab.txt"), tuple(tokens))
    assert list(lines.tokens) == tokens
    token = data.draw(st.sampled_from(tokens))
    for asked in (token, visible(token), token.strip(), token.upper(), data.draw(st.text(max_size=4))):
        assert lines.find(asked) == strings.find(asked), asked


def test_a_big_vocab_txt_costs_memory_in_proportion_to_its_file(tmp_path: Path) -> None:
    """A 100 MB vocab.txt took 5.1 GB to find a token (a string and three index entries a token); a 5 MB
    one now costs a few times its file, the most when nothing matches and the file is searched folded."""
    path = tmp_path / "vocab.txt"
    path.write_text("\n".join(f"{WORDS[i % len(WORDS)]}{i}" for i in range(500_000)), encoding="utf-8")
    megabytes = path.stat().st_size / 2**20
    bare = peak_megabytes("import tui.core.tokens.vocab")
    found = peak_megabytes(f"from tui.core.tokens.vocab import load_vocab\nv = load_vocab({str(path)!r})\nassert v.find('NOTHING') is None and v.find({WORDS[999 % len(WORDS)] + '999'!r}) == 999")
    assert found - bare < 5 * megabytes, (bare, found, megabytes)


def test_the_app_asks_before_a_big_batch_and_refuses_one_beyond_memory(story: Path) -> None:
    """As one-hot asks above 100 MB: settings typed in the windows view whose batch would take more are asked
    about first (yes cuts, Escape keeps the windows there are); beyond the machine's memory, refused."""
    from tui.core.chapter.windows import WindowSettings
    from tui.core.explorer.dialogs import Act, Choice, Question, Topic
    from tui.core.explorer.explorer import Explorer, Setup
    from tui.core.tokens.tokenizer import gpt2

    explorer = Explorer(Setup.of(vocab_size=50257, dim=3, tokenizer=gpt2(), text_file=str(story)))
    explorer.settle(explorer.start())
    kept = explorer.windows
    prompt = explorer.answer(explorer.show_windows().panel, Act.SETTINGS).dialog
    question = explorer.answer(prompt, prompt.parse("batch_size=1000000 max_length=8")).dialog
    assert isinstance(question, Question) and question.topic is Topic.BIG_BATCH
    assert question.text == "A batch of 1000000 windows of 8 tokens (batch_size=1000000, max_length=8; inputs and targets) takes 128.0 MB each time a batch is shown."
    assert explorer.settle(explorer.answer(question, None)).jobs == () and explorer.windows is kept
    question = explorer.answer(prompt, prompt.parse("batch_size=1000000 max_length=8")).dialog
    view = explorer.settle(explorer.answer(question, Choice.YES))  # asked and made: the text is too short for it
    assert explorer.windows is kept and view.status.error and "do not fill one batch of 1000000" in view.status.text
    view = explorer.answer(prompt, prompt.parse("batch_size=1000000000"))
    assert view.dialog is None and view.status.error and "more than this machine's memory" in view.status.text
    asked_at_start = Explorer(Setup.of(vocab_size=50257, dim=3, tokenizer=gpt2(), text_file=str(story), windows=WindowSettings(batch_size=10**6, max_length=8)))
    question = asked_at_start.settle(asked_at_start.start()).dialog
    assert question.topic is Topic.BIG_BATCH and asked_at_start.windows is None
