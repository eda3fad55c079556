"""A byte pair encoding tokenizer trained from a text (`bpe --train`): a small example worked out by hand,
the bonus notebook's rules checked against a plain transcription of them (a full recount of every pair after
each merge, `Counter` and `max` as the notebook calls them), the tokenizer.json saved and loaded again by
`tokenizers` giving the same IDs, the refusals, and the command line in both languages."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tokenizers import Tokenizer

from tui.core.jobs import Cancelled
from tui.core.tokens.bpe_training import BPETokenizer, TrainingError
from tui.core.tokens.tokenizer import hugging_face

WORDS = "the a cat sat on mat and dog ran in park with hat of art life Jack through beauty embraced".split()


def story(sentences: int, seed: int = 0) -> str:
    """A text of our own (ASCII words, spaces, punctuation, newlines), the same for a seed."""
    pick = random.Random(seed)
    lines = [" ".join(pick.choice(WORDS) for _ in range(pick.randint(3, 12))).capitalize() + pick.choice(".,!?") for _ in range(sentences)]
    return "\n".join(lines)


def notebook_rules(text: str, vocab_size: int, specials: tuple[str, ...] = ("<|endoftext|>",)) -> list[tuple[tuple[int, int], int, int]]:
    """The notebook's training as it reads: Ġ for each space but one at the start, chr(0..255) then the
    text's other characters sorted, Ġ, the specials; each step counts every pair again (`Counter` over
    `zip(ids, ids[1:])`), takes `max` by count (the first seen wins a tie), replaces it left to right."""
    text = text[1:].replace(" ", "Ġ") if text.startswith(" ") else text.replace(" ", "Ġ")
    first = [chr(code) for code in range(256)]
    first += [character for character in sorted(set(text)) if character not in first]
    first += [token for token in ("Ġ", *sorted(specials)) if token not in first]
    index = {token: token_id for token_id, token in enumerate(first)}
    ids, merges = [index[character] for character in text], []
    for new in range(len(first), vocab_size):
        pairs = Counter(zip(ids, ids[1:]))
        if not pairs:
            break
        pair, count = max(pairs.items(), key=lambda item: item[1])
        replaced, at = [], 0
        while at < len(ids):
            if at + 1 < len(ids) and (ids[at], ids[at + 1]) == pair:
                replaced.append(new)
                at += 2
            else:
                replaced.append(ids[at])
                at += 1
        ids = replaced
        merges.append((pair, count, new))
    return merges


def trained(text: str, vocab_size: int) -> BPETokenizer:
    tokenizer = BPETokenizer()
    tokenizer.train(text, vocab_size=vocab_size, allowed_special={"<|endoftext|>"})
    return tokenizer


# -- worked out by hand ------------------------------------------------------------------------------------
def test_the_cat_in_the_hat_by_hand() -> None:
    """The notebook's own example. 'theĠcatĠinĠtheĠhat': Ġ is 256 (the one character above 255),
    <|endoftext|> 257. Pairs seen twice: th, he, eĠ, at; th occurs first → 258. Then (th, e) → 259 'the',
    (the, Ġ) → 260 'theĠ', (a, t) → 261 'at'; then every pair is seen once, and the first, (theĠ, c), → 262."""
    tokenizer = trained("the cat in the hat", 263)
    t, h, e, c, a, space = 116, 104, 101, 99, 97, 256
    assert [(merge.k, merge.pair, merge.count, merge.token) for merge in tokenizer.merges] == [
        (1, (t, h), 2, 258),
        (2, (258, e), 2, 259),
        (3, (259, space), 2, 260),
        (4, (a, t), 2, 261),
        (5, (260, c), 1, 262),
    ]
    assert [tokenizer.vocab[token_id] for token_id in range(256, 263)] == ["Ġ", "<|endoftext|>", "th", "the", "theĠ", "at", "theĠc"]
    # 'the' is a token whole; 'Ġhat' is not: its only learned pair is (a, t); 'that' takes th, then at
    assert tokenizer.encode("the hat") == [259, space, h, 261]
    assert tokenizer.encode("that") == [258, 261]
    assert tokenizer.encode("the<|endoftext|>", allowed_special={"<|endoftext|>"}) == [259, 257]
    assert tokenizer.decode([259, space, h, 261, 257]) == "the hat<|endoftext|>"


def test_a_tie_goes_to_the_pair_seen_first_in_the_text() -> None:
    """'baĠabĠabĠba': (b, a), (a, Ġ), (Ġ, a), (a, b), (b, Ġ) are all seen twice; (b, a) comes first in the
    text (though (a, b) has the smaller IDs)."""
    assert trained("ba ab ab ba", 259).merges[0].pair == (98, 97)


def test_overlapping_pairs_are_counted_as_the_notebook_counts_them() -> None:
    """'aaaaaaaa': (a, a) seven times (overlapping) → 258 four times → (258, 258) three times → 259 twice →
    one token after three merges, however large the vocabulary asked for."""
    tokenizer = trained("a" * 8, 1000)
    assert [(merge.pair, merge.count, merge.token) for merge in tokenizer.merges] == [((97, 97), 7, 258), ((258, 258), 3, 259), ((259, 259), 1, 260)]
    assert tokenizer.ran_out and tokenizer.encode("a" * 8) == [260]


# -- the notebook's rules, on texts of our own -------------------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
def test_the_merges_are_the_notebooks_recount_exactly(seed: int) -> None:
    text = story(40, seed) + (" leading space" if seed % 2 else "") + " é ü — ✓ " * (seed % 3)
    if seed % 2:
        text = " " + text
    vocab_size = 256 + 40 * (seed + 1)
    tokenizer = trained(text, vocab_size)
    assert [(merge.pair, merge.count, merge.token) for merge in tokenizer.merges] == notebook_rules(text, vocab_size)


def test_a_vocabulary_of_1000_learns_742_merges_as_the_book_counts() -> None:
    """1000 − 256 bytes − Ġ − <|endoftext|> = 742 on a Latin-1 text: Ġ is 256, <|endoftext|> 257."""
    tokenizer = trained(story(400), 1000)
    assert len(tokenizer.merges) == 742 and len(tokenizer.vocab) == 1000
    assert (tokenizer.vocab[256], tokenizer.vocab[257]) == ("Ġ", "<|endoftext|>")
    assert all(tokenizer.vocab[code] == chr(code) for code in range(256))
    sentence = "Jack embraced beauty through art and life."
    ids = tokenizer.encode(sentence)
    assert tokenizer.decode(ids) == sentence and len(ids) < len(sentence)


def test_progress_is_told_and_cancellation_stops_between_merges() -> None:
    told: list[float] = []
    tokenizer = BPETokenizer()
    tokenizer.train(story(200), 600, progress=lambda fraction, merge: told.append(fraction))
    assert told == sorted(told) and told[-1] == 1.0
    with pytest.raises(Cancelled):
        BPETokenizer().train(story(200), 600, cancelled=lambda: True)


# -- saved, and loaded again ------------------------------------------------------------------------------
def test_the_saved_tokenizer_json_gives_the_same_ids(tmp_path: Path) -> None:
    text = story(300, seed=7) + "\n<|endoftext|>\n" + story(50, seed=8) + "  two spaces,\ttab and a line end\n"
    tokenizer = trained(text, 900)
    path = tokenizer.save(tmp_path / "mine")
    ours = tokenizer.encode(text, allowed_special={"<|endoftext|>"})
    assert Tokenizer.from_file(str(path)).encode(text).ids == ours
    opened = hugging_face(path)  # what --tokenizer opens
    assert list(opened.encode(text).ids) == ours
    assert opened.vocab.tokens[256:258] == ("Ġ", "<|endoftext|>") and len(opened.vocab.tokens) == 900
    assert tokenizer.decode(ours) == text


ROUND_TRIP = story(120, seed=3) + " é ü — ✓\t" + "<|endoftext|>"
ROUND_TRIP_TOKENIZER = trained(ROUND_TRIP, 700)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([*sorted(set(ROUND_TRIP) - set("<|>")), "<|endoftext|>"]), max_size=80).map("".join))
def test_any_text_of_known_characters_encodes_as_the_saved_file_does(tmp_path_factory, text: str) -> None:
    """Spaces in runs, leading and trailing, newlines, characters above 255, special tokens anywhere."""
    path = ROUND_TRIP_TOKENIZER.save(tmp_path_factory.getbasetemp() / "round-trip")
    ours = ROUND_TRIP_TOKENIZER.encode(text, allowed_special={"<|endoftext|>"})
    assert Tokenizer.from_file(str(path)).encode(text).ids == ours
    assert ROUND_TRIP_TOKENIZER.decode(ours) == text


def test_a_special_token_in_the_training_text_stays_whole(tmp_path: Path) -> None:
    text = "<|endoftext|>".join(["the end", "the end", "the end"]) * 50
    tokenizer = trained(text, 400)
    assert all(257 not in merge.pair for merge in tokenizer.merges)
    assert "<|endoftext|>" not in [tokenizer.vocab[merge.token] for merge in tokenizer.merges]
    opened = hugging_face(tokenizer.save(tmp_path))
    assert list(opened.encode(text).ids) == tokenizer.encode(text, allowed_special={"<|endoftext|>"})


# -- refused --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "vocab_size", "key"),
    [("", 1000, "bpe_train.empty"), (" ", 1000, "bpe_train.empty"), ("the cat", 255, "bpe_train.vocab_small")],
)
def test_bad_input_is_refused_with_a_sentence(text: str, vocab_size: int, key: str) -> None:
    with pytest.raises(TrainingError) as refused:
        BPETokenizer().train(text, vocab_size)
    assert refused.value.message.key == key


def test_a_character_the_training_text_never_had_is_named() -> None:
    with pytest.raises(TrainingError, match="'✓' is in no token"):
        trained("the cat", 260).encode("the ✓")


# -- the command line ------------------------------------------------------------------------------------
def test_the_cli_prints_the_merges_and_the_ids_and_saves(tmp_path: Path, cli) -> None:
    (tmp_path / "hat.txt").write_text("the cat in the hat", encoding="utf-8")
    done = cli("bpe", "--train", str(tmp_path / "hat.txt"), "--vocab-size", "263", "--text", "the hat<|endoftext|>", "--save", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == [f"5 merges learned from {tmp_path / 'hat.txt'}: a vocabulary of 263 tokens.", "[259, 256, 104, 261, 257]"]
    assert hugging_face(tmp_path / "out" / "tokenizer.json").encode("the hat").ids == (259, 256, 104, 261)


def test_the_cli_says_how_many_merges_were_possible(tmp_path: Path, cli) -> None:
    (tmp_path / "a.txt").write_text("a" * 8, encoding="utf-8")
    done = cli("bpe", "--train", str(tmp_path / "a.txt"), "--vocab-size", "300")
    assert done.returncode == 0
    assert "Only 3 merges were possible: after them the whole text is a single token (a vocabulary of 300 needs 42)." in done.stdout
    spanish = cli("bpe", "--train", str(tmp_path / "a.txt"), "--vocab-size", "300", "--lang", "es")
    assert "3 fusiones aprendidas" in spanish.stdout and "Solo fueron posibles 3 fusiones" in spanish.stdout


def test_a_folder_that_cannot_be_made_is_said(tmp_path: Path, cli) -> None:
    (tmp_path / "hat.txt").write_text("the cat in the hat", encoding="utf-8")
    (tmp_path / "a-file").write_text("")
    done = cli("bpe", "--train", str(tmp_path / "hat.txt"), "--vocab-size", "263", "--save", str(tmp_path / "a-file" / "sub"))
    assert done.returncode == 2 and f"could not be saved as {tmp_path / 'a-file' / 'sub' / 'tokenizer.json'}: Not a directory." in done.stderr


@pytest.mark.parametrize(
    ("make", "args", "said"),
    [
        (lambda folder: folder / "missing.txt", ("--vocab-size", "300"), "no such file"),
        (lambda folder: folder, ("--vocab-size", "300"), "folder"),
        (lambda folder: (folder / "latin1.txt").write_bytes(b"caf\xe9") and folder / "latin1.txt", ("--vocab-size", "300"), "is not UTF-8 text (byte 3"),
        (lambda folder: (folder / "empty.txt").write_text("") == 0 and folder / "empty.txt", ("--vocab-size", "300"), "The text is empty"),
        (lambda folder: (folder / "small.txt").write_text("the cat") and folder / "small.txt", ("--vocab-size", "100"), "--vocab-size must be at least 256"),
        (lambda folder: (folder / "no-size.txt").write_text("the cat") and folder / "no-size.txt", (), "needs --vocab-size N"),
    ],
)
def test_the_cli_refuses_in_one_line(tmp_path: Path, cli, make, args: tuple[str, ...], said: str) -> None:
    done = cli("bpe", "--train", str(make(tmp_path)), *args)
    assert done.returncode == 2 and said in done.stderr and done.stderr.count("\n") == 1 and not done.stdout
