"""A BPE tokenizer trained from a text in the explorer (no screen): the two questions, the job, its merges told
as they come, the layer it makes, text mode and the windows with it, and the last good state kept on errors."""

from pathlib import Path

import pytest

from tui.core.explorer.dialogs import Prompt, Refused, Topic
from tui.core.explorer.explorer import Explorer, Setup
from tui.core.explorer.tasks import Task
from tui.core.explorer.view import View
from tui.core.jobs import Job
from tui.core.tokens.bpe_training import BPETokenizer

TEXT = "the cat sat on the mat; the cat ate the rat. " * 20


def ready(**settings: object) -> Explorer:
    explorer = Explorer(Setup.of(**{"lang": "en", **settings}))
    explorer.settle(explorer.start())
    return explorer


def asked(explorer: Explorer, path: str, size: str) -> View:
    """The key, the two prompts answered as a person would type them; the job not run yet."""
    first = explorer.train_tokenizer().dialog
    assert isinstance(first, Prompt) and first.topic is Topic.BPE_TEXT and first.paths
    second = explorer.answer(first, first.parse(path)).dialog
    assert isinstance(second, Prompt) and second.topic is Topic.BPE_SIZE and second.value == "1000"
    return explorer.answer(second, second.parse(size))


@pytest.fixture
def story(tmp_path: Path) -> Path:
    path = tmp_path / "story.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_training_makes_a_layer_of_the_vocabulary_labelled_by_its_tokens_and_text_mode_uses_it(story: Path) -> None:
    explorer = ready(vocab_size=6, dim=4)
    view = asked(explorer, str(story), "280")
    assert [job.task for job in view.jobs] == [Task.BPE_TRAIN]
    said = explorer.settle(view).status.text
    assert said.startswith("22 merges learned from") and "280 rows × 4" in said
    expected = BPETokenizer()
    expected.train(TEXT, 280)
    assert explorer.spec.vocab_size == len(expected.vocab) == 280 and explorer.spec.dim == 4
    assert tuple(explorer.session.layer.weight.shape) == (280, 4)
    assert list(explorer.vocab.tokens) == [expected.vocab[i].replace("Ġ", " ") for i in range(280)]
    assert explorer.vocab.label(279) is not None
    assert explorer.input.text_mode
    text = "the cat ate the rat"
    view = explorer.edit(text, len(text))
    ids = expected.encode(text, allowed_special=("<|endoftext|>",))
    assert explorer.lookup.parsed.ids == tuple(ids)
    assert view.status.text.startswith(f"{len(ids)} tokens: ") and view.status.text.endswith(f"IDs {ids}")


def test_the_merges_are_told_as_they_are_learned(story: Path) -> None:
    explorer = ready()
    view = asked(explorer, str(story), "280")
    job: Job = view.jobs[0]
    told: list[str] = []
    job.listener = lambda fraction: told.append(explorer.progress(job, fraction).status.text)
    explorer.settle(view)
    expected = BPETokenizer()
    expected.train(TEXT, 280)
    assert told, "no progress was told"
    last = expected.merges[-1]
    shown = expected.vocab[last.pair[0]].replace("Ġ", "␣"), expected.vocab[last.pair[1]].replace("Ġ", "␣")
    assert told[-1].startswith("Training BPE 100% of 280")
    assert f"merge {last.k}: {shown[0]} + {shown[1]} → " in told[-1] and f"({last.count}×)" in told[-1]
    assert f"merge {last.k - 1}:" in told[-1]  # the last few, newest first


def test_the_windows_are_cut_again_with_the_trained_tokenizer(run_scripts, story: Path, tmp_path: Path) -> None:
    text_file = tmp_path / "windows.txt"
    text_file.write_text("the cat sat on the mat " * 10, encoding="utf-8")
    from tui.core.tokens.tokenizer import gpt2

    explorer = ready(tokenizer=gpt2(), vocab_size=50257, dim=2, text_file=str(text_file))
    assert explorer.windows.tokenizer.name == "gpt2"
    explorer.settle(asked(explorer, str(story), "280"))
    assert explorer.windows.tokenizer is explorer.tokenizer and explorer.tokenizer.name == "story.txt"
    expected = BPETokenizer()
    expected.train(TEXT, 280)
    inputs, _ = explorer.windows.batch(0)
    ids = expected.encode(text_file.read_text(), allowed_special=("<|endoftext|>",))
    assert inputs[0].tolist() == ids[: len(inputs[0])]
    targets = explorer.windows.batch(0)[1]
    (printed,) = run_scripts(explorer.windows.script(0))  # the book's GPTDatasetV1 with the script's own tokenizer
    assert printed == f"{inputs}\n{targets}\n"


def test_a_text_that_cannot_train_keeps_the_last_good_state(tmp_path: Path) -> None:
    explorer = ready(vocab_size=6, dim=3)
    layer = explorer.session
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    view = explorer.settle(asked(explorer, str(empty), "280"))
    assert explorer.session is layer and view.status.error and "The text is empty" in view.status.text
    view = explorer.settle(asked(explorer, str(tmp_path / "missing.txt"), "280"))
    assert explorer.session is layer and view.status.error and "missing.txt" in view.status.text
    first = explorer.train_tokenizer().dialog
    second = explorer.answer(first, first.parse(str(empty))).dialog
    with pytest.raises(Refused, match="too small"):
        second.parse("255")
    with pytest.raises(Refused, match="no vocabulary size"):
        second.parse("many")
    with pytest.raises(Refused):
        first.parse("")


def test_the_key_again_stops_the_training_and_the_layer_stays(story: Path) -> None:
    explorer = ready()
    layer = explorer.session
    view = asked(explorer, str(story), "280")
    stopped = explorer.train_tokenizer()
    assert stopped.status.text == "Training stopped: the layer on screen stays."
    explorer.settle(view)
    assert explorer.session is layer and explorer.spec.vocab_size == 6


def test_the_copied_script_trains_the_tokenizer_itself_and_prints_the_ids_and_lookup_on_screen(run_scripts, tmp_path: Path) -> None:
    path = tmp_path / "told.txt"  # a space first, newlines, a special token, pairs tied, a rare character
    path.write_text(" the cat sat; the rat ate.\nthe cat<|endoftext|>a mat, aaa  abab é\n" * 7 + "zz top", encoding="utf-8")
    explorer = ready(vocab_size=6, dim=3, seed=5)
    explorer.settle(asked(explorer, str(path), "300"))
    text = "the cat ate<|endoftext|> a rat é abab"
    explorer.edit(text, len(text))
    script = explorer.code_script()
    assert "import tui" not in script and "from tui" not in script
    assert "tokenizer.train(training_text, vocab_size=300)" in script and f"text = {text!r}" in script
    (printed,) = run_scripts(script)
    ids, lookup = printed.split("\n", 1)
    assert ids == str(list(explorer.lookup.parsed.ids)) and len(explorer.lookup.parsed.ids) > 5
    assert lookup.endswith(explorer.lookup.text + "\n")  # the weight, then the lookup, as for any layer made here
    explorer.edit(text + " ✓", len(text) + 2)  # a character the training text never had: the last good IDs stay
    script = explorer.code_script()
    assert "tokenizer.train" not in script and f"input_ids = torch.tensor({list(explorer.lookup.parsed.ids)})" in script
