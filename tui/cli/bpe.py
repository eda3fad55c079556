"""`bpe`: a word's BPE steps (`--steps`) and IDs, or a tokenizer trained from a text (`--train`)."""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path

from tui.cli.output import fail, flush, say
from tui.core.chapter.spec import SpecError
from tui.core.texts.messages import Message, translate


def print_bpe_training(args: argparse.Namespace, lang: str) -> int:
    """The bonus notebook without a screen: a tokenizer trained from --train, the number of merges learned
    (and how few were possible when the text ran out), the IDs of --text as the notebook prints them."""
    from tui.core.tokens.bpe_training import BPETokenizer, training_text

    if not args.train:  # given empty
        raise SpecError(Message("options.empty", {"option": "--train"}))
    if args.vocab_size is None:
        raise SpecError(Message("bpe_train.needs_vocab_size", {}))
    tokenizer = BPETokenizer()
    tokenizer.train(training_text(args.train), vocab_size=args.vocab_size)
    merges = len(tokenizer.merges)
    say(translate(lang, "bpe_train.learned", merges=merges, path=args.train, size=len(tokenizer.vocab)))
    if tokenizer.ran_out:
        wanted = args.vocab_size - len(tokenizer.vocab) + merges
        say(translate(lang, "bpe_train.ran_out", merges=merges, asked=args.vocab_size, wanted=wanted))
    if args.text is not None:
        say(str(tokenizer.encode(args.text, allowed_special=tokenizer.special)))
    if args.save:
        say(translate(lang, "bpe_train.saved", folder=str(tokenizer.save(Path(args.save)))))
    flush()
    return 0


def print_bpe_steps(args: argparse.Namespace, lang: str) -> int:
    """`bpe --tokenizer T --text TEXT [--steps]`: with `--steps` each word's steps, then the IDs as a Python
    list, as the book prints them."""
    if args.tokenizer is None or args.text is None:
        return fail(translate(lang, "steps.needs"))
    from tui.core.explorer.steps_page import word_lines
    from tui.core.tokens.bpe_steps import steps_for

    stepper = steps_for(args.tokenizer)
    words = stepper.text_steps(args.text)
    if args.steps:
        for number, word in enumerate(words, 1):
            say("\n".join(word_lines(number, word, stepper.start, partial(translate, lang))))
    say(str([token_id for word in words for token_id in word.ids]))
    flush()
    return 0
