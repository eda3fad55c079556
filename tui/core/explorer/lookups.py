"""The lookup on screen: `layer(torch.tensor(ids))` of the input's IDs while they are good, else of the last
good ones (so the last good result stays on screen, as torch gives it now). It is derived: looked up again
whenever what torch would print changes (the IDs, their shape, the layer, its values, its flags), and never
otherwise (a comma or a space typed looks nothing up)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.core.files.file_watch import WeightFileChanged

if TYPE_CHECKING:
    from tui.core.chapter.quantized_session import QuantizedSession
    from tui.core.chapter.reports import Lookup
    from tui.core.chapter.session import EmbeddingSession
    from tui.core.texts.messages import Message
    from tui.core.tokens.parse import ParsedIds

    Layer = EmbeddingSession | QuantizedSession


class Lookups:
    def __init__(self) -> None:
        self.lookup: Lookup | None = None  # the lookup on screen
        self.failed: Message | None = None  # the layer's rows could not be read (its file changed on disk)
        self._good: ParsedIds | None = None  # the last IDs that could be looked up in this layer
        self._key: tuple[object, ...] | None = None  # what `lookup` was made of

    def update(self, parsed: ParsedIds | None, layer: Layer | None) -> Lookup | None:
        """Bring the lookup up to date with the input's IDs (None: they are not good) and the layer; the new
        lookup when one was made (it may have renormalised rows: max_norm), else None."""
        if layer is None:
            self.lookup, self._good, self._key, self.failed = None, None, None, None
            return None
        if parsed is not None:
            self._good = parsed
        elif self._key is not None and self._key[0] is not layer:
            self._good = None  # the last good IDs were judged by another layer
        if self._good is None:
            self.lookup = None if self._key is None or self._key[0] is not layer else self.lookup
            return None
        key = (layer, self._good.ids, self._good.rows, layer.version, layer.no_grad, layer.frozen)
        if self._key is not None and self._key[0] is key[0] and self._key[1:] == key[1:]:
            return None
        if self._key is None or self._key[0] is not layer:
            self.lookup = None  # nothing of another layer's stays on screen
        self._key = key  # tried once: a lookup that raises is not tried again until something changes
        try:
            self.lookup = layer.lookup(self._good)
        except WeightFileChanged as error:  # nothing is read from the file any more: say why
            self.failed = error.message
            return None
        self.failed = None
        self._key = (layer, self._good.ids, self._good.rows, layer.version, layer.no_grad, layer.frozen)  # after max_norm's changes
        return self.lookup
