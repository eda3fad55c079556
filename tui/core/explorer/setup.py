"""What the explorer starts from: the layer (a seeded spec, or a weight file's matrix), its toggles, the first
input, the language, the row labels and the tokenizer, a text to cut into windows, a positional layer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.chapter.spec import LayerOptions, LayerSpec, SpecError
from tui.core.chapter.windows import WindowSettings
from tui.core.files.access import Access
from tui.core.texts.messages import LANGUAGES, Message, MessageError, resolve_lang
from tui.core.texts.shown import single_line

if TYPE_CHECKING:  # these import torch, which the first frame must not wait for
    from tui.core.files.quantized import QuantizedWeights
    from tui.core.files.weights import WeightFile
    from tui.core.tokens.tokenizer import TextTokenizer
    from tui.core.tokens.vocab import Vocab


@dataclass(frozen=True)
class Setup:
    """What the explorer starts from: the layer (a seeded spec, or a weight file's tensor), its toggles,
    the first input, the language, the row labels and the tokenizer; a text to cut into windows, and a
    context length for a positional layer (section 2.8); what the session may read (`access`: served by
    `embedding-explorer serve`, or local)."""

    spec: LayerSpec
    weights: WeightFile | QuantizedWeights | None = None
    frozen: bool | None = None  # None: torch's default, trainable when seeded and frozen from a file
    no_grad: bool = False
    ids: str = ""
    lang: str = "en"
    vocab: Vocab | None = None
    tokenizer: TextTokenizer | None = None
    text_file: str | None = None  # a text to cut into the book's windows (section 2.6)
    windows: WindowSettings = WindowSettings()
    context_length: int | None = None  # a positional layer of this many rows, added to every lookup
    labels_later: Path | None = None  # a GGUF file whose token list labels the rows once the matrix is on screen
    folder: Path | None = None  # where F6 starts looking for files (None: the current folder)
    access: Access = Access()  # what the session may read, and whether its files are handed to a browser

    @classmethod
    def of(
        cls,
        vocab_size: int = 6,
        dim: int = 3,
        seed: int = 123,
        dtype: str = "float32",
        ids: str = "",
        lang: str | None = None,
        freeze: bool | None = None,
        no_grad: bool = False,
        weights: WeightFile | QuantizedWeights | None = None,
        vocab: Vocab | None = None,
        tokenizer: TextTokenizer | None = None,
        options: LayerOptions | None = None,
        text_file: str | None = None,
        windows: WindowSettings | None = None,
        context_length: int | None = None,
        labels_later: Path | None = None,
        access: Access | None = None,
    ) -> Setup:
        """From keywords (the app's and the CLI's); raises `SpecError` for a layer torch would refuse.
        With `weights`, the size and dtype are the file's. `vocab` defaults to the tokenizer's."""
        lang = resolve_lang(lang)
        if lang not in LANGUAGES:
            raise SpecError(Message("spec.lang", {"value": lang, "choices": ", ".join(LANGUAGES)}))
        options = options or LayerOptions()
        spec = LayerSpec.of_file(weights, options) if weights is not None else LayerSpec(vocab_size, dim, seed, dtype, options)
        spec.check()
        if vocab is None and tokenizer is not None:
            vocab = tokenizer.vocab
        windows = windows or WindowSettings()
        windows.check()
        if context_length is not None and context_length < 1:
            raise MessageError(Message("positions.context_length", {"value": context_length}))
        return cls(spec, weights, freeze, no_grad, single_line(ids), lang, vocab, tokenizer, text_file, windows, context_length, labels_later, access=access or Access())
