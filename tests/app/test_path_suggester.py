"""The open prompt's completion: the next entry on disk, else a cached model id."""

from pathlib import Path

from tests.app.conftest import running, screen_text, settled, until
from tui.app import ExplorerApp
from tui.screens.open import OpenScreen
from tui.screens.path_suggester import PathSuggester, on_disk


def test_a_path_is_completed_to_its_first_entry_folders_with_a_slash(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "model.safetensors").write_bytes(b"x")
    (tmp_path / ".hidden.gguf").write_bytes(b"x")
    (tmp_path / "models" / "llama.gguf").write_bytes(b"x")
    base = str(tmp_path)
    assert on_disk(f"{base}/mo") == f"{base}/model.safetensors"  # sorted: model.safetensors before models
    assert on_disk(f"{base}/models") == f"{base}/models/"
    assert on_disk(f"{base}/models/") == f"{base}/models/llama.gguf"
    assert on_disk(f"{base}/model.safetensors") is None  # complete already
    assert on_disk(f"{base}/.h") == f"{base}/.hidden.gguf" and on_disk(f"{base}/") == f"{base}/model.safetensors"
    assert on_disk(f"{base}/nothing") is None and on_disk(f"{base}/missing/x") is None
    monkeypatch.chdir(tmp_path)
    assert on_disk("models/l") == "models/llama.gguf"


async def test_a_cached_model_id_is_suggested_when_no_path_matches(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    suggester = PathSuggester(["sentence-transformers/all-MiniLM-L6-v2", "meta-llama/Llama-3.2-1B"])
    assert await suggester.get_suggestion("meta") == "meta-llama/Llama-3.2-1B"
    assert await suggester.get_suggestion("sentence-transformers/all-MiniLM-L6-v2") is None
    assert await suggester.get_suggestion("") is None


async def test_f6_completes_as_one_types(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "weights.safetensors").write_bytes(b"x")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "no-cache"))
    app = ExplorerApp(lang="en")
    async with running(app, size=(100, 30)) as pilot:
        await settled(pilot)
        await pilot.press("f6", *"wei")
        await until(pilot, lambda: "weights.safetensors" in screen_text(app))  # the suggestion, found off the event loop
        assert isinstance(app.screen, OpenScreen)
        await pilot.press("right")  # takes the suggestion
        assert app.screen.query_one("#ask-input").value == "weights.safetensors"


async def test_f6_opens_a_file_or_a_model_folder_picked_in_the_tree_or_a_cached_model(tmp_path: Path, minilm: Path, monkeypatch) -> None:
    import shutil

    from textual.widgets import DirectoryTree, OptionList

    from tests.core.test_models import cached
    from tui.screens.open import OpenScreen

    shutil.copytree(minilm, tmp_path / "minilm", ignore=shutil.ignore_patterns("1_Pooling"))
    (tmp_path / "notes.md").write_text("not shown", encoding="utf-8")
    cached(tmp_path / "cache", "org/mini", {"model.safetensors": minilm / "model.safetensors"})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    app = ExplorerApp(lang="en")
    async with running(app, size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, OpenScreen) and bool(app.screen.query_one(DirectoryTree).root.children))  # read off the event loop
        tree = app.screen.query_one(DirectoryTree)
        shown = [str(node.label) for node in tree.root.children]
        assert "minilm" in shown and "notes.md" not in shown  # folders and openable files only
        assert str(list(app.screen.query_one(OptionList).options)[0].prompt) == "org/mini"
        tree.post_message(DirectoryTree.DirectorySelected(tree.root.children[shown.index("minilm")], tmp_path / "minilm"))
        await until(pilot, lambda: app.explorer.session.weights is not None)
        assert app.screen is app.main and app.explorer.session.weights.path == tmp_path / "minilm" / "model.safetensors"
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, OpenScreen) and app.screen.query_one(OptionList).option_count > 0)  # the cache, scanned
        app.screen.query_one(OptionList).focus()
        await pilot.press("enter")
        await until(pilot, lambda: app.explorer.session.weights.path.parent.name != "minilm")
        assert app.explorer.session.weights.path.parent.name == "0123456789abcdef0123456789abcdef01234567"  # the cached snapshot


async def test_f6_scans_the_cache_off_the_event_loop_and_says_when_it_is_empty(tmp_path: Path, monkeypatch) -> None:
    import threading

    from textual.widgets import OptionList

    from tui.screens.open import OpenScreen

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty"))
    import tui.core.files.models

    app = ExplorerApp(lang="en")
    scanned_in: list[threading.Thread] = []
    scan = tui.core.files.models.cached_models
    monkeypatch.setattr(tui.core.files.models, "cached_models", lambda cache: scanned_in.append(threading.current_thread()) or scan(cache))
    async with running(app) as pilot:
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, OpenScreen) and app.screen.query_one(OptionList).option_count > 0)  # the tree's loader never ends
        assert scanned_in and scanned_in[0] is not threading.main_thread()
        cached = app.screen.query_one(OptionList)
        assert [str(option.prompt) for option in cached.options] == ["No models in the Hugging Face cache."]
        assert cached.options[0].disabled
