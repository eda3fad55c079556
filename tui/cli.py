"""Command line: `embedding-explorer [options]` opens the app; `embedding-explorer lookup IDS` prints.

Bad options give one line on stderr and exit code 2, never a traceback. Neither torch nor Textual is
imported before the options are known to be good.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from typing import TYPE_CHECKING

from tui.core.messages import LANGUAGES, Message, resolve_lang
from tui.core.parse import IdError, ParsedIds, parse_ids
from tui.core.history import LOSSES
from tui.core.spec import DTYPES, LayerOptions, LayerSpec, SpecError
from tui.core.text import printable
from tui.core.tokenizer import beside
from tui.core.vocab import Vocab, VocabError, load_vocab, visible

if TYPE_CHECKING:
    from tui.core.session import EmbeddingSession
    from tui.core.tokenizer import TextTokenizer, Tokens
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

    parser.add_argument(
        "--vocab-size", type=int, default=default(None), help="rows of the weight (6, or the tokenizer's vocabulary)"
    )
    parser.add_argument("--dim", type=int, default=default(layer.dim), help="embedding dimension (3)")
    parser.add_argument("--seed", type=int, default=default(layer.seed), help="torch.manual_seed (123)")
    parser.add_argument("--dtype", default=default(layer.dtype), help=f"one of {', '.join(DTYPES)} (float32)")
    parser.add_argument("--lang", choices=LANGUAGES, default=default(None), help="en or es (from LANG / LC_ALL)")
    parser.add_argument("--freeze", action="store_true", default=default(False), help="weight.requires_grad_(False)")
    parser.add_argument("--no-grad", action="store_true", default=default(False), help="look up under torch.no_grad()")
    parser.add_argument("--weights", default=default(None), help="a weight file: .safetensors .pt .pth .bin .npy .npz")
    parser.add_argument("--key", default=default(None), help="the tensor in --weights (found by itself when possible)")
    parser.add_argument("--vocab", default=default(None), help="row labels: vocab.txt, tokenizer.json or encoder.json")
    parser.add_argument("--tokenizer", default=default(None), help="text → IDs: gpt2, or a tokenizer.json")
    parser.add_argument("--vocab-from-text", default=default(None), help="the book's SimpleTokenizerV2, built from a text file")
    parser.add_argument("--padding-idx", type=int, default=default(None), help="nn.Embedding(padding_idx=): a row that gets no gradient")
    parser.add_argument("--max-norm", type=float, default=default(None), help="nn.Embedding(max_norm=): lookups renormalise rows")
    parser.add_argument(
        "--scale-grad-by-freq", action="store_true", default=default(False), help="divide a repeated ID's gradient by its count"
    )
    parser.add_argument("--sparse", action="store_true", default=default(False), help="weight.grad as a sparse tensor")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Watch token IDs become embedding vectors, with real PyTorch.")
    _add_options(parser, defaults=True)
    parser.add_argument("--ids", default="", help='token IDs to start with, e.g. "2, 3, 5, 1"')
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    lookup = commands.add_parser("lookup", help="print the weight, the lookup and the flags; exit")
    _add_options(lookup, defaults=False)
    lookup.add_argument("ids", nargs="*", help="token IDs: 2 3 5 1, or '[2, 3, 5, 1]'")
    lookup.add_argument("--text", help="text instead of IDs, cut into tokens by the tokenizer")
    lookup.add_argument("--backward", choices=LOSSES, help="then backward() on result.sum() or (result ** 2).mean()")
    lookup.add_argument("--step", type=float, metavar="LR", help="then one torch.optim.SGD step with this lr (needs --backward)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "step", None) is not None and args.backward is None:
        parser.error("--step needs --backward: a step follows the gradient")
    lang = resolve_lang(args.lang)
    freeze = True if args.freeze else None  # None: torch's default (a file's layer starts frozen)
    try:
        explicit = args.vocab or args.tokenizer or args.vocab_from_text  # else: what lies beside the weights
        found_vocab, found_tokenizer = beside(Path(args.weights)) if args.weights and not explicit else (None, None)
        tokenizer = _tokenizer(args) or found_tokenizer
        rows = len(tokenizer.vocab) if tokenizer and not args.weights else LayerSpec().vocab_size
        options = LayerOptions(args.padding_idx, args.max_norm, args.scale_grad_by_freq, args.sparse)
        spec = LayerSpec(rows if args.vocab_size is None else args.vocab_size, args.dim, args.seed, args.dtype, options)
        spec.check()
        tokens = _text_tokens(args, tokenizer)
        parsed = (tokens.parsed if tokens else parse_ids(" ".join(args.ids))) if args.command == "lookup" else None
        vocab = load_vocab(args.vocab) if args.vocab else (tokenizer.vocab if tokenizer else found_vocab)
    except (SpecError, IdError, VocabError) as error:
        return _fail(error.message, lang)
    weights = None
    if args.weights:  # opened before the screen starts: a bad file is one line on stderr
        from tui.core.weights import WeightFileError, open_weights  # imports torch

        try:
            weights = open_weights(args.weights, args.key)
            options.check(len(weights.tensor))
        except (WeightFileError, SpecError) as error:
            return _fail(error.message, lang)
    if parsed is not None:
        from tui.core.session import TrainingError

        try:
            train = (args.backward, args.step) if args.backward else None
            _lookup(spec, weights, vocab, tokens, parsed, freeze, args.no_grad, train)
            return 0
        except (IdError, TrainingError) as error:
            return _fail(error.message, lang)
        except BrokenPipeError:  # `lookup … | head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error when Python flushes
            return 0
    from tui.app import ExplorerApp

    more = (args.ids, lang, freeze, args.no_grad, weights, vocab, tokenizer, options)
    ExplorerApp(spec.vocab_size, spec.dim, spec.seed, spec.dtype, *more).run()
    return 0


def _tokenizer(args: argparse.Namespace) -> TextTokenizer | None:
    """`--tokenizer` or `--vocab-from-text` (a tokenizer.json beside the weight file is `beside`'s to find)."""
    from tui.core import tokenizer

    if args.tokenizer == "gpt2":
        return tokenizer.gpt2()
    if args.tokenizer:
        return tokenizer.hugging_face(Path(args.tokenizer))
    if args.vocab_from_text:
        return tokenizer.simple_v2(Path(args.vocab_from_text))
    return None


def _text_tokens(args: argparse.Namespace, tokenizer: TextTokenizer | None) -> Tokens | None:
    """`lookup --text`: the text cut into tokens (a tokenizer is needed for that)."""
    if args.command != "lookup" or args.text is None:
        return None
    if tokenizer is None:
        raise VocabError(Message("tokenizer.needed", {}))
    return tokenizer.encode(args.text)


def _fail(message: Message, lang: str) -> int:
    print(f"{PROG}: {printable(message.render(lang))}", file=sys.stderr)
    return 2


def _lookup(
    spec: LayerSpec,
    weights: WeightFile | None,
    vocab: Vocab | None,
    tokens: Tokens | None,
    parsed: ParsedIds,
    freeze: bool | None,
    no_grad: bool,
    train: tuple[str, float | None] | None,
) -> None:
    """Print what the app shows, for scripts, pipes and quick checks over SSH. Everything is computed
    before anything is printed, so an error (a frozen weight asked for backward) prints only itself."""
    from tui.core.code import tensor_literal
    from tui.core.session import EmbeddingSession

    session = EmbeddingSession.from_weights(weights, spec.options) if weights else EmbeddingSession(spec)
    if freeze is not None:
        session.set_frozen(freeze)
    session.no_grad = no_grad
    weight = session.weight_text()
    result = session.lookup(parsed)
    lines = []
    if weights is not None:
        lines.append(printable(f"# layer = nn.Embedding.from_pretrained({weights.key}) from {weights.path}"))
    lines += ["print(layer.weight)", weight, ""]
    if tokens is not None:
        lines.append("tokens: " + " | ".join(visible(piece) for piece in tokens.pieces))
        lines.append(f"ids: {list(tokens.ids)}")
    elif vocab is not None:
        lines.append("tokens: " + " ".join(vocab.label(token_id) or "·" for token_id in result.ids))
    lines += [f"print(layer({tensor_literal(result.ids)}))", result.text, ""]
    for label, flags in (("result", result.flags()), ("layer.weight", result.weight.flags())):
        lines.append(label + ": " + "  ".join(f"{name}={value}" for name, value in flags))
    if train is not None:
        lines += _train(session, parsed, *train)
    print("\n".join(lines))


def _train(session: EmbeddingSession, parsed: ParsedIds, loss: str, lr: float | None) -> list[str]:
    """`lookup --backward LOSS [--step LR]`: the gradient, and the weight after one SGD step."""
    report = session.backward(parsed, loss)
    lines = ["", f"{LOSSES[loss]}.backward()  # loss = {report.loss}", "print(layer.weight.grad)", report.text]
    lines.append(f"rows with gradient: {list(report.rows)}; rows exactly 0: {report.zero_rows}")
    if lr is not None:
        step = session.step(lr)
        lines += ["", f"torch.optim.SGD(layer.parameters(), lr={lr!r}).step()  # rows changed: {list(step.rows)}"]
        lines += ["print(layer.weight)", session.weight_text()]
    return lines
