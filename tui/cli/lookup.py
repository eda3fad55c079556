"""`lookup`: what the app shows for some IDs (and a backward pass, a step, the one-hot comparison), printed."""

from __future__ import annotations

import argparse

from tui.cli.output import fail, flush, say, warn
from tui.core.chapter.spec import learning_rate
from tui.core.chapter.windows import TextWindows, WindowSettings
from tui.core.explorer import printed
from tui.core.explorer.dialogs import Report, TrainingChoice
from tui.core.explorer.explorer import Explorer, Setup
from tui.core.explorer.presenter import stale


def print_lookup(setup: Setup, args: argparse.Namespace) -> int:
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
