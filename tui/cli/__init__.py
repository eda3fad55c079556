"""Command line: `embedding-explorer [options]` opens the app; `embedding-explorer lookup IDS` prints.

Bad options give one line on stderr and exit code 2, never a traceback. Neither torch nor Textual is
imported before the options are known to be good. The parser is `parser.py`, the options become the app's
`Setup` in `setup.py`, each subcommand has its module, and every line reaches the terminal through `output.py`.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from tui.cli.bpe import print_bpe_steps, print_bpe_training
from tui.cli.diff import print_diff
from tui.cli.lookup import print_lookup
from tui.cli.models import print_models
from tui.cli.neighbours import print_neighbours
from tui.cli.output import fail, flushed, silence_stdout, unwritten
from tui.cli.parser import PRESETS, build_parser, lang_of
from tui.cli.serve import run_server
from tui.cli.setup import setup_of
from tui.cli.windows import print_windows
from tui.core.texts.messages import MessageError, resolve_lang, translate
from tui.core.texts.shown import printable


def main(argv: list[str] | None = None) -> int:
    """`embedding-explorer ARGV`: the options parsed and checked, then a subcommand run or the app opened; the exit code."""
    asked = lang_of(sys.argv[1:] if argv is None else argv)
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
            return print_windows(args, lang)
        if args.command == "models":
            return print_models(args, lang)
        if args.command == "bpe":
            return print_bpe_training(args, lang) if args.train is not None else print_bpe_steps(args, lang)
        if args.command == "diff":
            return print_diff(args, lang)
        if args.command == "serve":
            return run_server(args, sys.argv[1:] if argv is None else argv, lang)
        setup = setup_of(args, lang)
        if args.command == "lookup":
            return print_lookup(setup, args)
        if args.command == "neighbours":
            return print_neighbours(setup, args, lang)
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

    app = ExplorerApp(setup)
    app.run()
    return app.return_code or 0  # 1 after an error nobody caught (Textual printed it): the shell, and a served tab, are told


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
