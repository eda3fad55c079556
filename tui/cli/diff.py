"""`diff`: two matrices compared row by row, the most changed rows ranked, as a table, TSV or CSV."""

from __future__ import annotations

import argparse
import csv
from functools import partial

from tui.cli.output import flush, say, stdout, warn
from tui.core.chapter.spec import SpecError
from tui.core.texts.messages import Message, translate
from tui.core.texts.shown import columns, printable
from tui.core.tokens.parse import parse_ids


def print_diff(args: argparse.Namespace, lang: str) -> int:
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
