"""`neighbours`: the rows nearest a token, an ID or an expression, as a table, TSV, CSV or the Projector's files."""

from __future__ import annotations

import argparse
import csv
import os
from pathlib import Path

from tui.cli.output import fail, flush, say, stdout, warn
from tui.core.explorer.explorer import Explorer, Setup
from tui.core.texts.messages import translate
from tui.core.texts.shown import columns, printable


def print_neighbours(setup: Setup, args: argparse.Namespace, lang: str) -> int:
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
