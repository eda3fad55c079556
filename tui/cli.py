"""Command line: `embedding-explorer [options]` opens the app; `embedding-explorer lookup IDS` prints.

Bad options give one line on stderr and exit code 2, never a traceback. Neither torch nor Textual is
imported before the options are known to be good.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

from tui.cli_output import PROG, fail, flush, flushed, say, silence_stdout, stdout, unwritten, warn
from tui.core.chapter.history import LOSSES
from tui.core.chapter.spec import DTYPES, LayerOptions, LayerSpec, SpecError, learning_rate
from tui.core.chapter.windows import TextWindows, WindowSettings
from tui.core.explorer import printed
from tui.core.explorer.dialogs import Report, TrainingChoice
from tui.core.explorer.explorer import Explorer, Setup
from tui.core.explorer.presenter import stale
from tui.core.explorer.windows_page import page
from tui.core.files.access import SERVED, Access
from tui.core.texts.messages import LANGUAGES, Message, MessageError, resolve_lang, translate
from tui.core.texts.shown import columns, printable
from tui.core.tokens.parse import number, parse_ids, whole_number
from tui.core.tokens.tokenizer import beside
from tui.core.tokens.vocab import load_vocab

if TYPE_CHECKING:
    from tui.core.tokens.tokenizer import TextTokenizer

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


SERVE_OPTIONS = ("--host", "--port", "--public-url", "--max-sessions", "--token", "--files")  # serve's own, each with a value


def app_options(argv: list[str]) -> list[str]:
    """The app's options in a `serve` command line, exactly as given: everything but `serve` and its own
    options (`--port 8000` or `--port=8000`)."""
    values = {option for action in build_parser()._actions for option in action.option_strings if action.nargs != 0}
    at = next(i for i, arg in enumerate(argv) if arg == "serve" and (i == 0 or argv[i - 1] not in values))
    kept, skip = argv[:at], False
    for arg in argv[at + 1 :]:
        if skip:
            skip = False
        elif arg in SERVE_OPTIONS:
            skip = True
        elif not arg.startswith(tuple(option + "=" for option in SERVE_OPTIONS)):
            kept.append(arg)
    return kept


def _lang_of(argv: list[str]) -> str:
    """The language asked for, read before the options are parsed: the help is written in it."""
    given = [value for arg, value in zip(argv, [*argv[1:], ""]) if arg == "--lang"]
    given += [arg.removeprefix("--lang=") for arg in argv if arg.startswith("--lang=")]
    return resolve_lang(next((lang for lang in given if lang in LANGUAGES), None))


def main(argv: list[str] | None = None) -> int:
    asked = _lang_of(sys.argv[1:] if argv is None else argv)
    parser = build_parser(asked)
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help written (0) or a refusal said (2): flushed here, where a failure can be said
        return flushed(done.code if isinstance(done.code, int) else 2, asked)
    except BrokenPipeError:  # `--help | head`
        silence_stdout()
        return 0
    except OSError as error:  # --help into a full disk or a closed stdout
        return unwritten(error, asked)
    lang = resolve_lang(args.lang)
    if getattr(args, "step", None) is not None and args.backward is None:
        parser.error(translate(lang, "cli.step_needs_backward"))
    for name, value in PRESETS.get(args.preset or "", {}).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    try:
        if args.command == "windows":
            return _windows(args, lang)
        if args.command == "models":
            return _models(args, lang)
        if args.command == "bpe":
            return _bpe_train(args, lang) if args.train is not None else _bpe(args, lang)
        if args.command == "diff":
            return _diff(args, lang)
        if args.command == "serve":
            return _serve(args, sys.argv[1:] if argv is None else argv, lang)
        setup = _setup(args, lang)
        if args.command == "lookup":
            return _lookup(setup, args)
        if args.command == "neighbours":
            return _neighbours(setup, args, lang)
    except MessageError as error:
        return fail(error.message.render(lang))
    except BrokenPipeError:  # `lookup … | head`: the reader has what it wanted
        silence_stdout()
        return 0
    except UnicodeEncodeError as error:  # a terminal or pipe in ASCII or Latin-1
        silence_stdout()
        character = printable(error.object[error.start : error.end])
        return fail(translate(lang, "output.encoding", encoding=error.encoding, character=character), code=1)
    except OSError as error:
        if error.filename is not None:  # a path the command reads, met before the files' boundary names it
            return fail(translate(lang, "file.unreadable", path=error.filename, error=error.strerror or error))
        return unwritten(error, lang)  # a full disk, a closed file
    from tui.app import ExplorerApp

    ExplorerApp(setup).run()
    return 0


def run() -> NoReturn:
    """The `embedding-explorer` command: `main`, then the process ends at once. Once torch is loaded,
    Python's finalization keeps the shell's prompt waiting most of a second after the app has given the
    screen back (Ctrl+Q), and there is nothing left to tidy: the output is flushed here, and files are
    closed where they are written."""
    code = main()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None: the descriptor was closed before Python started (`>&-`)
                stream.flush()
    except (OSError, ValueError):  # the output went wrong after main's own checks: say so by the code
        code = code or 1
    os._exit(code)


def _setup(args: argparse.Namespace, lang: str) -> Setup:
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


def _serve(args: argparse.Namespace, argv: list[str], lang: str) -> int:
    """`serve`: the app's options checked as the app would check them (before the server starts), then the
    server, until Ctrl+C."""
    from tui.serve.capacity import memory_available, session_budget, sessions_allowed
    from tui.serve.session import session_argv

    files = ""
    if args.files is not None:
        if not Path(args.files).is_dir():
            return fail(translate(lang, "serve.not_folder", path=args.files))
        files = str(Path(args.files).resolve())
    setup = _setup(argparse.Namespace(**{**vars(args), "command": None}), lang)
    shape = setup.weights.shape if setup.weights is not None else (setup.spec.vocab_size, setup.spec.dim)
    budget = session_budget(shape[0] * shape[1])
    from tui.serve.server import ServeSettings, serve, token_for  # aiohttp: only when serving

    settings = ServeSettings(
        argv=tuple(session_argv(app_options(argv))),
        host=args.host,
        port=args.port,
        public_url=args.public_url,
        max_sessions=args.max_sessions or sessions_allowed(memory_available() or 0, budget),
        token=token_for(args.host, args.token),
        files=files,
        lang=lang,
    )
    try:
        serve(settings)
    except OSError as error:
        return fail(translate(lang, "serve.cannot_listen", host=args.host, port=args.port, error=error.strerror or error), code=1)
    return 0

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


def _windows(args: argparse.Namespace, lang: str) -> int:
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


def _bpe_train(args: argparse.Namespace, lang: str) -> int:
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


def _models(args: argparse.Namespace, lang: str) -> int:
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


def _bpe(args: argparse.Namespace, lang: str) -> int:
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


def _lookup(setup: Setup, args: argparse.Namespace) -> int:
    """Print what the app shows, for scripts, pipes and quick checks over SSH: the explorer's own actions,
    run here instead of in workers. Everything is computed before anything is printed, so an error
    prints only itself."""
    if args.step is not None:  # refused before anything runs
        learning_rate(args.step, setup.spec.dtype)
    explorer = Explorer(setup)
    explorer.settle(explorer.start())
    if explorer.session is None:
        return fail(explorer.view().status.text)
    warning = explorer.view().status.text if explorer.said is not None and explorer.said[1] else None
    weight = explorer.session.weight_text()  # as created: a max_norm lookup changes it
    if args.text_file is not None:  # the chapter's path: text → IDs → a batch of windows → the lookup
        if explorer.tokenizer is None:
            return fail(explorer.t("tokenizer.needed"))
        settings = WindowSettings(args.max_length, args.stride, args.batch_size, args.shuffle, explorer.spec.seed)
        inputs, _ = TextWindows.cut(args.text_file, explorer.tokenizer, settings).batch(args.batch)
        if explorer.input.text_mode:
            explorer.toggle_text()
        typed = str(inputs.tolist())
        explorer.edit(typed, len(typed))
    if args.text is not None:
        if explorer.tokenizer is None:
            return fail(explorer.t("tokenizer.needed"))
        if not explorer.input.text_mode:  # it starts in text mode without --ids
            explorer.toggle_text()
        explorer.edit(args.text, len(args.text))
    if stale(explorer):
        return fail(explorer.view().status.text)
    if warning is not None:  # the layer is there, with a warning (a vocabulary of another size): not fatal
        warn(warning)
    lines = printed.lookup_lines(explorer, weight)
    if args.one_hot:  # before any training: the comparison is of the lookup printed above
        view = explorer.settle(explorer.one_hot(confirmed=True))
        if not isinstance(view.dialog, Report):
            return fail(view.status.text)
        lines += ["", view.dialog.text]
    if args.backward:
        explorer.apply_training(TrainingChoice(args.backward, 0.1 if args.step is None else args.step, setup.spec.options))
        actions = [(lambda: explorer.backward(dense=True), printed.backward_lines)]
        if args.step is not None:
            actions.append((explorer.step, printed.step_lines))
        for action, report in actions:
            view = explorer.settle(action())
            if view.status.error:
                return fail(view.status.text)
            lines += report(explorer)
    say("\n".join(lines))
    flush()
    return 0


def _neighbours(setup: Setup, args: argparse.Namespace, lang: str) -> int:
    """The rows nearest a token, an ID or an expression (`king - man + woman`), as a table for people or as
    TSV / CSV for programs; what was skipped (NaN or all-zero rows) is said after the table, or on stderr."""
    from tui.core.explorer.neighbours_page import heading
    from tui.core.meaning.passes import Meaning

    explorer = Explorer(setup)
    explorer.settle(explorer.start())
    session = explorer.session
    if session is None:
        return fail(explorer.view().status.text)
    session.check_file()
    vocab = explorer.vocab

    def label(token_id: int) -> str:
        return (vocab.label(token_id) if vocab is not None else None) or ""

    asked = args.query if args.expr is None else args.expr
    answer = Meaning().ask(session, asked, vocab, explorer.tokenizer, args.metric, args.k)
    found, title = answer.neighbours, heading(answer, label, explorer.t)
    metric = translate(lang, f"neighbours.{args.metric}")
    table = [(rank, n.token_id, label(n.token_id), n.score) for rank, n in enumerate(found.found, 1)]
    for note in found.k_note():  # beside the output, never in it
        warn(note.render(lang))
    notes = [note.render(lang) for note in found.skipped()]
    if args.format == "projector":
        from tui.core.explorer.neighbours_page import export_answer

        say(export_answer(explorer.source, answer, str(Path(args.out)) + os.sep).render(lang))
        for note in notes:
            warn(note)
    elif args.format == "table":
        header = (translate(lang, "neighbours.rank"), "ID", translate(lang, "neighbours.token"), metric)
        cells = [header, *((str(rank), str(token_id), token, f"{score:.4f}") for rank, token_id, token, score in table)]
        lines = [title, *columns(cells)]
        say("\n".join([*lines, *notes]))
    else:
        writer = csv.writer(stdout(), delimiter="\t" if args.format == "tsv" else ",", lineterminator="\n")
        writer.writerow(("rank", "id", "token", args.metric))
        writer.writerows((rank, token_id, printable(token), repr(score)) for rank, token_id, token, score in table)  # the cells printable, the tabs kept
        for note in notes:
            warn(note)
    flush()
    return 0


def _diff(args: argparse.Namespace, lang: str) -> int:
    """Two matrices compared row by row: the counts (equal, changed, added, removed, moved), then the `--top`
    rows ranked `--by` a measure, as a table for people (the change's distribution before it, drawn as the
    diff panel draws it; the most and least changed named after it, and which neighbours left and came) or
    as TSV / CSV for programs (`rank, id, token, norm_a, norm_b, delta, relative, cosine`, then `overlap` by
    neighbours, then `id_b` when rows met by token)."""
    from dataclasses import replace

    from tui.core.explorer.diff_page import counts, extremes, histogram
    from tui.core.explorer.diff_report import diff, open_side
    from tui.core.tokens.tokenizer import labels_of

    for option in ("a", "b", "key_a", "key_b", "vocab_a", "vocab_b", "ids"):
        if getattr(args, option) == "":
            raise SpecError(Message("options.empty", {"option": option.upper() if len(option) == 1 else "--" + option.replace("_", "-")}))
    ids = tuple(dict.fromkeys(parse_ids(args.ids).ids)) if args.ids is not None else ()  # refused before anything is read
    sources = []
    for path, key, vocab, option in ((args.a, args.key_a, args.vocab_a, "--key-a"), (args.b, args.key_b, args.vocab_b, "--key-b")):
        source, problem = open_side(path, key, option)
        if vocab is not None:
            source = replace(source, **dict(zip(("vocab", "tokenizer"), labels_of(vocab), strict=True)))
        elif problem is not None:  # the labels beside the file would not read: compared unlabelled, and said
            warn(problem.render(lang))
        sources.append(source)
    report = diff(*sources, args.by, args.top, args.k, args.procrustes, ids)
    by_token = report.diff.comparison.alignment.by == "token"
    neighbours = report.by == "neighbours" or bool(ids)

    def number(value: float | None, table: bool) -> str:
        return "" if value is None else f"{value:.4f}" if table else repr(value)

    before = [message.render(lang) for message in counts(*sources, report.diff)]
    if args.format == "table":
        header = (translate(lang, "neighbours.rank"), "ID", translate(lang, "neighbours.token"), "‖a‖", "‖b‖", "‖b − a‖", "‖b − a‖/‖a‖", "cos")
        header += (translate(lang, "diff.col_overlap"),) if neighbours else ()
        header += (translate(lang, "diff.col_id_b"),) if by_token else ()
        cells = [header]
        for row in report.rows:
            measures = (row.norm_a, row.norm_b, row.delta, row.relative, row.cosine)
            line = (str(row.rank), str(row.a_id), row.token, *(number(value, True) or "—" for value in measures))
            line += (f"{row.overlap.kept}/{row.overlap.k}",) if row.overlap is not None else ()
            line += (str(row.b_id),) if by_token else ()
            cells.append(line)
        drawn = histogram(report.diff, partial(translate, lang))
        after = [message.render(lang) for message in (*extremes(sources[0], report.diff), *report.neighbours)]
        say("\n".join([*before, "", *drawn, *([""] if drawn else []), *columns(cells), "", *after]))
    else:
        for line in before:  # beside the table, never in it
            warn(line)
        writer = csv.writer(stdout(), delimiter="\t" if args.format == "tsv" else ",", lineterminator="\n")
        writer.writerow(("rank", "id", "token", "norm_a", "norm_b", "delta", "relative", "cosine", *(("overlap",) if neighbours else ()), *(("id_b",) if by_token else ())))
        for row in report.rows:
            measures = (row.norm_a, row.norm_b, row.delta, row.relative, row.cosine)
            line = (row.rank, row.a_id, printable(row.token), *(number(value, False) for value in measures))
            line += (repr(row.overlap.share),) if row.overlap is not None else ()
            line += (row.b_id,) if by_token else ()
            writer.writerow(line)
    flush()
    return 0
