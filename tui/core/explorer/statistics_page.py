"""The statistics panel (`Explorer.statistics`): the whole matrix's row norms and dimensions, drawn with block
characters (`tui.core.explorer.bars`), and the looked-up rows compared with each other; a sample of rows on the map,
and the looked-up rows exported. The pass over the matrix is `Meaning.statistics`, run in the panel's worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.core.explorer.bars import bar_chart, squeeze
from tui.core.explorer.row_sets import export_rows, label_of, rows_of, vector_map, write_rows
from tui.core.explorer.view import StatisticsPanel, VectorMap
from tui.core.meaning.lookup_statistics import cosine_table, lookup_statistics
from tui.core.meaning.matrix_statistics import MatrixStatistics, RowNorm
from tui.core.meaning.passes import ReadableLayer
from tui.core.meaning.projection import sample_rows
from tui.core.texts.shown import printable

if TYPE_CHECKING:
    from tui.core.explorer.explorer import Explorer

WIDTH = 60  # columns of a chart: it fits the panel at 80 columns
HISTOGRAM_LINES = 6
DIMENSION_LINES = 3
SAMPLE = 300  # rows drawn on the map of the matrix, with the looked-up ones
LOOKED_UP_SHOWN = 8  # looked-up rows compared in the cosine table: a wider one would not fit


def panel(explorer: Explorer) -> StatisticsPanel:
    """The panel over the layer on screen."""
    session, t = explorer.session, explorer.t
    rows, dim = explorer.spec.vocab_size, explorer.spec.dim

    def compute(progress: Callable[[float], None] | None = None, cancelled: Callable[[], bool] | None = None) -> str:
        return page(explorer, session, explorer.meaning.statistics(session, progress, cancelled))

    def drawn() -> VectorMap:
        seed = explorer.spec.seed
        sample = sample_rows(rows, SAMPLE, seed)
        return vector_map(explorer, session, sample, set(), t("map.sample", count=len(sample), rows=rows, seed=seed))

    def export(path: str, overwrite: bool = False) -> str:
        return write_rows(explorer, export_rows(explorer, session, _looked_up(explorer)), path, overwrite)

    return StatisticsPanel(t("stats.title", rows=rows, dim=dim), explorer.lang, compute, drawn, export)


def _looked_up(explorer: Explorer) -> list[int]:
    """The input's rows, once each, in order."""
    return list(dict.fromkeys(explorer.lookup.parsed.ids)) if explorer.lookup is not None else []


def page(explorer: Explorer, layer: ReadableLayer, statistics: MatrixStatistics) -> str:
    """The statistics as the panel shows them: charts, the extremes named, the outlying dimensions, and the
    looked-up rows' table."""
    t, label = explorer.t, label_of(explorer)
    lines = [*_norms(t, label, statistics), "", *_dimensions(t, statistics)]
    if statistics.left_out:
        lines += ["", t("stats.left_out", count=statistics.left_out)]
    looked_up = _looked_up(explorer)[:LOOKED_UP_SHOWN]
    if looked_up:
        compared = lookup_statistics(rows_of(layer, looked_up), looked_up)
        lines += ["", t("stats.lookup_title"), *cosine_table(compared, [label(token_id) or str(token_id) for token_id in looked_up])]
        if compared.zero_rows:
            zero = ", ".join(str(looked_up[position]) for position in compared.zero_rows)
            lines.append(t("stats.zero_rows", ids=zero, count=len(compared.zero_rows)))
    return "\n".join(printable(line) for line in lines)


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
