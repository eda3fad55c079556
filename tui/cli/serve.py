"""`serve`: the app's options checked as the app would check them, then the server (`tui/serve/`) with
every session started on those options."""

from __future__ import annotations

import argparse
from pathlib import Path

from tui.cli.output import fail
from tui.cli.parser import build_parser
from tui.cli.setup import setup_of
from tui.core.chapter.spec import SpecError
from tui.core.texts.messages import Message, translate

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


def run_server(args: argparse.Namespace, argv: list[str], lang: str) -> int:
    """`serve`: the app's options checked as the app would check them (before the server starts), then the
    server, until Ctrl+C."""
    from tui.serve.capacity import memory_available, session_budget, sessions_allowed
    from tui.serve.session import session_argv

    for option in ("host", "public_url", "token", "files"):
        if getattr(args, option) == "":  # `--files ""` would be the current folder, `--host ""` every interface
            raise SpecError(Message("options.empty", {"option": "--" + option.replace("_", "-")}))
    if args.max_sessions == 0:
        raise SpecError(Message("serve.no_sessions"))
    files = ""
    if args.files is not None:
        if not Path(args.files).is_dir():
            return fail(translate(lang, "serve.not_folder", path=args.files))
        files = str(Path(args.files).resolve())
    setup = setup_of(argparse.Namespace(**{**vars(args), "command": None}), lang)
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
