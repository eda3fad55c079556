"""`models`: the models in the Hugging Face cache and the folders given, from their files' headers."""

from __future__ import annotations

import argparse

from tui.cli.output import flush, say, warn
from tui.core.texts.messages import translate


def print_models(args: argparse.Namespace, lang: str) -> int:
    """The models in the Hugging Face cache and the folders given: each one's input embedding, from the
    files' headers. A model that cannot be read is one line saying why; the others are listed anyway."""
    from tui.core.files.models import cached_models, example_model, hub_cache, listing

    cache = hub_cache()
    cached = cached_models(cache)
    for skipped in cached.skipped:  # a broken entry of the cache: said, and the others listed
        warn(skipped.render(lang))
    names = [*cached.ids, *args.folders]
    if not names:
        say(translate(lang, "models.none", cache=str(cache)))
        example = example_model()
        if example is not None:
            say(translate(lang, "models.example", folder=str(example)))
        flush()
        return 0
    for name in names:
        for shown, said, refused in listing(name, cache):
            say(f"{shown}: {'✗ ' if refused else ''}{said.render(lang)}")
    flush()
    return 0
