"""A byte pair encoding tokenizer trained from a text (`bpe --train`): a small example worked out by hand,
the bonus notebook's rules checked against a plain transcription of them (a full recount of every pair after
each merge, `Counter` and `max` as the notebook calls them), its encoding checked against a plain
transcription of the notebook's `encode`, the folder saved as the notebook saves it and opened again by
`--tokenizer` giving the same IDs, the refusals, and the command line in both languages."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.jobs import Cancelled
from tui.core.tokens.bpe_training import BPETokenizer, TrainingError
from tui.core.tokens.tokenizer import labels_of, named

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


def notebook_encode(tokenizer: BPETokenizer, text: str, allowed_special: set[str] | None = None) -> list[int]:
    """The notebook's `encode` and `tokenize_with_bpe` as they read, over our tokenizer's vocab and merges:
    special tokens cut out first (each prefix encoded on its own), lines, a newline token between them,
    `str.split` words, Ġ before all but the first word of the first line, a word in the vocabulary whole,
    else passes left to right merging any learned pair until a pass merges none."""
    import re

    inverse = {token: token_id for token_id, token in tokenizer.vocab.items()}  # the last ID of a text wins
    ids: list[int] = []
    if allowed_special:
        pattern = "(" + "|".join(re.escape(token) for token in sorted(allowed_special, key=len, reverse=True)) + ")"
        last = 0
        for match in re.finditer(pattern, text):
            ids.extend(notebook_encode(tokenizer, text[last : match.start()]))
            ids.append(inverse[match.group(0)])
            last = match.end()
        text = text[last:]
    tokens = []
    for i, line in enumerate(text.split("\n")):
        if i > 0:
            tokens.append("\n")
        for j, word in enumerate(line.split()):
            tokens.append(word if i == 0 and j == 0 else "Ġ" + word)
    for token in tokens:
        if token in inverse:
            ids.append(inverse[token])
            continue
        token_ids = [inverse[char] for char in token]
        can_merge = True
        while can_merge and len(token_ids) > 1:
            can_merge = False
            new_tokens = []
            i = 0
            while i < len(token_ids) - 1:
                pair = (token_ids[i], token_ids[i + 1])
                if pair in tokenizer.bpe_merges:
                    new_tokens.append(tokenizer.bpe_merges[pair])
                    i += 2
                    can_merge = True
                else:
                    new_tokens.append(token_ids[i])
                    i += 1
            if i < len(token_ids):
                new_tokens.append(token_ids[i])
            token_ids = new_tokens
        ids.extend(token_ids)
    return ids


def notebook_decode(tokenizer: BPETokenizer, ids: list[int]) -> str:
    """The notebook's `decode` as it reads."""
    decoded = ""
    for token_id in ids:
        token = tokenizer.vocab[token_id]
        if token == "\n":
            if decoded and not decoded.endswith(" "):
                decoded += " "
            decoded += token
        elif token.startswith("Ġ"):
            decoded += " " + token[1:]
        else:
            decoded += token
    return decoded


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


# -- encoded as the notebook encodes ----------------------------------------------------------------------
def test_left_to_right_passes_are_not_rank_order() -> None:
    """'bcĠbcĠbcĠabĠab': (b, c) three times → 258 'bc'; (bc, Ġ) three times → 259 'bcĠ'; (bcĠ, bcĠ) and
    (a, b) twice each, (bcĠ, bcĠ) first in the text → 260; then (a, b) → 261 'ab'. The word 'abc' is no
    token: its pass meets (a, b) first, merges it to ab and goes on after it, at c alone; the next pass finds
    (ab, c) unlearned: [ab, c]. Rank order would merge (b, c), learned first, to [a, bc]."""
    tokenizer = trained("bc bc bc ab ab", 262)
    a, b, c, space = 97, 98, 99, 256
    assert [(merge.pair, merge.token) for merge in tokenizer.merges] == [((b, c), 258), ((258, space), 259), ((259, 259), 260), ((a, b), 261)]
    assert tokenizer.encode("abc") == [261, c]
    assert tokenizer.encode("abc") != [a, 258]  # rank order's answer


def test_the_text_is_cut_as_the_notebook_cuts_it() -> None:
    """Lines on '\\n' with a newline token between them; words by str.split, so runs of spaces and a leading
    space vanish; Ġ before every word but the very first, the first word of a later line included."""
    tokenizer = trained("the cat in the hat", 263)  # 259 'the', 260 'theĠ', 261 'at'; 256 Ġ
    h, c, newline, space = 104, 99, 10, 256
    assert tokenizer.encode("  the   cat ") == [259, space, c, 261]
    assert tokenizer.encode("the\n\nhat\n") == [259, newline, newline, space, h, 261, newline]
    assert tokenizer.encode("\tthat") == [258, 261]  # a tab is whitespace to str.split too
    assert tokenizer.encode("theĠ") == [260]  # a word that is a token is its ID whole
    assert tokenizer.decode(tokenizer.encode("the\nhat")) == "the \n hat"  # the notebook's space before a newline


