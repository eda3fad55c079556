"""A BPE tokenizer trained from a text in the app, as the book's bonus notebook trains one: a text file and a
vocabulary size asked for, the merges learned in a job (the last ones said as they come), then a new layer of
as many rows as the vocabulary has, labelled by its tokens, with the tokenizer as its own."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.explorer.changes import Change, Start
from tui.core.explorer.dialogs import Prompt, Topic, checked
from tui.core.explorer.source import Source
from tui.core.explorer.sources import LayerMade
from tui.core.explorer.tasks import Task
from tui.core.texts.messages import Message, MessageError
from tui.core.texts.shown import visible
from tui.core.tokens.bpe_code import trained_code
from tui.core.tokens.bpe_training import BYTES, SPACE, BPETokenizer, Merge, training_text
from tui.core.tokens.parse import whole_number
from tui.core.tokens.tokenizer import of_trained

if TYPE_CHECKING:
    from tui.core.chapter.spec import LayerSpec
    from tui.core.jobs import Job

FIRST_SIZE = "1000"  # the notebook's vocabulary size, offered first
SHOWN = 3  # the merges the status line names while training


@dataclass(frozen=True)
class Learned:
    """Merge k as people read it: the pair's two tokens, how often the pair occurred, the new token."""

    k: int
    left: str
    right: str
    count: int
    token: str

    @classmethod
    def of(cls, tokenizer: BPETokenizer, merge: Merge) -> Learned:
        """Its tokens as the rows' labels read them (`Ġ` is a space, shown `␣`)."""
        left, right, token = (tokenizer.vocab[token_id].replace(SPACE, " ") for token_id in (*merge.pair, merge.token))
        return cls(merge.k, left, right, merge.count, token)

    def said(self) -> Message:
        shown = {"left": visible(self.left), "right": visible(self.right), "token": visible(self.token)}
        return Message("bpe_app.merge", {"k": self.k, "count": self.count, **shown})


def vocab_size(text: str) -> int:
    """A vocabulary size typed: a whole number of at least 256 (the core's sentence otherwise)."""
    try:
        size = whole_number(text)
    except ValueError:
        raise MessageError(Message("bpe_app.size_invalid", {"text": text, "least": BYTES})) from None
    if size < BYTES:
        raise MessageError(Message("bpe_train.vocab_small", {"size": size, "least": BYTES}))
    return size


def text_path(text: str) -> str:
    """A training text's path as typed (read by the job, where a problem with it is said)."""
    if not text:
        raise MessageError(Message("bpe_app.path_empty"))
    return text


class TokenizerTraining:
    """The tokenizer training in flight, if any: the merges it learned last (written by its job's thread as it
    learns them, read when its progress arrives), and how many it means to learn."""

    def __init__(self) -> None:
        self.recent: deque[Learned] = deque(maxlen=SHOWN)
        self.asked = 0

    def ask(self, t: Callable[..., str], lang: str, offered: tuple[str, ...] | None = None) -> Prompt:
        """The first question: which text (`offered`: a served session completes only these names)."""
        return Prompt(Topic.BPE_TEXT, t("bpe_app.ask_text"), checked(text_path, lang), paths=True, offered=offered)

    def ask_size(self, path: str, t: Callable[..., str], lang: str) -> Prompt:
        """The second: how big a vocabulary (the answer carries the path chosen first)."""
        return Prompt(Topic.BPE_SIZE, t("bpe_app.ask_size", path=path, least=BYTES), checked(lambda text: (path, vocab_size(text)), lang), FIRST_SIZE)

    def progress(self, fraction: float) -> Message:
        """What the status line says while training: how far, and the last merges learned."""
        learned = tuple(self.recent)
        return Message("bpe_app.training", {"percent": round(100 * fraction), "asked": self.asked, "merges": tuple(item.said() for item in reversed(learned))})

    def start(self, path: str, size: int, spec: LayerSpec, context_length: int | None, then: Callable[[LayerMade], Change]) -> Change:
        """The job that trains the tokenizer and makes its layer: `nn.Embedding(N, dim)` as the setup makes one,
        N the vocabulary learned; it replaces the layer on screen only when it is done."""
        self.recent.clear()
        self.asked = size
        recent = self.recent

        def work(job: Job) -> LayerMade:
            from tui.core.chapter.session import make_session  # torch, off the first frame's way

            text = training_text(path)
            trained = BPETokenizer()

            def told(fraction: float, merge: Merge) -> None:
                recent.extend(Learned.of(trained, learned) for learned in trained.merges[-SHOWN:])
                job.tell(fraction)

            trained.train(text, size, progress=told, cancelled=job.cancelled)
            tokenizer = replace(of_trained(trained, Path(path).name, Path(path)), code=trained_code(Path(path), size))
            layer = replace(spec, vocab_size=len(trained.vocab))
            layer.check()
            session = make_session(layer, context_length=context_length)
            merges = len(trained.merges)
            said = Message("bpe_app.learned", {"merges": merges, "path": path, "rows": len(trained.vocab), "dim": layer.dim})
            if trained.ran_out:
                said = Message("bpe_train.ran_out", {"merges": merges, "asked": size, "wanted": size - len(trained.vocab) + merges})
            return LayerMade(Source(session, tokenizer.vocab, tokenizer), said=said)

        said = Message("bpe_app.started", {"path": path, "size": size})
        return Change(said, start=(Start(Task.BPE_TRAIN, work, then, replaces_layer=True),))
