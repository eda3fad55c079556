"""The statistics panel as it reads: the whole matrix's row norms and dimensions, drawn with block characters
(`bars`), and the looked-up rows compared with each other; a sample of rows on the map. The pass over the
matrix is `Meaning.statistics`, run in a job."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from tui.core.explorer.bars import bar_chart, squeeze
from tui.core.explorer.row_sets import label_of, rows_of, vector_map
from tui.core.files.file_watch import WeightFileChanged
from tui.core.texts.shown import printable

if TYPE_CHECKING:
    from tui.core.explorer.dialogs import VectorMap
    from tui.core.explorer.source import Source
    from tui.core.meaning.matrix_statistics import MatrixStatistics, RowNorm

WIDTH = 60  # columns of a chart: it fits the panel at 80 columns
HISTOGRAM_LINES = 6
DIMENSION_LINES = 3
SAMPLE = 300  # rows drawn on the map of the matrix, with the looked-up ones
LOOKED_UP_SHOWN = 8  # looked-up rows compared in the cosine table: a wider one would not fit


def page(source: Source, looked_up: Sequence[int], statistics: MatrixStatistics, t: Callable[..., str]) -> str:
    """The statistics as the panel shows them: charts, the extremes named, the outlying dimensions, and the
    looked-up rows' table (`looked_up`: the input's rows, once each); `t` renders in the reader's language."""
    label = label_of(source)
    lines = [*_norms(t, label, statistics), "", *_dimensions(t, statistics)]
    if statistics.left_out:
        lines += ["", t("stats.left_out", count=statistics.left_out)]
    shown = list(looked_up)[:LOOKED_UP_SHOWN]
    if shown:
        from tui.core.meaning.lookup_statistics import cosine_table, lookup_statistics

        try:
            compared = lookup_statistics(rows_of(source.session, shown), shown)
        except WeightFileChanged as error:  # the file was cut: its rows are not read, and the page says so
            return "\n".join(printable(line) for line in [*lines, "", t(error.message.key, **error.message.params)])
        lines += ["", t("stats.lookup_title"), *cosine_table(compared, [label(token_id) or str(token_id) for token_id in shown])]
        if compared.zero_rows:
            zero = ", ".join(str(shown[position]) for position in compared.zero_rows)
            lines.append(t("stats.zero_rows", ids=zero, count=len(compared.zero_rows)))
    return "\n".join(printable(line) for line in lines)


def sample_map(source: Source, looked_up: Sequence[int], t: Callable[..., str]) -> VectorMap:
    """A sample of the matrix's rows (seeded by the layer's seed) with the looked-up ones, on the map."""
    from tui.core.meaning.projection import sample_rows

    spec = source.session.spec
    sample = sample_rows(spec.vocab_size, SAMPLE, spec.seed)
    note = t("map.sample", count=len(sample), rows=spec.vocab_size, seed=spec.seed)
    return vector_map(source, looked_up, sample, set(), note, t)


def _norms(t: Callable[..., str], label: Callable[[int], str], statistics: MatrixStatistics) -> list[str]:
    counts = squeeze(statistics.counts.tolist(), WIDTH, merge=sum)
    low, high = statistics.edges[0].item(), statistics.edges[-1].item()
    chart = bar_chart(counts, HISTOGRAM_LINES)
    ends = f"{low:.4g}".ljust(len(counts) - len(f"{high:.4g}")) + f"{high:.4g}"

    def named(norms: tuple[RowNorm, ...]) -> str:
        return " · ".join(f"{label(row.id)} ({row.id}): {row.norm:.4g}" if label(row.id) else f"ID {row.id}: {row.norm:.4g}" for row in norms)

    return [
        t("stats.norms", bins=len(statistics.counts), low=low, high=high), *chart, ends,
        f"{t('stats.smallest')}: {named(statistics.smallest)}", f"{t('stats.largest')}: {named(statistics.largest)}",
    ]


def _dimensions(t: Callable[..., str], statistics: MatrixStatistics) -> list[str]:
    """Each dimension's spread, |mean| and magnitude as bars (groups of dimensions share a column, drawn by
    their largest), the outlying ones marked ▲ under their column."""
    dim = statistics.mean.shape[0]
    rows = [
        (t("stats.spread"), statistics.std.tolist()),
        (t("stats.abs_mean"), statistics.mean.abs().tolist()),
        (t("stats.magnitude_short"), statistics.magnitude.tolist()),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [t("stats.dimensions", rows=statistics.counted)]
    for name, values in rows:
        chart = bar_chart(squeeze(values, WIDTH), DIMENSION_LINES)
        lines += [(name if line == len(chart) - 1 else "").ljust(width) + " " + drawn for line, drawn in enumerate(chart)]
    columns = min(dim, WIDTH)
    marks = [" "] * columns
    for dimension in statistics.outlying:
        marks[dimension * columns // dim] = "▲"
    lines.append(" " * (width + 1) + "".join(marks))
    lines.append(" " * (width + 1) + "0".ljust(columns - len(str(dim - 1))) + str(dim - 1))
    if statistics.outlying:
        z = statistics.magnitude_z
        dims = ", ".join(f"{dimension} (z {z[dimension]:.1f})" for dimension in statistics.outlying[:12])
        lines.append(t("stats.outlying", threshold=statistics.threshold, dims=dims))
    else:
        lines.append(t("stats.no_outlying", threshold=statistics.threshold))
    return lines
