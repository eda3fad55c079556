"""Copy as code: a script shown in a dialog (its start only, when it is huge) and copied to the clipboard,
and saved to a file of its own on request (the way to take it when no clipboard arrives); in a served session
there is no clipboard and nothing is written on the server: the script is handed to the browser as a download.
The diff panel's script, A and B each loaded as the app loaded them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.explorer.changes import Change, Delivered
from tui.core.explorer.dialogs import Code
from tui.core.texts.messages import Message, MessageError

if TYPE_CHECKING:
    from tui.core.explorer.source import Source
    from tui.core.meaning.passes import Diff

SHOWN_CODE = 20_000  # characters of a copied script shown in its panel; the clipboard gets all of it


def code_dialog(script: str, t: Callable[..., str], served: bool = False) -> Code:
    """The script to copy and show (`t` renders the dialog's words); `served`: to show and download."""
    from tui.core.chapter.code import SCRIPT_NAME

    explanation, shown = t("access.copy", name=SCRIPT_NAME) if served else t("copy.done"), script
    if len(script) > SHOWN_CODE:  # 250,000 IDs: highlighting it all would hold the screen for seconds
        explanation += " " + t("copy.cut", count=len(script), shown=SHOWN_CODE)
        shown = script[:SHOWN_CODE] + "…"
    return Code(t("copy.title"), explanation, script, shown, clipboard=not served)


def save(script: str, folder: Path | None = None, served: bool = False) -> Change:
    """The script in a new file in `folder` (the current one), never over another; said where (and that the
    first name was taken, when it was), or why not. `served`: handed to the browser instead, nothing written."""
    from tui.core.chapter.code import SCRIPT_NAME, save_script

    if served:
        return Change(Message("access.copy_delivered", {"name": SCRIPT_NAME}), delivered=(Delivered(SCRIPT_NAME, script),))
    folder = Path.cwd() if folder is None else folder
    try:
        path = save_script(script, folder)
    except OSError as error:
        return Change(Message("copy.save_failed", {"folder": str(folder), "error": error.strerror or str(error)}), error=True)
    if path.name != SCRIPT_NAME:
        return Change(Message("copy.saved_beside", {"path": str(path), "taken": SCRIPT_NAME}))
    return Change(Message("copy.saved", {"path": str(path)}))


def diff_script(a: Source, b: Source, diff: Diff, by: str) -> str:
    """The torch script that computes what the diff panel shows: the layer made (and trained) as on screen,
    the matrix compared with it (the layer as it was created, made or loaded again: A; a file: B), the per-row
    measures and the ranking. A `MessageError` says why there is none (rows aligned by token, matrices of two
    widths, a quantized one)."""
    from tui.core.chapter.code import diff_script, made_lines
    from tui.core.explorer.diff_page import LISTED
    from tui.core.explorer.source import AsCreated
    from tui.core.files.script_files import ScriptFile, top

    if diff.comparison.alignment.by != "id":
        raise MessageError(Message("diff.code_by_token"))
    if not diff.comparison.same_width:
        raise MessageError(Message("diff.code_width"))
    rotated = diff.comparison.rotation is not None
    first = isinstance(a.session, AsCreated)  # A: the layer as it was created; B: the one on screen
    layer, other = (b.session, a.session) if first else (a.session, b.session)
    if not layer.trainable or not (isinstance(other, AsCreated) or other.trainable):
        raise MessageError(Message("diff.code_quantized"))
    spec = layer.spec
    context_length = None if layer.positions is None else layer.positions.context_length
    code = layer.weights.code if layer.weights is not None else None
    layer_lines, name = made_lines(spec, (), layer.frozen, code, layer.history, context_length=context_length)
    layer_lines = [line for line in layer_lines if not line.startswith("input_ids = ")]  # nothing is looked up here
    on_screen = f"{name}.weight.detach()"
    if first and code is None:
        dtype = "" if spec.dtype == "float32" else f", dtype=torch.{spec.dtype}"
        made = f"torch.nn.Embedding({spec.vocab_size}, {spec.dim}{dtype}{spec.options.code()})"
        first_lines = ["# A: the layer as it was created", f"torch.manual_seed({spec.seed})", f"first = {made}.weight.detach()"]
        return diff_script([*layer_lines, "", *first_lines], "first", on_screen, by, LISTED, rotated)
    if first:
        first_lines = ["# A: the weight as it was opened (loaded again: the steps changed the first one in place)", f"first = {code.expression}"]
        return diff_script([*layer_lines, "", *first_lines], "first", on_screen, by, LISTED, rotated)
    theirs = other.weights.code
    files = tuple(ScriptFile(f"{file.constant}_B", f"{file.what} compared (B)", file.path) for file in theirs.files)
    expression = theirs.expression
    for file in theirs.files:
        expression = expression.replace(file.constant, f"{file.constant}_B")
    other_lines = ["# B: the matrix compared", *theirs.imports, *top(files), f"other = {expression}"]
    return diff_script([*layer_lines, "", *other_lines], on_screen, "other", by, LISTED, rotated)
