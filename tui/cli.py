"""Command line: `embedding-explorer [options]` opens the app; `embedding-explorer lookup IDS` prints.

Bad options give one line on stderr and exit code 2, never a traceback. Neither torch nor Textual is
imported before the options are known to be good.
"""

from __future__ import annotations

import argparse
import sys

from typing import TYPE_CHECKING

from tui.core.messages import LANGUAGES, Message, resolve_lang
from tui.core.parse import IdError, ParsedIds, parse_ids
from tui.core.spec import DTYPES, LayerSpec, SpecError
from tui.core.text import printable
from tui.core.vocab import VocabError

if TYPE_CHECKING:
    from tui.core.vocab import Vocab
    from tui.core.weights import WeightFile

PROG = "embedding-explorer"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage + message
        self.exit(2, f"{PROG}: {message}\n")


def _add_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """The layer options, accepted before and after `lookup` (there without defaults, so that
    `--dim 8 lookup 1` keeps the 8)."""
    layer = LayerSpec()

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument("--vocab-size", type=int, default=default(layer.vocab_size), help="rows of the weight (6)")
    parser.add_argument("--dim", type=int, default=default(layer.dim), help="embedding dimension (3)")
    parser.add_argument("--seed", type=int, default=default(layer.seed), help="torch.manual_seed (123)")
    parser.add_argument("--dtype", default=default(layer.dtype), help=f"one of {', '.join(DTYPES)} (float32)")
    parser.add_argument("--lang", choices=LANGUAGES, default=default(None), help="en or es (from LANG / LC_ALL)")
    parser.add_argument("--freeze", action="store_true", default=default(False), help="weight.requires_grad_(False)")
    parser.add_argument("--no-grad", action="store_true", default=default(False), help="look up under torch.no_grad()")
    parser.add_argument("--weights", default=default(None), help="a weight file: .safetensors .pt .pth .bin .npy .npz")
    parser.add_argument("--key", default=default(None), help="the tensor in --weights (found by itself when possible)")
    parser.add_argument("--vocab", default=default(None), help="row labels: vocab.txt, tokenizer.json or encoder.json")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Watch token IDs become embedding vectors, with real PyTorch.")
    _add_options(parser, defaults=True)
    parser.add_argument("--ids", default="", help='token IDs to start with, e.g. "2, 3, 5, 1"')
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    lookup = commands.add_parser("lookup", help="print the weight, the lookup and the flags; exit")
    _add_options(lookup, defaults=False)
    lookup.add_argument("ids", nargs="*", help="token IDs: 2 3 5 1, or '[2, 3, 5, 1]'")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    lang = resolve_lang(args.lang)
    spec = LayerSpec(args.vocab_size, args.dim, args.seed, args.dtype)
    freeze = True if args.freeze else None  # None: torch's default (a file's layer starts frozen)
    try:
        spec.check()
        parsed = parse_ids(" ".join(args.ids)) if args.command == "lookup" else None
    except (SpecError, IdError) as error:
        return _fail(error.message, lang)
    weights = None
    if args.weights:  # opened before the screen starts: a bad file is one line on stderr
        from tui.core.weights import WeightFileError, open_weights  # imports torch

        try:
            weights = open_weights(args.weights, args.key)
        except WeightFileError as error:
            return _fail(error.message, lang)
    try:
        vocab = _vocab(args.vocab, weights)
    except VocabError as error:
        return _fail(error.message, lang)
    if parsed is not None:
        try:
            return _lookup(spec, weights, vocab, parsed, freeze, args.no_grad)
        except IdError as error:
            return _fail(error.message, lang)
    from tui.app import ExplorerApp

    options = (args.ids, lang, freeze, args.no_grad, weights, vocab)
    ExplorerApp(spec.vocab_size, spec.dim, spec.seed, spec.dtype, *options).run()
    return 0


def _vocab(path: str | None, weights: WeightFile | None) -> Vocab | None:
    """`--vocab`, or a vocabulary file found beside the weight file."""
    from tui.core.vocab import find_beside, load_vocab

    if path is None and weights is not None:
        path = find_beside(weights.path)
    return load_vocab(path) if path is not None else None


def _fail(message: Message, lang: str) -> int:
    print(f"{PROG}: {printable(message.render(lang))}", file=sys.stderr)
    return 2


def _lookup(
    spec: LayerSpec, weights: WeightFile | None, vocab: Vocab | None, parsed: ParsedIds, freeze: bool | None, no_grad: bool
) -> int:
    """Print what the app shows, for scripts, pipes and quick checks over SSH."""
    from tui.core.code import tensor_literal
    from tui.core.session import EmbeddingSession

    session = EmbeddingSession.from_weights(weights) if weights else EmbeddingSession(spec)
    if freeze is not None:
        session.set_frozen(freeze)
    session.no_grad = no_grad
    result = session.lookup(parsed)
    if weights is not None:
        print(printable(f"# layer = nn.Embedding.from_pretrained({weights.key}) from {weights.path}"))
    print("print(layer.weight)")
    print(session.weight_text())
    print()
    if vocab is not None:
        print("tokens: " + " ".join(vocab.label(token_id) or "·" for token_id in result.ids))
    print(f"print(layer({tensor_literal(result.ids)}))")
    print(result.text)
    print()
    for label, flags in (("result", result.flags()), ("layer.weight", result.weight.flags())):
        print(label + ": " + "  ".join(f"{name}={value}" for name, value in flags))
    return 0
