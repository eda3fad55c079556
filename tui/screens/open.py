"""F6: open a weight file, a model folder, a cached model, or a tokenizer — typed (and completed as it is
typed), picked in a tree of the folder the app was started in, or picked among the cached models (listed
once a job has scanned the cache). A served session picks among what it is offered instead: no tree of the
server's folders, no cache."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DirectoryTree, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.explorer.dialogs import OpenPane
from tui.core.files.access import LABEL_FILES, MODEL_FILES
from tui.core.files.embedding_names import FORMATS
from tui.core.texts.shown import printable
from tui.screens.dialog import PanelScreen
from tui.screens.path_suggester import PathSuggester


class WeightTree(DirectoryTree):
    """The folders, and the files F6 can open; no hidden ones. Every name is shown printable: a file's name is
    anyone's to choose."""

    def process_label(self, label: str | Text) -> Text:
        return super().process_label(printable(label) if isinstance(label, str) else Text(printable(label.plain)))

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            path for path in paths
            if not path.name.startswith(".") and (path.is_dir() or path.suffix in (*FORMATS, *LABEL_FILES))
        ]


class OpenScreen(PanelScreen[OpenPane]):
    """The path line (Enter opens it), then the tree (Enter on a file or a model folder opens it, on another
    folder opens or closes it) and the cached models (Enter opens one); served, the line (completing only the
    names offered) and the list of what is offered (Enter opens one)."""

    def __init__(self, pane: OpenPane) -> None:
        super().__init__(pane)
        self._suggester = PathSuggester.offering(pane.offered)

    def compose(self) -> ComposeResult:
        offered = self.dialog.offered
        with Vertical():
            yield Static(Text(printable(self.dialog.prompt)))
            yield Input(id="ask-input", suggester=self._suggester)
            yield Static(id="ask-error")
            if offered is not None:
                options = [Option(Text(printable(name))) for name in offered] or [Option(Text(self.dialog.none_offered), disabled=True)]
                yield OptionList(*options, id="open-offered")
                return
            with Horizontal():
                yield WeightTree(self.dialog.folder, id="open-tree")
                yield OptionList(id="open-cached")

    def shown(self, before: OpenPane | None, pane: OpenPane) -> None:
        """The cached models, once scanned."""
        if pane.cached is None or (before is not None and before.cached is not None):
            return
        self._suggester.model_ids = sorted(pane.cached)
        cached = self.query_one("#open-cached", OptionList)
        cached.add_options([Option(Text(printable(name))) for name in pane.cached] or [Option(Text(pane.none_cached), disabled=True)])
        cached.highlighted = 0 if pane.cached else None

    def submit(self, text: str) -> None:
        self.answer_parsed(self.dialog.parse, text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit(event.value.strip())

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.submit(str(event.path))

    def on_directory_tree_directory_selected(self, event: DirectoryTree.DirectorySelected) -> None:
        if any((event.path / name).exists() for name in MODEL_FILES):  # a model folder: opened, not browsed
            self.submit(str(event.path))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        chosen = self.dialog.offered if self.dialog.offered is not None else self.dialog.cached
        if chosen:
            self.submit(chosen[event.option_index])
