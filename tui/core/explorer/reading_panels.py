"""The panels that read the whole matrix: the neighbours of a row or an expression, and the matrix's statistics.
Each pass over the matrix is a job that holds the layer while it reads (nothing writes to the matrix
meanwhile), tells its progress, and is cancelled by a newer question or by the panel closing. The metric and
k chosen last, and the passes kept while the layer's values stay, are `meaning`'s; the panels' own keys
(metric, k, export, map) are answered here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from tui.core.explorer.changes import NOTHING, Change, Start
from tui.core.explorer.dialogs import Act, Answer, Ask, Choice, Prompt, Question, Topic, checked
from tui.core.explorer.neighbours_page import export_answer, most_k, parse_k
from tui.core.explorer.panels import NeighboursOpen, StatisticsOpen
from tui.core.explorer.row_sets import export_rows, vector_map, write_rows
from tui.core.explorer.statistics_page import sample_map
from tui.core.explorer.tasks import Task
from tui.core.files.export import ExportExists
from tui.core.files.file_watch import WeightFileChanged
from tui.core.texts.messages import Message, MessageError

if TYPE_CHECKING:
    from tui.core.explorer.sources import Source
    from tui.core.jobs import Job
    from tui.core.meaning.matrix_statistics import MatrixStatistics
    from tui.core.meaning.passes import Answer as Found
    from tui.core.meaning.passes import Meaning

Reading = NeighboursOpen | StatisticsOpen
PASSES = (Task.NEIGHBOURS, Task.STATISTICS)


class ReadingPanels:
    def __init__(self) -> None:
        self._meaning: Meaning | None = None

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

    def answer(self, panel: Reading, answer: Answer, source: Source, looked_up: Sequence[int], t: Callable[..., str], lang: str) -> Change:
        """What a panel's key does: ask, the other metric, how many, export, the map (whose rows, read from a
        file cut meanwhile, are refused with the one message)."""
        try:
            return self._answer(panel, answer, source, looked_up, t, lang)
        except WeightFileChanged as error:
            return Change(error.message, error=True)

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
            return Change(dialog=Prompt(Topic.EXPORT, t(prompt), checked(path_given, lang), paths=True))
        return NOTHING

    def new_k(self, panel: NeighboursOpen, source: Source, k: int) -> Change:
        self.meaning.choose_k(k, source.session.spec.vocab_size)
        return self.ask(panel, source)

    def export(self, panel: Reading, source: Source, looked_up: Sequence[int], path: str, t: Callable[..., str], overwrite: bool = False) -> Change:
        """The panel's rows written to `path`: the neighbours found, or the looked-up rows; a file there
        already is a question first. What happened is said in the panel."""
        try:
            if isinstance(panel, NeighboursOpen):
                said = export_answer(source, panel.answer, path, overwrite)
            else:
                said = write_rows(export_rows(source, looked_up), path, overwrite)
        except ExportExists as error:
            text = t(error.message.key, **error.message.params)
            keys = {"y": Choice.YES, "n": Choice.NO}
            return Change(dialog=Question(Topic.OVERWRITE, t("neighbours.panel.overwrite"), text, t("neighbours.overwrite_choices"), keys, path))
        except MessageError as error:
            panel.reading.say(error.message, error=True)
            return NOTHING
        panel.reading.say(said)
        return NOTHING


def path_given(text: str) -> str:
    """A path typed to write to: anything but nothing (the file is judged when it is written)."""
    if not text:
        raise MessageError(Message("open.empty"))
    return text
