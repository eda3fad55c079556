"""The command line's one road to the terminal: every line printable (a name from a file or a user never
reaches the terminal as a control sequence), errors on stderr only, and output that cannot be written (a
full disk, a closed or broken pipe) said in one line with exit code 1, never by Python at exit."""

from __future__ import annotations

import errno
import os
import sys
from typing import TextIO

from tui.core.texts.messages import translate
from tui.core.texts.shown import printable

PROG = "embedding-explorer"


def say(text: str, error: bool = False) -> None:
    """The one road from the command line to the terminal: every line of `text` made printable (a name from
    a file or a user never reaches it as a control sequence), on stdout, or on stderr for `error` (never on
    stdout instead, when stderr is closed)."""
    if error and sys.stderr is None:  # closed before Python started (`2>&-`): nowhere to say it
        return
    stream = sys.stderr if error else stdout()
    stream.write("\n".join(printable(line) for line in text.split("\n")) + "\n")


def stdout() -> TextIO:
    """Standard output, or the error a write gives when it was closed before Python started (`>&-`)."""
    if sys.stdout is None:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))
    return sys.stdout


def flush() -> None:
    """What stdout holds written now, so a full disk or a closed stdout is said here, not by Python at exit."""
    stdout().flush()


def flushed(code: int, lang: str) -> int:
    """`code`, once stdout is written; 1 and a line on stderr when it cannot be (`--help > /dev/full`)."""
    try:
        flush()
    except BrokenPipeError:  # `--help | head`: the reader has what it wanted
        silence_stdout()
    except OSError as error:
        return unwritten(error, lang)
    return code


def unwritten(error: OSError, lang: str) -> int:
    """Output that could not be written (a full disk, a closed stdout): said on stderr, exit code 1."""
    silence_stdout()
    return fail(translate(lang, "output.failed", error=error.strerror or error), code=1)


def warn(text: object) -> None:
    """One line on stderr, after the program's name: a note or a refusal."""
    say(f"{PROG}: {text}", error=True)


def fail(text: str, code: int = 2) -> int:
    """One line on stderr; exit code 2 for what was asked, 1 for output that could not be written."""
    warn(text)
    return code


def silence_stdout() -> None:
    """What is left in stdout's buffer goes nowhere: Python's own flush at exit cannot fail again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no file descriptor (a test's capture, a closed stdout)
        pass