def test_a_text_two_ids_spell_is_the_later_id_as_the_notebook_loads_it(tmp_path: Path) -> None:
    """Merges (a, b) → 256 'ab', (b, c) → 257 'bc', (a, bc) → 258 'abc', (ab, c) → 259 'abc' again: the
    notebook's inverse vocabulary keeps the later ID for 'abc', so the word abc is 259 whole; 'xabc' is no
    token: its pass merges (a, b), then ab + c → [x, 259]."""
    import json

    vocab = {**{str(code): chr(code) for code in range(256)}, "256": "ab", "257": "bc", "258": "abc", "259": "abc"}
    merges = [{"pair": [97, 98], "new_id": 256}, {"pair": [98, 99], "new_id": 257}, {"pair": [97, 257], "new_id": 258}, {"pair": [256, 99], "new_id": 259}]
    (tmp_path / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (tmp_path / "bpe_merges.txt").write_text(json.dumps(merges), encoding="utf-8")
    loaded = BPETokenizer.load(tmp_path)
    assert loaded.encode("abc") == [259] and loaded.encode("xabc") == [120, 259]
    assert named(str(tmp_path)).vocab.tokens[258:260] == ("abc", "abc")


TEXTS = [
    story(30, seed) + extra
    for seed, extra in enumerate(["", "  double  spaces\n\n\nblank lines", " leading and trailing \n", "\ttabs\tand <|endoftext|> inside", " é ü"])
]


@pytest.mark.parametrize("seed", range(5))
def test_encode_and_decode_are_the_notebooks_exactly(seed: int) -> None:
    tokenizer = trained(story(200, seed) + " é ü " + "<|endoftext|>", 500 + 100 * seed)
    for text in [*TEXTS, story(80, seed + 10)]:
        ids = tokenizer.encode(text, allowed_special={"<|endoftext|>"})
        assert ids == notebook_encode(tokenizer, text, {"<|endoftext|>"})
        assert tokenizer.decode(ids) == notebook_decode(tokenizer, ids)
        assert tokenizer.encode(text) == notebook_encode(tokenizer, text)


# -- saved, and loaded again ------------------------------------------------------------------------------
def test_the_saved_folder_is_the_notebooks_and_opens_with_the_same_ids(tmp_path: Path) -> None:
    import json

    text = story(300, seed=7) + "\n<|endoftext|>\n" + story(50, seed=8) + "  two spaces,\ttab and a line end\n"
    tokenizer = trained(text, 900)
    folder = tokenizer.save(tmp_path / "mine")
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    assert vocab == {str(token_id): token for token_id, token in tokenizer.vocab.items()}
    merges = json.loads((folder / "bpe_merges.txt").read_text(encoding="utf-8"))
    assert merges == [{"pair": list(pair), "new_id": new} for pair, new in tokenizer.bpe_merges.items()]
    ours = tokenizer.encode(text, allowed_special={"<|endoftext|>"})
    for path in (folder, folder / "bpe_merges.txt"):  # what --tokenizer and F6 open
        opened = named(str(path))
        assert list(opened.encode(text).ids) == ours
        labels, labelled_by = labels_of(str(path))
        assert labelled_by is not None and list(labelled_by.encode(text).ids) == ours
        assert labels.tokens[256:258] == (" ", "<|endoftext|>") and len(labels.tokens) == 900
    assert BPETokenizer.load(folder).encode(text, allowed_special={"<|endoftext|>"}) == ours


ROUND_TRIP = story(120, seed=3) + " é ü — ✓\t" + "<|endoftext|>"
ROUND_TRIP_TOKENIZER = trained(ROUND_TRIP, 700)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([*sorted(set(ROUND_TRIP) - set("<|>")), "<|endoftext|>"]), max_size=80).map("".join))
def test_any_text_of_known_characters_encodes_as_the_saved_folder_does(tmp_path_factory, text: str) -> None:
    """Spaces in runs, leading and trailing, newlines, characters above 255, special tokens anywhere."""
    folder = ROUND_TRIP_TOKENIZER.save(tmp_path_factory.getbasetemp() / "round-trip")
    ours = ROUND_TRIP_TOKENIZER.encode(text, allowed_special={"<|endoftext|>"})
    assert ours == notebook_encode(ROUND_TRIP_TOKENIZER, text, {"<|endoftext|>"})
    assert list(named(str(folder)).encode(text).ids) == ours


