"""Where a matrix on screen comes from: the first layer made from the setup, a weight file or model opened,
labels (a vocabulary, a tokenizer) read for its rows, the layer built again with other options. Each is
work for a job, touching only what it is given; its outcome makes a new `Source`, which `Sources` holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.explorer.changes import Change
from tui.core.explorer.source import AsCreated, Compared, Source
from tui.core.files.file_watch import Change as FileChange
from tui.core.texts.messages import Message

if TYPE_CHECKING:  # these import torch, which the first frame must not wait for
    from tui.core.chapter.rows import DifferenceRows
    from tui.core.chapter.spec import LayerOptions
    from tui.core.explorer.setup import Setup
    from tui.core.jobs import Job
    from tui.core.tokens.tokenizer import TextTokenizer
    from tui.core.tokens.vocab import Vocab


@dataclass(frozen=True)
class LayerMade:
    """A new layer and its labels; what to say of it (None: its own greeting), or what went wrong with the
    labels beside its file."""

    source: Source
    said: Message | None = None
    problem: Message | None = None


@dataclass(frozen=True)
class LabelsLoaded:
    """A vocabulary (and the tokenizer it came with, if any) for the layer on screen; None when the file
    read had none."""

    vocab: Vocab | None
    tokenizer: TextTokenizer | None


@dataclass(frozen=True)
class SeveralFound:
    """A weight file with several candidate tensors and no known name: someone has to choose."""

    path: str
    candidates: tuple[tuple[str, str], ...]  # (key, how it is described), largest first


def create(setup: Setup) -> Callable[[Job], LayerMade]:
    """The first layer, as the setup says (torch is imported here, off the first frame's way)."""

    def create(job: Job) -> LayerMade:
        job.stage = "weight.loading_step.import"
        from tui.core.chapter.session import make_session

        job.stage = "weight.loading_step.create"
        session = make_session(setup.spec, setup.weights, frozen=setup.frozen, no_grad=setup.no_grad, context_length=setup.context_length)
        return LayerMade(Source(session, setup.vocab, setup.tokenizer))

    return create


def open_weights(path: str, key: str | None, context_length: int | None) -> Callable[[Job], LayerMade | SeveralFound]:
    """A weight file, a model folder or a cached model, with the vocabulary and tokenizer beside it."""

    def open_file(job: Job) -> LayerMade | SeveralFound:
        from tui.core.chapter.session import make_session
        from tui.core.chapter.spec import LayerSpec
        from tui.core.files.models import find_model, is_model, open_model
        from tui.core.files.weights import SeveralTensors
        from tui.core.files.weights import open_weights as open_file
        from tui.core.tokens.tokenizer import beside
        from tui.core.tokens.vocab import VocabError

        try:
            weights = open_model(find_model(path, key)) if is_model(path) else open_file(path, key)
        except SeveralTensors as several:
            return SeveralFound(path, tuple((info.key, info.describe()) for info in several.candidates))
        try:
            vocab, tokenizer, problem = *beside(weights.path), None
        except VocabError as error:
            vocab, tokenizer, problem = None, None, error.message
        session = make_session(LayerSpec.of_file(weights), weights, context_length=context_length)
        return LayerMade(Source(session, vocab, tokenizer), problem=problem)

    return open_file


def open_labels(path: str) -> Callable[[Job], LabelsLoaded]:
    """`gpt2`, a tokenizer.json (a tokenizer and its vocabulary), or a vocabulary file (row labels only)."""

    def load(job: Job) -> LabelsLoaded:
        from tui.core.tokens.tokenizer import labels_of

        return LabelsLoaded(*labels_of(path))

    return load


def labels_beside(path: Path) -> Callable[[Job], LabelsLoaded]:
    """The labels a file has with it: a GGUF file's own token list (128k tokens take a few tenths of a
    second to decode, so this comes after its matrix is on screen)."""

    def load(job: Job) -> LabelsLoaded:
        from tui.core.tokens.tokenizer import beside

        return LabelsLoaded(*beside(path))

    return load


def rebuild(source: Source, options: LayerOptions) -> Callable[[Job], LayerMade]:
    """The layer built again with other options, as at launch (a file's values restored first: training
    wrote them), keeping its labels."""
    old = source.session

    def rebuild(job: Job) -> LayerMade:
        from dataclasses import replace

        from tui.core.chapter.session import make_session
        from tui.core.explorer.training import padding_note

        old.reset()  # from_pretrained shares the file's tensor, which steps changed in place
        context_length = None if old.positions is None else old.positions.context_length
        spec = replace(old.spec, options=options)
        new = make_session(spec, old.weights, frozen=old.frozen, no_grad=old.no_grad, context_length=context_length)
        described = options.code().removeprefix(", ") or Message("train.defaults")
        said = Message("train.rebuilt", {"options": described, "note": padding_note(new)})
        return LayerMade(Source(new, source.vocab, source.tokenizer), said=said)

    return rebuild


class Sources:
    """The matrix on screen and where it came from (the setup, a file, a model), its labels, and what became
    of its file on disk since it was opened; and a second matrix to compare it with (`other`, named
    `other_name`)."""

    def __init__(self, setup: Setup) -> None:
        self.setup = setup  # what the first layer is made from
        self.source: Source | None = None
        self.other: Source | None = None
        self.other_name: str | Message = ""
        self._difference: tuple[Source, Source, DifferenceRows] | None = None  # B − A, for the sources it is of
        self._file_seen = FileChange.NONE  # what became of the file, as last said

    def compared_with(self, other: Source, name: str | Message) -> None:
        """`other` is the matrix B the one on screen is compared with."""
        self.other, self.other_name = other, name

    def compared(self) -> Compared:
        """The layer on screen (A) against the matrix compared with it (B); against itself as it was created or
        opened, that one is A and the layer on screen B, so that b − a is what training did."""
        on_screen = Message("diff.on_screen")
        if isinstance(self.other.session, AsCreated):
            return Compared(self.other, self.source, self.other_name, on_screen)
        return Compared(self.source, self.other, on_screen, self.other_name)

    def head(self) -> str | None:
        """The model (folder or id) whose output head is a matrix of its own (`tie_word_embeddings=false`),
        when the layer on screen is its input embedding; None otherwise (a tied head is this matrix)."""
        weights = self.source.session.weights if self.source is not None else None
        note = getattr(weights, "note", None)
        if note is None or note.key not in ("model.in_file_untied", "model.in_shard_untied"):
            return None
        return str(note.params["name"])

    def difference_rows(self) -> DifferenceRows:
        """B − A by A's rows, for the matrix view: made again when either source changes (rows aligned as the
        diff aligns them: an `AlignmentError` says why they cannot be)."""
        compared = self.compared()
        a, b = compared.a, compared.b
        if self._difference is None or self._difference[0] is not a or self._difference[1] is not b:
            from tui.core.chapter.rows import DifferenceRows
            from tui.core.tokens.alignment import align

            spec_a, spec_b = a.session.spec, b.session.spec
            tokens = (None if source.vocab is None else source.vocab.tokens for source in (a, b))
            alignment = align(spec_a.vocab_size, spec_b.vocab_size, *tokens)

            def b_of(row: int) -> int | None:
                position = alignment.position_of(row)
                return None if position is None else int(alignment.b_ids[position])

            layer = self.source.session  # the one whose values change
            rows = DifferenceRows(a.session.read_rows, b.session.read_rows, b_of, (spec_a.vocab_size, spec_a.dim), lambda: layer.version)
            self._difference = (a, b, rows)
        return self._difference[2]

    def as_created(self) -> Source:
        """The layer on screen as it was created or opened, with its labels: B to compare with."""
        return Source(AsCreated(self.source.session), self.source.vocab, self.source.tokenizer)

    def installed(self, made: LayerMade) -> Change:
        """A new source on screen, and what it says first (the layer as created before it is no B any more)."""
        if self.other is not None and isinstance(self.other.session, AsCreated):
            self.other = None
        self.source, self._file_seen = made.source, FileChange.NONE
        weights = made.source.session.weights
        if made.said is not None:
            return Change(made.said)
        if made.problem is not None:
            return Change(made.problem, error=True)
        if weights is not None and weights.note is not None:
            return Change(weights.note)
        return self.greeting()

    def labelled(self, loaded: LabelsLoaded) -> Change | None:
        """New row labels for the matrix on screen, and the tokenizer that came with them (else the one there
        was); None when the file had none."""
        if loaded.vocab is None or self.source is None:
            return None
        self.source = replace(self.source, vocab=loaded.vocab, tokenizer=loaded.tokenizer or self.source.tokenizer)
        return self.greeting()

    def greeting(self) -> Change:
        """What a new layer says first: its vocabulary, or its padding row; else nothing (the input speaks)."""
        spec, vocab, padding = self.source.session.spec, self.source.vocab, self.source.session.padding_idx
        if vocab is not None and len(vocab) < spec.vocab_size:  # padded to a round size: not an error
            return Change(Message("vocab.padded", {"path": vocab.path.name, "tokens": len(vocab), "rows": spec.vocab_size, "last": spec.vocab_size - 1}))
        if vocab is not None and len(vocab) > spec.vocab_size:
            return Change(Message("vocab.size_mismatch", {"tokens": len(vocab), "rows": spec.vocab_size}), error=True)
        if vocab is not None:
            return Change(Message("vocab.loaded", {"path": vocab.path.name, "tokens": len(vocab)}))
        if padding is not None:
            return Change(Message("train.padding_init", {"row": padding}))
        return Change(quiet=True)

    def check_file(self) -> tuple[Message, bool] | None:
        """What became of the weight's file on disk since it was opened, the first time it is known: a file
        replaced is only said; one cut or written in place (seen here, or by a read that came back short) is
        not read any more (True: a panel says why). None when there is nothing new to say."""
        from tui.core.files.file_watch import WeightFileChanged

        file = self.source.session.file if self.source is not None else None
        if file is None:
            return None
        try:
            change, news = file.check(), (Message("weights.replaced", {"file": file.path.name}), False)
        except WeightFileChanged as error:
            change, news = FileChange.WRITTEN, (error.message, True)
        if change in (FileChange.NONE, self._file_seen):
            return None
        self._file_seen = change
        return news
