"""The panels that read the whole matrix: the neighbours of a row or an expression, the matrix's statistics,
and its diff against a second matrix.
Each pass over the matrix is a job that holds the layer while it reads (nothing writes to the matrix
meanwhile), tells its progress, and is cancelled by a newer question or by the panel closing. The metric and
k chosen last, and the passes kept while the layers' values stay, are `meaning`'s; the panels' own keys
(metric, k, rank, export, map, copy as code) are answered here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.explorer import diff_page
from tui.core.explorer.changes import NOTHING, Change, Delivered, Start
from tui.core.explorer.copied_code import code_dialog
from tui.core.explorer.dialogs import Act, Answer, Ask, Choice, Prompt, Question, Topic, checked
from tui.core.explorer.neighbours_page import answer_rows, most_k, parse_k
from tui.core.explorer.panels import DiffOpen, NeighboursOpen, StatisticsOpen
from tui.core.explorer.row_sets import delivered_rows, export_rows, vector_map, write_rows
from tui.core.explorer.statistics_page import sample_map
from tui.core.explorer.tasks import Task
from tui.core.files.export import ExportExists
from tui.core.files.file_watch import WeightFileChanged
from tui.core.texts.messages import Message, MessageError

if TYPE_CHECKING:
    from tui.core.explorer.source import Compared, Source
    from tui.core.files.export import ExportRows
    from tui.core.jobs import Job
    from tui.core.meaning.matrix_statistics import MatrixStatistics
    from tui.core.meaning.passes import Answer as Found
    from tui.core.meaning.passes import Diff, Meaning

Reading = NeighboursOpen | StatisticsOpen | DiffOpen
PASSES = (Task.NEIGHBOURS, Task.STATISTICS, Task.DIFF)


class ReadingPanels:
    def __init__(self, served: bool = False) -> None:
        self._meaning: Meaning | None = None
        self.served = served  # exports and scripts are handed to the browser: nothing is written on the server

    @property
    def meaning(self) -> Meaning:
        """The neighbour searches' metric and k and the passes kept, made at the first use (it imports torch)."""
        if self._meaning is None:
            from tui.core.meaning.passes import Meaning

            self._meaning = Meaning()
        return self._meaning

    def neighbours(self, source: Source, asked: str) -> tuple[NeighboursOpen, Change]:
        """The neighbours panel, asking `asked` first."""
        panel = NeighboursOpen(asked)
        return panel, self.ask(panel, source)

    def ask(self, panel: NeighboursOpen, source: Source, text: str | None = None) -> Change:
        """The panel's question (or `text`) asked with the metric and k chosen, in a job."""
        meaning, asked = self.meaning, panel.asked if text is None else text
        rows = source.session.spec.vocab_size
        chosen = meaning.k_for(rows)
        metric, k = meaning.metric, None if chosen is None else min(chosen, most_k(rows))
        panel.asked = asked
        panel.reading.started()

        def ask(job: Job) -> Found:
            return meaning.ask(source.session, asked, source.vocab, source.tokenizer, metric, k, job.tell, job.cancelled)

        def found(answer: Found) -> Change:
            panel.answer = answer
            panel.reading.ended()
            return NOTHING

        return Change(start=(Start(Task.NEIGHBOURS, ask, found, layer=source.session),))

    def statistics(self, source: Source) -> tuple[StatisticsOpen, Change]:
        """The statistics panel: one pass over the matrix, kept while the layer's values stay."""
        panel, meaning, session = StatisticsOpen(), self.meaning, source.session
        panel.reading.started()

        def compute(job: Job) -> MatrixStatistics:
            return meaning.statistics(session, job.tell, job.cancelled)

        def computed(statistics: MatrixStatistics) -> Change:
            panel.statistics = statistics
            panel.reading.ended()
            return NOTHING

        return panel, Change(start=(Start(Task.STATISTICS, compute, computed, layer=session),))

    def diff(self, compared: Compared, looked_up: Sequence[int]) -> tuple[DiffOpen, Change]:
        """The diff panel: A against B row by row, then the neighbour overlap of the most changed and the
        looked-up rows; one job that holds the layer on screen while it reads, kept while neither changes."""
        panel = DiffOpen(compared, tuple(looked_up))
        return panel, self._compare(panel)

    def _compare(self, panel: DiffOpen) -> Change:
        """The panel's pass, as it asks (A rotated onto B first, or not), started; the last diff shown meanwhile."""
        meaning, a, b, procrustes = self.meaning, panel.compared.a, panel.compared.b, panel.procrustes
        tokens = tuple(None if s.vocab is None else s.vocab.tokens for s in (a, b))
        panel.reading.started()

        def compare(job: Job) -> Diff:
            return meaning.diff(a.session, b.session, tokens, panel.asked, procrustes, job.tell, job.cancelled)

        def computed(diff: Diff) -> Change:
            panel.diff = diff
            panel.by = diff.by
            panel.reading.ended()
            return NOTHING

        return Change(start=(Start(Task.DIFF, compare, computed, layer=panel.compared.on_screen.session),))

    def answer(self, panel: Reading, answer: Answer, source: Source, looked_up: Sequence[int], t: Callable[..., str], lang: str) -> Change:
        """What a panel's key does: ask, the other metric, how many, rank, export, the map, copy as code (rows
        read from a file cut meanwhile are refused with the one message)."""
        try:
            if isinstance(panel, DiffOpen):
                return self._diff_answer(panel, answer, t, lang)
            return self._answer(panel, answer, source, looked_up, t, lang)
        except WeightFileChanged as error:
            return Change(error.message, error=True)

    def _diff_answer(self, panel: DiffOpen, answer: Answer, t: Callable[..., str], lang: str) -> Change:
        diff, a, b = panel.diff, panel.compared.a, panel.compared.b
        if diff is None:  # nothing compared yet
            return NOTHING
        if answer is Act.RANK:
            ranks = diff_page.ranks(diff)
            panel.by = ranks[(ranks.index(panel.by) + 1) % len(ranks)]
            return NOTHING
        if answer is Act.ROTATE:
            if not diff.comparison.same_width:
                panel.reading.say(Message("diff.procrustes_width", {"dim_a": a.session.spec.dim, "dim_b": b.session.spec.dim}), error=True)
                return NOTHING
            panel.procrustes = not panel.procrustes
            return self._compare(panel)
        if answer is Act.EXPORT:
            return Change(dialog=self._export_prompt(t("diff.export_prompt"), t, lang))
        if answer is Act.MAP:
            if not diff.comparison.same_width:
                panel.reading.say(Message("diff.map_width", {"dim_a": a.session.spec.dim, "dim_b": b.session.spec.dim}), error=True)
                return NOTHING
            return Change(dialog=diff_page.diff_map(a, b, diff, panel.by, t))
        if answer is Act.COPY:
            from tui.core.explorer.copied_code import diff_script

            try:
                script = diff_script(a, b, diff, panel.by)
            except MessageError as error:
                panel.reading.say(error.message, error=True)
                return NOTHING
            return Change(dialog=code_dialog(script, t, self.served))
        return NOTHING

    def _answer(self, panel: Reading, answer: Answer, source: Source, looked_up: Sequence[int], t: Callable[..., str], lang: str) -> Change:
        if isinstance(panel, NeighboursOpen):
            if isinstance(answer, Ask):
                if not answer.text.strip():  # said in the panel's words, not the command line's
                    panel.reading.say(Message("neighbours.panel.query_needed"), error=True)
                    return NOTHING
                return self.ask(panel, source, answer.text)
            if answer is Act.NEXT_METRIC:
                from tui.core.meaning.neighbours import METRICS

                meaning = self.meaning
                meaning.metric = METRICS[(METRICS.index(meaning.metric) + 1) % len(METRICS)]
                return self.ask(panel, source)
            if answer is Act.ASK_K:
                rows = source.session.spec.vocab_size
                from tui.core.meaning.neighbours import DEFAULT_K

                k = str(min(self.meaning.k_for(rows) or DEFAULT_K, most_k(rows)))
                return Change(dialog=Prompt(Topic.NEIGHBOURS_K, t("neighbours.panel.k_prompt"), checked(lambda text: parse_k(text, rows), lang), k))
            if panel.answer is None:  # nothing found yet: nothing to export or map
                return NOTHING
            if answer is Act.MAP:
                found = panel.answer
                asked = [token_id for _, token_id in found.terms]
                note = t("map.neighbours", k=len(found.ids), metric=t(f"neighbours.{found.neighbours.metric}"))
                return Change(dialog=vector_map(source, looked_up, [*asked, *found.ids], set(asked), note, t))
        elif answer is Act.MAP:
            return Change(dialog=sample_map(source, looked_up, t))
        if answer is Act.EXPORT:
            prompt = "neighbours.panel.export_prompt" if isinstance(panel, NeighboursOpen) else "stats.export_prompt"
            return Change(dialog=self._export_prompt(t(prompt), t, lang))
        return NOTHING

    def _export_prompt(self, prompt: str, t: Callable[..., str], lang: str) -> Prompt:
        """Where to export: a path, completed as typed; in a served session, the name of the file to download."""
        if self.served:
            return Prompt(Topic.EXPORT, t("access.export_prompt"), checked(path_given, lang))
        return Prompt(Topic.EXPORT, prompt, checked(path_given, lang), paths=True)

    def new_k(self, panel: NeighboursOpen, source: Source, k: int) -> Change:
        self.meaning.choose_k(k, source.session.spec.vocab_size)
        return self.ask(panel, source)

    def export(
        self, panel: Reading, source: Source, looked_up: Sequence[int], path: str, t: Callable[..., str], overwrite: bool = False
    ) -> Change:
        """The panel's rows written to `path`: the neighbours found, the looked-up rows, or the diff's ranked
        rows (a folder: the listed ones at A and at B); a file there already is a question first. Served, they
        are handed to the browser as a file of that name instead. What happened is said in the panel."""
        delivered: tuple[Delivered, ...] = ()
        try:
            if isinstance(panel, DiffOpen):
                rows = _diff_rows(panel, path.endswith(("/", "\\")) or (not self.served and Path(path).expanduser().is_dir()))
            elif isinstance(panel, NeighboursOpen):
                rows = answer_rows(source, panel.answer)
            else:
                rows = export_rows(source, looked_up)
            if self.served:
                said, delivered = delivered_rows(rows, path)
            else:
                said = write_rows(rows, path, overwrite)
        except ExportExists as error:
            text = t(error.message.key, **error.message.params)
            keys = {"y": Choice.YES, "n": Choice.NO}
            return Change(dialog=Question(Topic.OVERWRITE, t("neighbours.panel.overwrite"), text, t("neighbours.overwrite_choices"), keys, path))
        except MessageError as error:
            panel.reading.say(error.message, error=True)
            return NOTHING
        panel.reading.say(said)
        return Change(delivered=delivered)


def _diff_rows(panel: DiffOpen, pair: bool) -> ExportRows:
    """The table of every ranked row's measures, or for the Projector's pair the listed rows at A and B."""
    if pair:
        return diff_page.projector_rows(panel.compared.a, panel.compared.b, panel.diff, panel.by)
    return diff_page.export_rows(panel.compared.a, panel.diff, panel.by)


def path_given(text: str) -> str:
    """A path typed to write to: anything but nothing (the file is judged when it is written)."""
    if not text:
        raise MessageError(Message("open.empty"))
    return text
