"""Copy as code for a tokenizer trained in the app: a plain BPE class of our own (no import of this app), with
the notebook's names (`train(text, vocab_size, allowed_special)`, `encode(text)`), following exactly the rules
`bpe_training` keeps, then the training text read and the tokenizer trained as the app trained it."""

from __future__ import annotations

from pathlib import Path

from tui.core.files.script_files import ScriptFile
from tui.core.tokens.tokenizer import TokenizerCode

BPE_CLASS = '''
class BPETokenizerSimple:
    """Byte pair encoding as the book's bonus notebook (ch02/05_bpe-from-scratch) trains and encodes it."""

    def __init__(self):
        self.vocab = {}  # token ID -> its text (Ġ for a space)
        self.inverse_vocab = {}
        self.bpe_merges = {}  # (ID, ID) -> the merged ID, in the order learned

    def train(self, text, vocab_size, allowed_special={"<|endoftext|>"}):
        # each space becomes Ġ, except one at the very start, which is dropped
        text = text[1:].replace(" ", "Ġ") if text.startswith(" ") else text.replace(" ", "Ġ")
        special = sorted(allowed_special, key=len, reverse=True)
        parts = re.split("(" + "|".join(map(re.escape, special)) + ")", text) if special else [text]
        # the first vocabulary: chr(0) … chr(255), the text's other characters sorted, Ġ, the special tokens
        first = [chr(i) for i in range(256)]
        first += sorted(set("".join(parts[::2])) - set(first))
        if "Ġ" not in first:
            first.append("Ġ")
        first += sorted(set(special) - set(first))
        self.vocab = dict(enumerate(first))
        self.inverse_vocab = {token: i for i, token in self.vocab.items()}
        ids = []
        for index, part in enumerate(parts):  # a special token in the text stays whole: None, a wall no pair crosses
            ids += [None] if index % 2 else [self.inverse_vocab[c] for c in part]
        for new_id in range(len(self.vocab), vocab_size):
            # every pair counted again after each merge: slow on a big text, but plain to read (the app keeps a
            # table of counts updated around each merge instead, with the same result)
            pairs = Counter(pair for pair in zip(ids, ids[1:]) if None not in pair)
            if not pairs:
                break  # the text is one token
            pair = max(pairs, key=pairs.get)  # a tie goes to the pair met first in the text (Counter keeps that order)
            merged, i = [], 0
            while i < len(ids):  # its occurrences replaced left to right
                if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
                    merged.append(new_id)
                    i += 2
                else:
                    merged.append(ids[i])
                    i += 1
            ids = merged
            self.bpe_merges[pair] = new_id
            self.vocab[new_id] = self.vocab[pair[0]] + self.vocab[pair[1]]
            self.inverse_vocab[self.vocab[new_id]] = new_id

    def encode(self, text, allowed_special=()):
        special = sorted(allowed_special, key=len, reverse=True)
        parts = re.split("(" + "|".join(map(re.escape, special)) + ")", text) if special else [text]
        ids = []
        for index, part in enumerate(parts):
            if index % 2:
                ids.append(self.inverse_vocab[part])
                continue
            for number, line in enumerate(part.split("\\n")):
                if number:
                    ids.append(self.inverse_vocab["\\n"])
                for place, word in enumerate(line.split()):
                    ids += self.encode_word(word if number == place == 0 else "Ġ" + word)
        return ids

    def encode_word(self, word):
        # the word whole when it is a token, else its characters merged in passes left to right, any learned pair
        # met being merged, until a pass merges nothing
        if word in self.inverse_vocab:
            return [self.inverse_vocab[word]]
        ids = [self.inverse_vocab[c] for c in word]
        merged = True
        while merged and len(ids) > 1:
            merged, passed, i = False, [], 0
            while i < len(ids):
                pair = tuple(ids[i:i + 2])
                if pair in self.bpe_merges:
                    passed.append(self.bpe_merges[pair])
                    merged, i = True, i + 2
                else:
                    passed.append(ids[i])
                    i += 1
            ids = passed
        return ids
'''


def trained_code(path: Path, vocab_size: int) -> TokenizerCode:
    """The class, the training text at `path` read and the tokenizer trained to `vocab_size`, as the app did;
    copy-as-code encodes the text typed with it (the training is the script's point)."""
    lines = (
        *BPE_CLASS.splitlines(),
        "",
        "",
        'with open(TRAINING_TEXT, "r", encoding="utf-8") as f:',
        "    training_text = f.read()",
        "tokenizer = BPETokenizerSimple()",
        f"tokenizer.train(training_text, vocab_size={vocab_size})",
    )
    files = (ScriptFile("TRAINING_TEXT", "the text the tokenizer was trained on", path),)
    return TokenizerCode(("import re", "from collections import Counter"), files, lines, typed=True)
