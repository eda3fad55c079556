"""F6: open a weight file, a model folder, a cached model, or a tokenizer — typed (and completed as it is
typed), picked in a tree of the folder the app was started in, or picked among the cached models."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DirectoryTree, OptionList
from textual.widgets.option_list import Option

from tui.core.files.embedding_names import FORMATS
from tui.screens.ask import AskScreen
from tui.screens.path_suggester import PathSuggester

LABEL_FILES = (".json", ".txt")  # tokenizers and vocabularies, which F6 opens for the rows on screen
MODEL_FILES = ("config.json", "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin")


class WeightTree(DirectoryTree):
    """The folders, and the files F6 can open; no hidden ones."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            path for path in paths
            if not path.name.startswith(".") and (path.is_dir() or path.suffix in (*FORMATS, *LABEL_FILES))
        ]


class OpenScreen(AskScreen[str]):
    """The path line (Enter opens it), then the tree (Enter on a file or a model folder opens it, on another
    folder opens or closes it) and the cached models (Enter opens one), listed once a worker has scanned the
    cache (a second for dozens of models: never on the event loop)."""

    DEFAULT_CSS = """
    OpenScreen > Vertical { max-width: 120; }
    OpenScreen Horizontal { height: 16; }
    OpenScreen WeightTree { width: 2fr; }
    OpenScreen #open-cached { width: 1fr; }
    """

    def __init__(self, prompt: str, parse: Callable[[str], str], lang: str, folder: Path, cached_models: Callable[[], Sequence[str]], none_cached: str) -> None:
        self._suggester = PathSuggester()
        super().__init__(prompt, parse, lang, suggester=self._suggester)
        self._folder, self._cached_models, self._none_cached = folder, cached_models, none_cached
        self._model_ids: list[str] = []

    def below(self) -> ComposeResult:
        with Horizontal():
            yield WeightTree(self._folder, id="open-tree")
            yield OptionList(id="open-cached")

    def on_mount(self) -> None:
        self._scan()

    @work(thread=True, exit_on_error=False)
    def _scan(self) -> None:
        model_ids = list(self._cached_models())
        self.app.call_from_thread(self._scanned, model_ids)

    def _scanned(self, model_ids: list[str]) -> None:
        self._model_ids = model_ids
        self._suggester.model_ids = sorted(model_ids)
        cached = self.query_one("#open-cached", OptionList)
        cached.add_options(model_ids or [Option(Text(self._none_cached), disabled=True)])
        cached.highlighted = 0 if model_ids else None

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.answer(str(event.path))

    def on_directory_tree_directory_selected(self, event: DirectoryTree.DirectorySelected) -> None:
        if any((event.path / name).exists() for name in MODEL_FILES):  # a model folder: opened, not browsed
            self.answer(str(event.path))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if self._model_ids:
            self.answer(self._model_ids[event.option_index])
