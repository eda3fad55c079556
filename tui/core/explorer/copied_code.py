"""Copy as code: a script shown in a dialog (its start only, when it is huge) and copied to the clipboard,
and saved to a file of its own on request (the way to take it when no clipboard arrives)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tui.core.explorer.changes import Change
from tui.core.explorer.dialogs import Code
from tui.core.texts.messages import Message

SHOWN_CODE = 20_000  # characters of a copied script shown in its panel; the clipboard gets all of it


def code_dialog(script: str, t: Callable[..., str]) -> Code:
    """The script to copy and show (`t` renders the dialog's words)."""
    explanation, shown = t("copy.done"), script
    if len(script) > SHOWN_CODE:  # 250,000 IDs: highlighting it all would hold the screen for seconds
        explanation += " " + t("copy.cut", count=len(script), shown=SHOWN_CODE)
        shown = script[:SHOWN_CODE] + "…"
    return Code(t("copy.title"), explanation, script, shown)


def save(script: str, folder: Path | None = None) -> Change:
    """The script in a new file in `folder` (the current one), never over another; said where (and that the
    first name was taken, when it was), or why not."""
    from tui.core.chapter.code import SCRIPT_NAME, save_script

    folder = Path.cwd() if folder is None else folder
    try:
        path = save_script(script, folder)
    except OSError as error:
        return Change(Message("copy.save_failed", {"folder": str(folder), "error": error.strerror or str(error)}), error=True)
    if path.name != SCRIPT_NAME:
        return Change(Message("copy.saved_beside", {"path": str(path), "taken": SCRIPT_NAME}))
    return Change(Message("copy.saved", {"path": str(path)}))
