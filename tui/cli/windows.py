"""`windows`: a text cut into windows and batches, printed."""

from __future__ import annotations

import argparse
from functools import partial

from tui.cli.output import flush, say
from tui.core.chapter.spec import SpecError
from tui.core.chapter.windows import TextWindows, WindowSettings
from tui.core.explorer.windows_page import page
from tui.core.texts.messages import Message, translate


def print_windows(args: argparse.Namespace, lang: str) -> int:
    """Section 2.6 without a screen: the windows and batches `create_dataloader_v1` makes of a text."""
    from tui.core.tokens import tokenizer as tokenizers

    for option in ("tokenizer", "text_file"):
        if getattr(args, option) == "":  # Path("") is the current folder
            raise SpecError(Message("options.empty", {"option": "--" + option.replace("_", "-")}))
    settings = WindowSettings(args.max_length, args.stride, args.batch_size, args.shuffle, args.seed)
    tokenizer = tokenizers.named(args.tokenizer)
    windows = TextWindows.cut(args.text_file, tokenizer, settings)
    say(page(windows, args.batch, tokenizer.vocab.label, partial(translate, lang)))
    flush()
    return 0
