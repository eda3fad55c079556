"""The jobs in flight and what each is for: which task it does, the layer it holds (lookups, toggles and
training wait for it), the layer generation it belongs to, and what installs its outcome. Training actions
pressed while a job holds the layer wait their turn here, in order."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from tui.core.jobs import Job


class Task(Enum):
    """What a job does; the value is the catalog key that names it."""

    CREATE = "task.create"
    OPEN = "task.open"
    LABELS = "task.labels"
    OPTIONS = "key.options"
    BACKWARD = "key.backward"
    STEP = "key.step"
    ZERO_GRAD = "key.zero_grad"
    UNDO = "key.undo"
    RESET = "key.reset"
    ONE_HOT = "key.one_hot"
    WINDOWS = "task.windows"
    NEIGHBOURS = "key.neighbours"
    STATISTICS = "key.statistics"
    SEARCH_INDEX = "task.search_index"
    CACHED_MODELS = "task.cached_models"
    OPEN_OTHER = "task.open_other"  # the matrix B to compare with the one on screen
    DIFF = "key.compare"
    BPE_TRAIN = "key.train_bpe"  # a BPE tokenizer trained from a text, and the layer it labels


TRAINING = (Task.BACKWARD, Task.STEP, Task.ZERO_GRAD, Task.UNDO, Task.RESET)  # the actions that wait their turn


class Jobs:
    """One owner for the jobs in flight. A job that replaces the layer starts a new generation: whatever an
    older job made is dropped when it ends, and so is a job whose layer is no longer on screen."""

    def __init__(self) -> None:
        self.running: list[Job] = []
        self.queued: list[Task] = []  # training actions pressed while a job had the layer: each runs in turn
        self.generation = 0
        self._then: dict[Job, Callable[[Any], Any]] = {}

    def start(self, task: Task, work: Callable[[Job], Any], then: Callable[[Any], Any], *, layer: object | None = None, replaces_layer: bool = False) -> Job:
        """A new job: `work` runs off the event loop, `then(outcome)` installs what it made."""
        if replaces_layer:
            self.generation += 1
        job = Job(task, work, layer, self.generation)
        self.running.append(job)
        self._then[job] = then
        return job

    def finish(self, job: Job, layer: object | None) -> Callable[[Any], Any] | None:
        """The job is done: what installs its outcome, or None when it is stale (a newer layer was asked for
        since, its layer is no longer `layer`, the one on screen, or it was cancelled)."""
        if job not in self._then:
            return None
        self.running.remove(job)
        then = self._then.pop(job)
        stale = job.generation != self.generation or (job.layer is not None and job.layer is not layer) or job.cancelled()
        return None if stale else then

    def holding(self, layer: object | None) -> Job | None:
        """The job using `layer`: lookups, toggles and training wait for it."""
        return next((job for job in self.running if layer is not None and job.layer is layer), None)

    def doing(self, task: Task) -> Job | None:
        return next((job for job in self.running if job.task is task), None)

    def cancel(self, task: Task) -> None:
        """Give up the jobs doing `task` (a newer question wants the answer instead)."""
        for job in self.running:
            if job.task is task:
                job.cancel()
