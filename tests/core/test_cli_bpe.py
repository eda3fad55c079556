"""`embedding-explorer bpe --tokenizer T --text TEXT [--steps]`: each word's steps, in English or Spanish,
then the IDs as a Python list, the real tokenizer's."""

from __future__ import annotations

import ast
from pathlib import Path

from tokenizers import Regex, Tokenizer, models, pre_tokenizers

from tui.core.tokens.tokenizer import gpt2, hugging_face

HELLO_WORLD = """\
word 1: Hello
  bytes: H e l l o
  merge 1: pair l + l (rank 41) → H e ll o
  merge 2: pair e + ll (rank 439) → H ell o
  merge 3: pair ell + o (rank 10853) → H ello
  merge 4: pair H + ello (rank 15240) → Hello
  tokens: Hello → IDs [15496]
word 2: Ġworld
  bytes: Ġ w o r l d
  merge 1: pair Ġ + w (rank 10) → Ġw o r l d
  merge 2: pair o + r (rank 17) → Ġw or l d
  merge 3: pair l + d (rank 79) → Ġw or ld
  merge 4: pair Ġw + or (rank 220) → Ġwor ld
  merge 5: pair Ġwor + ld (rank 739) → Ġworld
  tokens: Ġworld → IDs [995]
[15496, 995]
"""


def test_gpt2_steps_word_by_word_then_the_ids(cli) -> None:
    done = cli("bpe", "--tokenizer", "gpt2", "--text", "Hello world", "--steps")
    assert (done.returncode, done.stdout, done.stderr) == (0, HELLO_WORLD, "")


def test_without_steps_only_the_ids_as_the_tokenizer_gives_them(cli) -> None:
    text = "Jack embraced beauty through art and life. ¿Dónde está? 🙂<|endoftext|>\n\n  end"
    done = cli("bpe", "--tokenizer", "gpt2", "--text", text)
    assert done.returncode == 0 and ast.literal_eval(done.stdout) == list(gpt2().encode(text).ids)


def test_in_spanish_a_merge_is_a_fusion_of_a_pair(cli) -> None:
    lines = cli("--lang", "es", "bpe", "--tokenizer", "gpt2", "--text", "Hello", "--steps").stdout.splitlines()
    assert lines[:3] == ["palabra 1: Hello", "  bytes: H e l l o", "  fusión 1: par l + l (rango 41) → H e ll o"]
    assert lines[-2:] == ["  tokens: Hello → IDs de token [15496]", "[15496]"]


def test_wordpiece_longest_match_first_and_an_unknown_word(cli, minilm: Path) -> None:
    path = minilm / "tokenizer.json"
    done = cli("bpe", "--tokenizer", str(path), "--text", "Embeddings 🙂", "--steps")
    assert done.stdout.splitlines() == [
        "word 1: embeddings",
        "  piece 1: em, the longest in the vocabulary → em ##beddings",
        "  piece 2: ##bed, the longest in the vocabulary → em ##bed ##dings",
        "  piece 3: ##ding, the longest in the vocabulary → em ##bed ##ding ##s",
        "  piece 4: ##s, the longest in the vocabulary → em ##bed ##ding ##s",
        "  tokens: em ##bed ##ding ##s → IDs [7861, 8270, 4667, 2015]",
        "word 2: 🙂",
        "  the vocabulary has no piece for the rest: the word is [UNK]",
        "  tokens: [UNK] → IDs [100]",
        "[7861, 8270, 4667, 2015, 100]",
    ]
    assert ast.literal_eval(done.stdout.splitlines()[-1]) == list(hugging_face(path).encode("Embeddings 🙂").ids[1:-1])  # without [CLS] and [SEP]


def test_text_is_shown_literally(cli, tmp_path: Path) -> None:
    """A control character or a bidi override in the text reaches the terminal escaped, never as itself:
    GPT-2 shows its bytes in its own alphabet, a tokenizer of characters through the one printable road."""
    done = cli("bpe", "--tokenizer", "gpt2", "--text", "a\x1b[31m\u202e", "--steps")
    assert "\x1b" not in done.stdout and "\u202e" not in done.stdout and "  bytes: â Ģ ®" in done.stdout
    tokenizer = Tokenizer(models.BPE({"a": 0, "\u202e": 1, "[UNK]": 2}, [], unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.save(str(tmp_path / "tokenizer.json"))
    done = cli("bpe", "--tokenizer", str(tmp_path / "tokenizer.json"), "--text", "a\u202ea", "--steps")
    assert "\u202e" not in done.stdout and "word 2: \\u202e" in done.stdout.splitlines()


def test_refusals_are_one_line_and_exit_2(cli, tmp_path: Path) -> None:
    assert cli("bpe", "--text", "Hello")[0::2] == (2, "embedding-explorer: bpe needs --tokenizer (gpt2, a tokenizer.json, or a vocab.json with merges.txt beside it) and --text, or --train FILE --vocab-size N.\n")
    missing = cli("bpe", "--tokenizer", str(tmp_path / "tokenizer.json"), "--text", "Hello")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "tokenizer.json" in missing.stderr


def test_a_pre_tokenizer_that_panics_is_one_line(cli, tmp_path: Path) -> None:
    """A stranger's tokenizer.json whose pattern backtracks without end (`tokenizers` panics): one line."""
    tokenizer = Tokenizer(models.BPE({"[UNK]": 0, "a": 1, "!": 2}, [], unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Split(Regex("(a|a?)+$"), behavior="isolated")
    tokenizer.save(str(tmp_path / "tokenizer.json"))
    assert cli("bpe", "--tokenizer", str(tmp_path / "tokenizer.json"), "--text", "a!").stdout == "[1, 2]\n"
    done = cli("bpe", "--tokenizer", str(tmp_path / "tokenizer.json"), "--text", "a" * 30 + "!", "--steps")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "could not cut this text" in done.stderr
