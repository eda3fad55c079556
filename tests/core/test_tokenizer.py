"""Text → IDs with real tokenizers, offline: GPT-2's BPE, a Hugging Face tokenizer.json, the book's V2."""

from pathlib import Path

from tui.core.tokens.tokenizer import gpt2, hugging_face, simple_v2

GPT2_TEXT = "Hello, do you like tea? <|endoftext|> In the sunlit terraces of someunknownPlace."
GPT2_IDS = (15496, 11, 466, 345, 588, 8887, 30, 220, 50256, 554, 262, 4252, 18250, 8812, 2114, 286, 617, 34680, 27271, 13)


def test_gpt2_gives_the_books_ids_with_endoftext() -> None:
    tokens = gpt2().encode(GPT2_TEXT)
    assert tokens.ids == GPT2_IDS
    assert "".join(tokens.pieces) == GPT2_TEXT  # the pieces cut the text, nothing lost
    assert tokens.pieces[:3] == ("Hello", ",", " do")
    assert tokens.spans[:3] == ((0, 5), (5, 6), (6, 9)) and tokens.parsed.index_at(7) == 2


def test_minilm_tokenizer_adds_cls_and_sep(minilm: Path) -> None:
    tokenizer = hugging_face(minilm / "tokenizer.json")
    tokens = tokenizer.encode("Hello, do you like tea?")
    assert tokens.ids == (101, 7592, 1010, 2079, 2017, 2066, 5572, 1029, 102)
    assert tokens.pieces == ("[CLS]", "Hello", ",", "do", "you", "like", "tea", "?", "[SEP]")
    assert len(tokenizer.encode("word " * 1000).ids) == 1002  # no truncation at the model's 128


def test_the_books_simple_tokenizer_v2(tmp_path: Path) -> None:
    (tmp_path / "verdict.txt").write_text('I HAD always thought Jack Gisburn rather a cheap genius--though a good fellow enough.', encoding="utf-8")
    tokenizer = simple_v2(tmp_path / "verdict.txt")
    words = tokenizer.vocab.tokens
    assert words[-2:] == ("<|endoftext|>", "<|unk|>") and list(words[:-2]) == sorted(words[:-2])
    assert "--" in words and "" not in words
    tokens = tokenizer.encode("Hello, Jack! <|endoftext|> a good genius.")
    unk, end = len(words) - 1, len(words) - 2
    assert tokens.pieces == ("Hello", ",", "Jack", "!", "<|endoftext|>", "a", "good", "genius", ".")
    assert tokens.ids[0] == unk and tokens.ids[3] == unk and tokens.ids[4] == end
    assert tokens.ids[2] == words.index("Jack")