def test_a_special_token_in_the_training_text_stays_whole(tmp_path: Path) -> None:
    text = "<|endoftext|>".join(["the end", "the end", "the end"]) * 50
    tokenizer = trained(text, 400)
    assert all(257 not in merge.pair for merge in tokenizer.merges)
    assert "<|endoftext|>" not in [tokenizer.vocab[merge.token] for merge in tokenizer.merges]
    assert list(named(str(tokenizer.save(tmp_path))).encode(text).ids) == tokenizer.encode(text, allowed_special={"<|endoftext|>"})


@pytest.mark.parametrize(
    ("vocab", "merges"),
    [("[1, 2]", "[]"), ('{"0": "a"}', '[{"pair": [0, 1], "new_id": 2}]'), ('{"x": "a"}', "[]"), ('{"0": "a"}', '[{"pair": [0]}]')],
)
def test_a_folder_of_another_shape_is_said(tmp_path: Path, vocab: str, merges: str) -> None:
    (tmp_path / "vocab.json").write_text(vocab, encoding="utf-8")
    (tmp_path / "bpe_merges.txt").write_text(merges, encoding="utf-8")
    with pytest.raises(TrainingError) as refused:
        named(str(tmp_path))
    assert refused.value.message.key == "bpe_train.unreadable"


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
    assert done.stdout.splitlines() == [
        f"5 merges learned from {tmp_path / 'hat.txt'}: a vocabulary of 263 tokens.",
        "[259, 256, 104, 261, 257]",
        f"Saved in {tmp_path / 'out'} (vocab.json and bpe_merges.txt): open it with --tokenizer {tmp_path / 'out'}.",
    ]
    looked_up = cli("lookup", "--tokenizer", str(tmp_path / "out"), "--text", "the hat<|endoftext|>", "--dim", "2")
    assert looked_up.returncode == 0, looked_up.stderr
    assert "ids: [259, 256, 104, 261, 257]" in looked_up.stdout and "shape=(263, 2)" in looked_up.stdout


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
    assert done.returncode == 2 and f"could not be saved as {tmp_path / 'a-file' / 'sub' / 'vocab.json'}: Not a directory." in done.stderr


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


# -- the copied script's own class (tui/core/tokens/bpe_code.py), plain Python run apart from the app --------
def script_class() -> type:
    """The class copy-as-code writes, run as the script runs it (its two imports, nothing of the app's)."""
    import re

    from tui.core.tokens.bpe_code import BPE_CLASS

    namespace = {"re": re, "Counter": Counter}
    exec(BPE_CLASS, namespace)  # noqa: S102 - the script's own text, as the script runs it
    return namespace["BPETokenizerSimple"]


def test_the_copied_class_trains_and_encodes_as_ours() -> None:
    texts = [" " + story(60, 1) + "\n<|endoftext|>\n" + story(20, 2) + "  two  spaces é ✓", "a" * 9 + " ab" * 5, "abab bcbc abab"]
    for text, vocab_size in zip(texts, (600, 1000, 300), strict=True):
        ours, theirs = trained(text, vocab_size), script_class()()
        theirs.train(text, vocab_size=vocab_size)
        assert (theirs.vocab, theirs.bpe_merges) == (ours.vocab, ours.bpe_merges)
        for typed in [*TEXTS, text]:
            typed = "".join(character for character in typed if character in ours.inverse_vocab or character.isspace())
            assert theirs.encode(typed, allowed_special={"<|endoftext|>"}) == ours.encode(typed, allowed_special={"<|endoftext|>"})


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", " ", "\n", "<|endoftext|>", "é"]), min_size=1, max_size=60).map("".join), st.integers(260, 320))
def test_the_copied_class_learns_our_merges_on_any_text(text: str, vocab_size: int) -> None:
    """Ties everywhere (three letters), spaces first and in runs, newlines, special tokens as walls."""
    try:
        ours = trained(text, vocab_size)
    except TrainingError:
        return  # an empty text (only special tokens): refused before any script is copied
    theirs = script_class()()
    theirs.train(text, vocab_size=vocab_size)
    assert (theirs.vocab, theirs.bpe_merges) == (ours.vocab, ours.bpe_merges)
    assert theirs.encode(text, allowed_special={"<|endoftext|>"}) == ours.encode(text, allowed_special={"<|endoftext|>"})
