"""Searching the vocabulary: the query syntax, smart case, the order of the matches, real vocabularies, and
any query against a plain Python loop that applies the rule one token at a time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.depth import examples
from tui.core.texts.shown import visible
from tui.core.tokens.vocab import load_vocab
from tui.core.tokens.vocab_search import NOTHING, VocabIndex, parse_query

TOKENS = (
    "the",  # 0
    " the",  # 1
    "There",  # 2
    " there",  # 3
    None,  # 4: an ID the vocabulary skips
    "other",  # 5
    "THE",  # 6
    "ß",  # 7: folds to two letters, so the folded labels' offsets differ from the shown ones
    "bathe",  # 8
    "the the",  # 9
    "^",  # 10
    "$",  # 11
    "a$b",  # 12
    "STRASSE",  # 13
    "\n",  # 14
    "tab\there",  # 15
    "",  # 16
)


@pytest.fixture(scope="module")
def index() -> VocabIndex:
    return VocabIndex(TOKENS)


def ids(index: VocabIndex, typed: str, **options: object) -> tuple[int, ...]:
    return index.search(typed, limit=len(TOKENS), **options).ids


def test_plain_text_is_a_substring_exact_matches_first_then_those_that_start_with_it(index: VocabIndex) -> None:
    # the, ␣the, THE are the query itself (a leading space aside); There, ␣there, the␣the start with it.
    assert ids(index, "the") == (0, 1, 6, 2, 3, 9, 5, 8, 15)
    assert index.search("the").total == 9


def test_anchors(index: VocabIndex) -> None:
    assert ids(index, "^the") == (0, 6, 2, 9)  # ␣the starts with a space
    assert ids(index, "the$") == (0, 1, 6, 8, 9)  # the␣the ends with it, not as its start
    assert ids(index, "^the$") == (0, 6)
    assert ids(index, "^ther") == (2,)


def test_a_space_or_the_visible_space_matches_a_leading_space(index: VocabIndex) -> None:
    assert ids(index, " the") == ids(index, "␣the") == (1, 3, 9)
    assert ids(index, "^ the") == ids(index, "^␣the") == (1, 3)
    assert ids(index, "^␣the$") == (1,)


def test_smart_case_and_the_case_sensitive_flag(index: VocabIndex) -> None:
    assert not parse_query("the").case_sensitive and parse_query("The").case_sensitive
    assert ids(index, "The") == (2,)  # a capital letter: case counts
    assert ids(index, "^THE$") == (6,)
    assert ids(index, "the", case_sensitive=True) == (0, 1, 3, 9, 5, 8, 15)
    assert ids(index, "^the$", case_sensitive=True) == (0,)


def test_case_folding_that_changes_lengths(index: VocabIndex) -> None:
    assert ids(index, "ss") == (7, 13)  # ß folds to ss, as STRASSE does
    assert ids(index, "^strasse$") == (13,)
    assert ids(index, "ß") == (7, 13)  # ß is lower case: case is ignored, and it folds to ss
    assert ids(index, "^ß$", case_sensitive=True) == (7,)


def test_anchor_characters_themselves(index: VocabIndex) -> None:
    assert ids(index, "^^") == (10,)
    assert ids(index, "$$") == (11,)  # ends with $
    assert ids(index, "^$$") == (11,)
    assert ids(index, "$b") == (12,)  # a $ that does not end the query is text
    assert ids(index, "^a$b$") == (12,)


@pytest.mark.parametrize("typed", ["^", "$", "^$"])
def test_a_query_of_anchors_alone_says_so(index: VocabIndex, typed: str) -> None:
    matches = index.search(typed)
    assert matches.ids == () and matches.total == 0 and matches.query is None
    assert matches.problem is not None and matches.problem.key == "search.anchors_only"
    assert matches.problem.params == {"query": typed}


def test_an_empty_query_matches_nothing(index: VocabIndex) -> None:
    assert index.search("") == NOTHING and NOTHING.problem is None


def test_hidden_characters_are_found_as_shown(index: VocabIndex) -> None:
    assert ids(index, "\\n") == ids(index, "\n") == (14,)  # typed as shown, or pasted as it is
    assert ids(index, "b\\th") == ids(index, "b\th") == (15,)


def test_the_limit_keeps_the_best_and_the_total_counts_all(index: VocabIndex) -> None:
    matches = index.search("the", limit=2)
    assert matches.ids == (0, 1) and matches.total == 9
    assert index.search("the", limit=0).ids == ()
    assert index.search("the", limit=-1).ids == ()


def test_a_vocabulary_of_skipped_ids_matches_nothing() -> None:
    index = VocabIndex((None, None))
    assert index.search("a").total == 0 and index.search("^a$").ids == ()


def test_gpt2(gpt2_files: Path) -> None:
    vocab = load_vocab(gpt2_files / "encoder.json")
    index = VocabIndex(vocab.tokens)
    the = index.search("the", limit=6)
    assert the.ids == (262, 383, 464, 1169, 3336, 10970)  # ␣the ␣The The the ␣THE THE: the query itself first
    assert [vocab.label(token_id) for token_id in the.ids[:2]] == ["␣the", "␣The"]
    assert index.search("the", limit=2, case_sensitive=True).ids == (262, 1169)
    assert index.search("^the$", case_sensitive=True).ids == (1169,)
    assert set(index.search("^the$").ids) == {464, 1169, 10970}
    assert index.search(" the").ids[0] == index.search("␣the").ids[0] == 262
    assert index.search("Ġthe").total == 0  # byte-level tokens are found by the text they stand for
    assert index.search("\\n").ids[0] == 198
    assert index.search("<|endoftext|>").ids == (50256,)


def test_minilm(minilm: Path) -> None:
    index = VocabIndex(load_vocab(minilm / "vocab.txt").tokens)
    assert index.search("^the$").ids == (1996,)
    assert index.search("hello").ids == (7592,)
    assert index.search("HELLO").total == 0  # an upper-case query in a lower-case vocabulary
    assert index.search("##the").ids[0] == 10760
    assert index.search("[CLS]").ids == (101,)


# -- any query, against the rule applied one token at a time ------------------------------------------

ALPHABET = "tThHeEß ␣^$\\n\t\nİi"
ANY = st.characters(exclude_categories=())  # lone surrogates too
TYPED = st.one_of(st.text(alphabet=ALPHABET, max_size=6), st.text(ANY, max_size=6))
VOCABS = st.lists(st.one_of(st.none(), st.text(alphabet=ALPHABET, max_size=6), st.text(ANY, max_size=4)), max_size=25)


def by_the_rule(tokens: tuple[str | None, ...], typed: str, case_sensitive: bool) -> list[int]:
    """The matching IDs best first, from the module's docstring, one token at a time."""
    start, body, end = re.fullmatch(r"(\^?)(.*?)(\$?)", typed, re.DOTALL).groups()
    needle = visible(body)
    fold = not (case_sensitive or any(char.isupper() for char in body))
    ranked = []
    for token_id, token in enumerate(tokens):
        if token is None or not needle:
            continue
        label = visible(token).casefold() if fold else visible(token)
        wanted = needle.casefold() if fold else needle
        at = label.find(wanted) if not end else len(label) - len(wanted)
        if at < 0 or not label.startswith(wanted, at) or (start and at != 0):
            continue
        at_start = at == 0 or (at == 1 and label[0] == "␣")
        exact = at_start and at + len(wanted) == len(label)
        ranked.append((0 if exact else 1 if at_start else 2, token_id))
    return [token_id for _, token_id in sorted(ranked)]


@settings(max_examples=examples(400), deadline=None)
@given(tokens=VOCABS, typed=TYPED, case_sensitive=st.booleans())
def test_any_query_gives_what_the_rule_gives(tokens: list[str | None], typed: str, case_sensitive: bool) -> None:
    tokens_ = tuple(tokens)
    matches = VocabIndex(tokens_).search(typed, limit=len(tokens_), case_sensitive=case_sensitive)
    expected = by_the_rule(tokens_, typed, case_sensitive)
    assert list(matches.ids) == expected and matches.total == len(expected)
    assert (matches.problem is not None) == (typed in ("^", "$", "^$"))


@settings(max_examples=examples(200), deadline=None)
@given(typed=st.text(ANY))
def test_any_text_is_a_query(index: VocabIndex, typed: str) -> None:
    matches = index.search(typed, limit=5)
    assert len(matches.ids) == min(5, matches.total) and 4 not in matches.ids
