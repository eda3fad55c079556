"""The options → the app's `Setup`: checked without torch first, then the layer, its labels and tokenizer,
and what a served session may read."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.chapter.spec import LayerOptions, LayerSpec, SpecError
from tui.core.chapter.windows import WindowSettings
from tui.core.explorer.explorer import Setup
from tui.core.files.access import SERVED, Access
from tui.core.texts.messages import Message
from tui.core.tokens.parse import parse_ids
from tui.core.tokens.tokenizer import beside
from tui.core.tokens.vocab import load_vocab

if TYPE_CHECKING:
    from tui.core.tokens.tokenizer import TextTokenizer


def setup_of(args: argparse.Namespace, lang: str) -> Setup:
    """The layer, its labels and tokenizer, the toggles and the first IDs, from the options. What can be
    checked without torch is checked first: a bad option or ID is refused before torch is imported."""
    _check_options(args)
    if args.model and Path(args.model).suffix == ".gguf":  # a GGUF file is a whole model: its own tokens, its config
        args.weights, args.model = args.model, None
    model = None
    if args.model:
        from tui.core.files.models import find_model  # imports torch

        model = find_model(args.model, args.key)
    file = model.file if model is not None else Path(args.weights) if args.weights else None
    explicit = args.vocab or args.tokenizer or args.vocab_from_text  # else: what lies beside the weights
    later = file is not None and file.suffix == ".gguf" and not explicit  # its token list: once the matrix is shown
    found_vocab, found_tokenizer = beside(file) if file is not None and not explicit and not later else (None, None)
    tokenizer = _tokenizer(args) or found_tokenizer
    vocab = load_vocab(args.vocab) if args.vocab else (tokenizer.vocab if tokenizer else found_vocab)
    layer = LayerSpec()
    rows = len(tokenizer.vocab) if tokenizer and file is None else layer.vocab_size
    vocab_size = rows if args.vocab_size is None else args.vocab_size
    dim, seed, dtype = (layer.dim if args.dim is None else args.dim), (layer.seed if args.seed is None else args.seed), args.dtype or layer.dtype
    options = LayerOptions(args.padding_idx, args.max_norm, args.scale_grad_by_freq, args.sparse)
    if file is None:  # a file's layer is checked against the file (its rows bound padding_idx)
        LayerSpec(vocab_size, dim, seed, dtype, options).check()
    ids = (" ".join(args.ids) or args.typed_ids) if args.command == "lookup" else args.typed_ids
    if args.command == "lookup" and args.text is None:
        parse_ids(ids)
    weights = None
    if model is not None:
        from tui.core.files.models import open_model

        weights = open_model(model)
    elif args.weights:
        from tui.core.files.weights import open_weights  # imports torch

        weights = open_weights(args.weights, args.key)
    return Setup.of(
        vocab_size=vocab_size,
        dim=dim,
        seed=seed,
        dtype=dtype,
        ids=ids,
        lang=lang,
        freeze=True if args.freeze else False if args.unfreeze else None,  # None: torch's default
        no_grad=args.no_grad,
        weights=weights,
        vocab=vocab,
        tokenizer=tokenizer,
        options=options,
        text_file=args.text_file if args.command is None else None,  # the app's windows view; lookup's batch is its own
        windows=WindowSettings(args.max_length, args.stride, args.batch_size, args.shuffle, seed),
        context_length=args.context_length,
        labels_later=file if later else None,
        access=_access(args, model.file.parent if model is not None else None) if args.command is None else None,
    )


def _access(args: argparse.Namespace, model_folder: Path | None) -> Access:
    """What the app's session may read: anything, unless `embedding-explorer serve` started it (then the files
    and models named by the options, the folder a model was found in, and the `--files` folder)."""
    given = [getattr(args, name) for name in ("weights", "model", "tokenizer", "vocab", "vocab_from_text", "text_file")]
    return Access.of(os.environ.get(SERVED), [value for value in given if value], () if model_folder is None else (model_folder,))


def _check_options(args: argparse.Namespace) -> None:
    """Options that would be ignored or contradict each other: refused, so nothing is silently dropped."""
    for name in ("weights", "model", "key", "vocab", "tokenizer", "vocab_from_text", "text_file", "dtype"):
        if getattr(args, name) == "":
            raise SpecError(Message("options.empty", {"option": "--" + name.replace("_", "-")}))
    if args.freeze and args.unfreeze:
        raise SpecError(Message("options.both", {"first": "--freeze", "second": "--unfreeze"}))
    if args.weights and args.model:
        raise SpecError(Message("options.both", {"first": "--weights", "second": "--model"}))
    if args.command == "lookup" and sum(map(bool, (args.ids, args.typed_ids, args.text_file, args.text is not None))) > 1:
        raise SpecError(Message("options.ids_twice"))
    if args.command == "neighbours" and (args.query is None) == (args.expr is None):
        raise SpecError(Message("neighbours.query_needed"))
    if args.key and not (args.weights or args.model):
        raise SpecError(Message("options.needs", {"option": "--key", "needed": Message("options.either", {"first": "--weights", "second": "--model"})}))
    decided = [f"--{name.replace('_', '-')}" for name in ("vocab_size", "dim", "seed", "dtype") if getattr(args, name) is not None]
    if (args.weights or args.model) and decided:
        raise SpecError(Message("options.from_file", {"options": ", ".join(decided)}))


def _tokenizer(args: argparse.Namespace) -> TextTokenizer | None:
    """`--tokenizer` or `--vocab-from-text` (a tokenizer.json beside the weight file is `beside`'s to find)."""
    from tui.core.tokens import tokenizer

    if args.tokenizer:
        return tokenizer.named(args.tokenizer)
    if args.vocab_from_text:
        return tokenizer.simple_v2(Path(args.vocab_from_text))
    return None
