"""The command line's parser: the options of the app and of each subcommand, their types and help in the
reader's language, refusals in one line."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

from tui.cli.output import PROG, say
from tui.core.chapter.history import LOSSES
from tui.core.chapter.spec import DTYPES, LayerSpec
from tui.core.texts.messages import LANGUAGES, resolve_lang, translate
from tui.core.tokens.parse import number, whole_number

T = TypeVar("T")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage + message
        self.exit(2, f"{PROG}: {message}\n")

    def print_help(self, file: object = None) -> None:  # argparse's own would swallow a failed write (/dev/full)
        say(self.format_help().rstrip("\n"))


def _typed(convert: Callable[[str], T], key: str, t: Callable[..., str]) -> Callable[[str], T]:
    """An argparse type: `convert`, whose refusal is the catalog's `key` in the help's language."""

    def typed(text: str) -> T:
        try:
            return convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(t(key, text=text.strip())) from None

    return typed


def _whole_number(t: Callable[..., str]) -> Callable[[str], int]:
    return _typed(whole_number, "cli.not_whole_number", t)


def _port(t: Callable[..., str]) -> Callable[[str], int]:
    def port(text: str) -> int:
        if not 1 <= (value := whole_number(text)) <= 65535:
            raise ValueError(text)
        return value

    return _typed(port, "serve.not_port", t)


def _number(t: Callable[..., str]) -> Callable[[str], float]:
    return _typed(number, "cli.not_number", t)


class _Formatter(argparse.HelpFormatter):
    """argparse's help with its own words (usage, section titles) in the app's language."""

    def __init__(self, prog: str, lang: str) -> None:
        super().__init__(prog)
        self._lang = lang

    def start_section(self, heading: str | None) -> None:
        super().start_section(translate(self._lang, f"cli.section.{heading}") if heading in SECTIONS else heading)

    def add_usage(self, usage, actions, groups, prefix=None) -> None:  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, translate(self._lang, "cli.usage") if prefix is None else prefix)


SECTIONS = ("options", "positional arguments")


def _add_options(parser: argparse.ArgumentParser, defaults: bool, t: Callable[..., str]) -> None:
    """The options, accepted before and after `lookup` (there without defaults, so that `--dim 8 lookup 1`
    keeps the 8). The size, seed and dtype default to None: a weight file decides them, so given with
    `--weights` they are refused rather than ignored."""

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=t("cli.help"))
    parser.add_argument("--vocab-size", type=_whole_number(t), default=default(None), help=t("cli.vocab_size"))
    parser.add_argument("--dim", type=_whole_number(t), default=default(None), help=t("cli.dim"))
    parser.add_argument("--seed", type=_whole_number(t), default=default(None), help=t("cli.seed"))
    parser.add_argument("--dtype", default=default(None), help=t("cli.dtype", dtypes=", ".join(DTYPES)))
    parser.add_argument("--lang", choices=LANGUAGES, default=default(None), help=t("cli.lang"))
    parser.add_argument("--freeze", action="store_true", default=default(False), help=t("cli.freeze"))
    parser.add_argument("--unfreeze", action="store_true", default=default(False), help=t("cli.unfreeze"))
    parser.add_argument("--no-grad", action="store_true", default=default(False), help=t("cli.no_grad"))
    parser.add_argument("--ids", dest="typed_ids", default=default(""), help=t("cli.ids"))
    parser.add_argument("--weights", default=default(None), help=t("cli.weights"))
    parser.add_argument("--model", default=default(None), help=t("cli.model"))
    parser.add_argument("--key", default=default(None), help=t("cli.key"))
    parser.add_argument("--vocab", default=default(None), help=t("cli.vocab"))
    parser.add_argument("--tokenizer", default=default(None), help=t("cli.tokenizer"))
    parser.add_argument("--vocab-from-text", default=default(None), help=t("cli.vocab_from_text"))
    parser.add_argument("--padding-idx", type=_whole_number(t), default=default(None), help=t("cli.padding_idx"))
    parser.add_argument("--max-norm", type=_number(t), default=default(None), help=t("cli.max_norm"))
    parser.add_argument("--scale-grad-by-freq", action="store_true", default=default(False), help=t("cli.scale_grad_by_freq"))
    parser.add_argument("--sparse", action="store_true", default=default(False), help=t("cli.sparse"))
    parser.add_argument("--context-length", type=_whole_number(t), metavar="N", default=default(None), help=t("cli.context_length"))
    parser.add_argument("--preset", choices=PRESETS, default=default(None), help=t("cli.preset"))


def _add_window_options(parser: argparse.ArgumentParser, t: Callable[..., str], required: bool, defaults: bool) -> None:
    """The text and `create_dataloader_v1`'s settings: the app's windows view, `windows` prints the batches,
    `lookup` looks one up (after `lookup` without defaults, as `_add_options`)."""

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument("--text-file", required=required, default=default(None), help=t("cli.text_file"))
    parser.add_argument("--max-length", type=_whole_number(t), default=default(4), help=t("cli.max_length"))
    parser.add_argument("--stride", type=_whole_number(t), default=default(4), help=t("cli.stride"))
    parser.add_argument("--batch-size", type=_whole_number(t), default=default(8), help=t("cli.batch_size"))
    parser.add_argument("--batch", type=_whole_number(t), default=default(0), help=t("cli.batch"))
    parser.add_argument("--shuffle", action="store_true", default=default(False), help=t("cli.shuffle"))


FORMATS = ("table", "tsv", "csv", "projector")  # neighbours' output: projector writes tensor.tsv + metadata.tsv into --out
DIFF_MEASURES = ("delta", "relative", "cosine", "norm", "neighbours")  # what `diff --by` ranks by (the core's MEASURES and norm; no torch here)

# The book's setups, as the options they stand for (given options win).
PRESETS = {"book-2.8": {"vocab_size": 50257, "dim": 256, "context_length": 4, "tokenizer": "gpt2"}}


def build_parser(lang: str = "en") -> argparse.ArgumentParser:
    """The command line, its help in `lang`."""

    def t(key: str, **params: object) -> str:
        return translate(lang, key, **params)

    def formatter(prog: str) -> _Formatter:
        return _Formatter(prog, lang)

    parser = _Parser(prog=PROG, description=t("cli.description"), formatter_class=formatter, add_help=False)
    _add_options(parser, defaults=True, t=t)
    _add_window_options(parser, t, required=False, defaults=True)
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, title=t("cli.commands"))
    lookup = commands.add_parser("lookup", help=t("cli.lookup"), formatter_class=formatter, add_help=False)
    _add_options(lookup, defaults=False, t=t)
    lookup.add_argument("ids", nargs="*", help=t("cli.lookup_ids"))
    lookup.add_argument("--text", help=t("cli.text"))
    lookup.add_argument("--one-hot", action="store_true", help=t("cli.one_hot"))
    lookup.add_argument("--backward", choices=LOSSES, help=t("cli.backward"))
    lookup.add_argument("--step", type=_number(t), metavar="LR", help=t("cli.step"))
    _add_window_options(lookup, t, required=False, defaults=False)
    neighbours = commands.add_parser("neighbours", help=t("neighbours.cli"), formatter_class=formatter, add_help=False)
    _add_options(neighbours, defaults=False, t=t)
    neighbours.add_argument("query", nargs="?", help=t("neighbours.cli_query"))
    neighbours.add_argument("--expr", help=t("neighbours.cli_expr"))
    neighbours.add_argument("--k", type=_whole_number(t), help=t("neighbours.cli_k"))
    neighbours.add_argument("--metric", choices=("cosine", "euclidean"), default="cosine", help=t("neighbours.cli_metric"))
    neighbours.add_argument("--format", choices=FORMATS, default="table", help=t("neighbours.cli_format"))
    neighbours.add_argument("--out", default=".", metavar="FOLDER", help=t("neighbours.cli_out"))
    models = commands.add_parser("models", help=t("cli.models"), formatter_class=formatter, add_help=False)
    models.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=t("cli.help"))
    models.add_argument("folders", nargs="*", help=t("cli.models_folders"))
    models.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=t("cli.lang"))
    diff = commands.add_parser("diff", help=t("diff.cli"), formatter_class=formatter, add_help=False)
    diff.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=t("cli.help"))
    diff.add_argument("a", metavar="A", help=t("diff.cli_a"))
    diff.add_argument("b", metavar="B", help=t("diff.cli_b"))
    diff.add_argument("--key-a", help=t("diff.cli_key_a"))
    diff.add_argument("--key-b", help=t("diff.cli_key_b"))
    diff.add_argument("--vocab-a", help=t("diff.cli_vocab_a"))
    diff.add_argument("--vocab-b", help=t("diff.cli_vocab_b"))
    diff.add_argument("--top", type=_whole_number(t), default=20, metavar="N", help=t("diff.cli_top"))
    diff.add_argument("--by", choices=DIFF_MEASURES, help=t("diff.cli_by"))
    diff.add_argument("--k", type=_whole_number(t), default=10, help=t("diff.cli_k"))
    diff.add_argument("--ids", help=t("diff.cli_ids"))
    diff.add_argument("--format", choices=FORMATS[:3], default="table", help=t("diff.cli_format"))
    diff.add_argument("--procrustes", action="store_true", help=t("diff.cli_procrustes"))
    diff.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=t("cli.lang"))
    bpe = commands.add_parser("bpe", help=t("steps.cli"), formatter_class=formatter, add_help=False)
    bpe.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=t("cli.help"))
    bpe.add_argument("--tokenizer", help=t("steps.cli_tokenizer"))
    bpe.add_argument("--text", help=t("steps.cli_text"))
    bpe.add_argument("--steps", action="store_true", help=t("steps.cli_steps"))
    bpe.add_argument("--train", metavar="FILE", help=t("bpe_train.cli_train"))
    bpe.add_argument("--vocab-size", type=_whole_number(t), metavar="N", help=t("bpe_train.cli_vocab_size"))
    bpe.add_argument("--save", metavar="DIR", help=t("bpe_train.cli_save"))
    bpe.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=t("cli.lang"))
    windows = commands.add_parser("windows", help=t("cli.windows"), formatter_class=formatter, add_help=False)
    windows.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=t("cli.help"))
    windows.add_argument("--tokenizer", default="gpt2", help=t("cli.window_tokenizer"))
    _add_window_options(windows, t, required=True, defaults=False)
    windows.add_argument("--seed", type=_whole_number(t), default=123, help=t("cli.seed"))
    windows.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=t("cli.lang"))
    serve = commands.add_parser("serve", help=t("serve.cli"), formatter_class=formatter, add_help=False, allow_abbrev=False)
    _add_options(serve, defaults=False, t=t)
    _add_window_options(serve, t, required=False, defaults=False)
    from tui.serve.capacity import memory_available, session_budget, sessions_allowed  # no torch, no aiohttp

    here = sessions_allowed(memory_available() or 0, session_budget(LayerSpec().vocab_size * LayerSpec().dim))
    serve.add_argument("--host", default="127.0.0.1", help=t("serve.cli_host"))
    serve.add_argument("--port", type=_port(t), default=8000, help=t("serve.cli_port"))
    serve.add_argument("--public-url", metavar="URL", help=t("serve.cli_public_url"))
    serve.add_argument("--max-sessions", type=_whole_number(t), metavar="N", help=t("serve.cli_max_sessions", sessions=here))
    serve.add_argument("--token", help=t("serve.cli_token"))
    serve.add_argument("--files", metavar="DIR", help=t("serve.cli_files"))
    return parser


def lang_of(argv: list[str]) -> str:
    """The language asked for, read before the options are parsed: the help is written in it."""
    given = [value for arg, value in zip(argv, [*argv[1:], ""]) if arg == "--lang"]
    given += [arg.removeprefix("--lang=") for arg in argv if arg.startswith("--lang=")]
    return resolve_lang(next((lang for lang in given if lang in LANGUAGES), None))
