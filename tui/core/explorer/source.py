"""A matrix on screen and its labels (`Source`), the layer on screen as it was created or opened
(`AsCreated`, a matrix to compare with), and two matrices as a diff reads them (`Compared`). Values that
name no part above them, so any part may hold one."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from tui.core.texts.messages import Message

if TYPE_CHECKING:  # these import torch, which the first frame must not wait for
    import torch

    from tui.core.chapter.quantized_session import QuantizedSession
    from tui.core.chapter.rows import ReadRows
    from tui.core.chapter.session import EmbeddingSession
    from tui.core.chapter.spec import LayerSpec
    from tui.core.files.quantized import QuantizedWeights
    from tui.core.files.weights import WeightFile
    from tui.core.tokens.tokenizer import TextTokenizer
    from tui.core.tokens.vocab import Vocab

    Layer = EmbeddingSession | QuantizedSession


@dataclass(frozen=True)
class Source:
    """A matrix on screen and its labels: the session (an `nn.Embedding`, or a quantized file's rows), the
    vocabulary that names its rows, and the tokenizer that turns text into its IDs."""

    session: Layer | AsCreated
    vocab: Vocab | None
    tokenizer: TextTokenizer | None


@dataclass(frozen=True, eq=False)
class AsCreated:
    """The layer on screen as it was created or opened, before any step or max_norm lookup changed its rows:
    read from its file, or from its weight with the first values its session keeps put back. A matrix to
    compare with, whose values never change (`version`)."""

    layer: Layer
    version = 0

    @property
    def spec(self) -> LayerSpec:
        return self.layer.spec

    @property
    def weights(self) -> WeightFile | QuantizedWeights | None:
        return self.layer.weights

    def read_rows(self, start: int, stop: int) -> torch.Tensor:
        return self.layer.read_first_rows(start, stop)

    @cached_property
    def rows(self) -> ReadRows:
        """Its rows for the matrix view."""
        from tui.core.chapter.rows import ReadRows

        spec = self.layer.spec
        return ReadRows(self.read_rows, (spec.vocab_size, spec.dim), lambda: self.version)


@dataclass(frozen=True)
class Compared:
    """A and B as the diff reads them, and what each one is (a path, or a sentence)."""

    a: Source
    b: Source
    a_name: str | Message
    b_name: str | Message

    @property
    def on_screen(self) -> Source:
        """The one of the two that is the layer on screen (B against itself as it was created, else A)."""
        return self.b if isinstance(self.a.session, AsCreated) else self.a
