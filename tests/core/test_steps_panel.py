"""The steps panel without a screen (tui.core.explorer.steps_page): Ctrl+E in text mode shows the steps of
the word under the input's cursor, exactly the core's `WordSteps` of that word by the source's tokenizer,
rendered as `bpe --steps` prints them; the looked-up rows stay marked."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from tui.core.explorer.dialogs import StepsPane
from tui.core.explorer.explorer import Explorer
from tui.core.explorer.setup import Setup
from tui.core.explorer.steps_page import word_lines
from tui.core.texts.messages import translate
from tui.core.tokens.bpe_steps import gpt2_steps, steps_for
from tui.core.tokens.tokenizer import gpt2, hugging_face, simple_v2


def ready(**settings: object) -> Explorer:
    explorer = Explorer(Setup.of(**{"lang": "en", "dim": 2, **settings}))
    explorer.settle(explorer.start())
    return explorer


def test_the_word_under_the_cursor_merge_by_merge_as_the_core_made_it() -> None:
    explorer = ready(vocab_size=50257, tokenizer=gpt2())
    explorer.edit("Hello world", 8)  # the cursor in "world"
    view = explorer.show_steps()
    assert isinstance(view.panel, StepsPane) and view.panel.title == "gpt2: the word under the cursor, step by step · Esc closes"
    word = gpt2_steps().word_steps(" world")
    assert word.tokens == ("Ġworld",) and word.ids == (995,) and len(word.steps) == 5
    lines = view.panel.page.splitlines()
    assert lines == word_lines(2, word, "bytes", partial(translate, "en"))
    assert lines[0] == "word 2: Ġworld" and lines[1] == "  bytes: Ġ w o r l d"
    for line, step in zip(lines[2:], word.steps):  # each merge: the pair, its rank, the pieces after it
        assert f"pair {step.parts[0]} + {step.parts[1]} (rank {step.rank}) → {' '.join(step.pieces)}" in line
    assert lines[-1] == "  tokens: Ġworld → IDs [995]"
    assert explorer.lookup.ids == (15496, 995) and set(view.matrix.positions) == {15496, 995}  # still marked
    assert explorer.answer(view.panel, None).panel is None  # Esc closes


def test_the_cursor_in_or_just_after_the_first_word_shows_it() -> None:
    explorer = ready(vocab_size=50257, tokenizer=gpt2())
    for cursor in (0, 3, 5):
        explorer.edit("Hello world", cursor)
        assert explorer.show_steps().panel.page.splitlines()[0] == "word 1: Hello"
        explorer.answer(explorer.view().panel, None)


def test_wordpiece_shows_its_longest_matches(minilm: Path) -> None:
    path = minilm / "tokenizer.json"
    explorer = ready(vocab_size=30522, tokenizer=hugging_face(path))
    explorer.edit("Tokenization rocks", 3)
    lines = explorer.show_steps().panel.page.splitlines()
    word = steps_for(str(path)).word_steps("tokenization")
    assert word.tokens == ("token", "##ization")
    assert lines == word_lines(1, word, "word", partial(translate, "en"))
    assert lines[1].startswith("  piece 1: token, the longest in the vocabulary")


def test_a_tokenizer_without_steps_says_so_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "verdict.txt").write_text("I HAD always thought Jack Gisburn rather a cheap genius.", encoding="utf-8")
    explorer = ready(vocab_size=13, tokenizer=simple_v2(tmp_path / "verdict.txt"))
    explorer.edit("Jack", 2)
    assert explorer.show_steps().panel.page == "verdict.txt has no steps to show: they are shown for BPE tokenizers (GPT-2's, a tokenizer.json's) and WordPiece ones."


def test_the_key_bar_names_it_in_text_mode_only() -> None:
    explorer = ready(vocab_size=50257, tokenizer=gpt2())
    assert ("show_steps", "^E", "steps") in explorer.view().keys
    assert "show_steps" not in [action for action, _, _ in explorer.toggle_text().keys]


def test_in_ids_mode_it_says_where_steps_are_shown() -> None:
    view = ready(ids="2, 3").show_steps()
    assert view.panel is None and view.status.error and view.status.text.startswith("A word's steps are shown in text mode (F5)")


def test_an_empty_text_has_no_word() -> None:
    explorer = ready(vocab_size=50257, tokenizer=gpt2())
    explorer.edit("", 0)
    assert explorer.show_steps().panel.page == "The text has no word yet: type some, then ask for its steps."
