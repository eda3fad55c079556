"""Section 2.8 against torch alone: the positional layer, the input embeddings, and training both layers."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.chapter.session import EmbeddingSession
from tui.core.chapter.spec import LayerOptions, LayerSpec
from tui.core.explorer.dialogs import TrainingChoice
from tui.core.explorer.explorer import Explorer, Setup
from tui.core.files.weights import open_weights
from tui.core.tokens.parse import IdError, parse_ids


def book_layers(vocab_size: int = 6, dim: int = 3, context_length: int = 4) -> tuple[torch.nn.Embedding, torch.nn.Embedding]:
    """The book's two layers, made by torch alone in the book's order."""
    torch.manual_seed(123)
    return torch.nn.Embedding(vocab_size, dim), torch.nn.Embedding(context_length, dim)


def test_the_books_setup_has_the_books_shapes_and_sums() -> None:
    session = EmbeddingSession(LayerSpec(50257, 256), context_length=4)
    batch = [[40, 367, 2885, 1464], [1807, 3619, 402, 271], [10899, 2138, 257, 7026], [15632, 438, 2016, 257],
             [922, 5891, 1576, 438], [568, 340, 373, 645], [1049, 5975, 284, 502], [284, 3285, 326, 11]]
    lookup = session.lookup(parse_ids(str(batch)))
    assert (lookup.steps.token_shape, lookup.steps.pos_shape, lookup.shape) == ((8, 4, 256), (4, 256), (8, 4, 256))
    token_layer, pos_layer = book_layers(50257, 256, 4)
    token_embeddings, pos_embeddings = token_layer(torch.tensor(batch)), pos_layer(torch.arange(4))
    assert lookup.steps.token_text == repr(token_embeddings) and lookup.steps.pos_text == repr(pos_embeddings)
    assert lookup.text == repr(token_embeddings + pos_embeddings) and lookup.grad_fn == "AddBackward0"
    assert lookup.steps.rows == {t: tuple(row * 4 + t for row in range(8)) for t in range(4)}  # each position in every row


@settings(max_examples=25, deadline=None)
@given(
    batch=st.integers(1, 4),
    length=st.integers(1, 5),
    extra=st.integers(0, 3),
    loss=st.sampled_from(["sum", "sqmean"]),
    data=st.data(),
)
def test_backward_gives_both_layers_torchs_gradients(batch: int, length: int, extra: int, loss: str, data) -> None:
    ids = data.draw(st.lists(st.lists(st.integers(0, 5), min_size=length, max_size=length), min_size=batch, max_size=batch))
    session = EmbeddingSession(LayerSpec(), context_length=length + extra)
    report = session.backward(parse_ids(str(ids)), loss)
    token_layer, pos_layer = book_layers(context_length=length + extra)
    result = token_layer(torch.tensor(ids)) + pos_layer(torch.arange(length))
    (result.sum() if loss == "sum" else (result**2).mean()).backward()
    assert torch.equal(session.layer.weight.grad, token_layer.weight.grad)
    assert torch.equal(session.positions.layer.weight.grad, pos_layer.weight.grad)
    assert report.rows == tuple(sorted({token_id for row in ids for token_id in row}))
    assert session.positions.grad.rows == tuple(range(length))  # positions 0..T-1, never past them
    if loss == "sum":  # every row of the batch adds its 1 to each position's gradient
        assert torch.equal(pos_layer.weight.grad[:length], torch.full((length, 3), float(batch)))


def test_a_step_moves_both_layers_and_undo_and_reset_bring_both_back() -> None:
    session = EmbeddingSession(LayerSpec(), context_length=4)
    token_first, pos_first = session.layer.weight.detach().clone(), session.positions.layer.weight.detach().clone()
    ids = parse_ids("[[2, 3], [5, 1]]")
    session.backward(ids)
    report = session.step(0.1)
    token_layer, pos_layer = book_layers()
    (token_layer(torch.tensor([[2, 3], [5, 1]])) + pos_layer(torch.arange(2))).sum().backward()
    torch.optim.SGD([token_layer.weight, pos_layer.weight], lr=0.1).step()
    assert torch.equal(session.layer.weight, token_layer.weight) and torch.equal(session.positions.layer.weight, pos_layer.weight)
    assert report.rows == (1, 2, 3, 5) and report.positions == (0, 1)
    session.backward(parse_ids("0, 1, 2"))
    session.step(0.5)
    session.undo()
    assert torch.equal(session.layer.weight, token_layer.weight) and torch.equal(session.positions.layer.weight, pos_layer.weight)
    session.reset()
    assert torch.equal(session.layer.weight.detach(), token_first) and torch.equal(session.positions.layer.weight.detach(), pos_first)
    assert session.grad is None and session.positions.grad is None and session.positions.layer.weight.grad is None


def test_zero_grad_drops_both_gradients() -> None:
    session = EmbeddingSession(LayerSpec(), context_length=2)
    assert not session.zero_grad()
    session.backward(parse_ids("1, 2"))
    assert session.zero_grad()
    assert session.layer.weight.grad is None and session.positions.layer.weight.grad is None and session.positions.grad is None


def test_an_input_longer_than_the_context_names_the_first_position_without_a_row() -> None:
    session = EmbeddingSession(LayerSpec(), context_length=2)
    with pytest.raises(IdError) as raised:
        session.check_range(parse_ids("[[1, 2, 3], [4, 5, 0]]"))
    assert raised.value.column == 9  # the first row's third ID: position 2
    assert raised.value.message.params["torch_error"] == "IndexError: index out of range in self"
    session.check_range(parse_ids("[[1, 2], [4, 5]]"))  # two positions fit


def test_freezing_freezes_both_layers_and_a_files_are_frozen_as_from_pretrained_makes_them(minilm) -> None:
    session = EmbeddingSession(LayerSpec(), context_length=3)
    session.set_frozen(True)
    assert not session.positions.layer.weight.requires_grad
    weights = open_weights(minilm / "model.safetensors")
    from_file = EmbeddingSession(LayerSpec.of_file(weights), weights, context_length=3)
    assert from_file.frozen and not from_file.positions.layer.weight.requires_grad
    torch.manual_seed(LayerSpec.of_file(weights).seed)  # a file's positional layer: the seed, then the layer
    assert torch.equal(from_file.positions.layer.weight.detach(), torch.nn.Embedding(3, 384).weight.detach())


def test_the_explorer_shows_the_positional_matrix_with_its_places_and_marks() -> None:
    explorer = Explorer(Setup.of(ids="[[2, 3], [5, 1]]", context_length=4))
    explorer.settle(explorer.start())
    view = explorer.switch_matrix()
    assert view.matrix.rows is explorer.session.positions.rows and view.matrix.tokens is None
    assert dict(view.matrix.positions) == {0: (0, 2), 1: (1, 3)} and view.matrix.row_length == 2
    assert view.matrix.title.startswith("pos_embedding_layer.weight · Parameter · (4, 3)")
    assert view.flags[1][0] == "pos_embedding_layer.weight"
    view = explorer.settle(explorer.backward())
    assert "positions 0, 1 received gradient, from each of the 2 rows of the batch (row 0 starts tensor([2., 2., 2.]))" in view.status.text
    assert view.matrix.prefixes == {0: "∇", 1: "∇"} and view.matrix.rows is explorer.session.positions.grad_rows
    assert view.result.text == repr(explorer.session.positions.layer.weight.grad)
    view = explorer.settle(explorer.step())
    assert view.matrix.prefixes == {0: "Δ", 1: "Δ"} and "In pos_embedding_layer, rows 0, 1 changed too." in view.status.text
    view = explorer.switch_matrix()
    assert view.matrix.rows is explorer.session.rows and view.matrix.prefixes == {1: "Δ", 2: "Δ", 3: "Δ", 5: "Δ"}


def test_the_result_is_the_three_steps_and_follows_the_id_in_the_sum() -> None:
    explorer = Explorer(Setup.of(ids="2, 3, 5", context_length=4))
    explorer.settle(explorer.start())
    view = explorer.edit("2, 3, 5", 1)  # the cursor on the first ID
    lines = view.result.text.splitlines()
    assert lines[0] == "token_embeddings = layer(input_ids)                    # [3, 3]"
    assert lines[5] == "pos_embeddings = pos_embedding_layer(torch.arange(3))  # [3, 3]"
    assert lines[10] == "input_embeddings = token_embeddings + pos_embeddings   # [3, 3]"
    token_layer, pos_layer = book_layers()
    input_embeddings = token_layer(torch.tensor([2, 3, 5])) + pos_layer(torch.arange(3))
    assert view.result.follow == 11 and "\n".join(lines[11:]) == repr(input_embeddings)  # line 11 is ID 0's row
    assert view.status.text == "[3, 3] + [3, 3] → [3, 3]: row t gets position t's row. ^L l: pos_embedding_layer."


def test_too_long_an_input_keeps_the_last_good_result() -> None:
    explorer = Explorer(Setup.of(ids="1, 2", context_length=2))
    explorer.settle(explorer.start())
    kept = explorer.lookup
    view = explorer.edit("1, 2, 3", 7)
    assert explorer.lookup is kept and view.result.stale and view.status.error
    assert view.status.text.startswith("The input has 3 positions and the context length is 2: position 2 has no row")


def test_without_positions_the_switch_says_how_to_get_them() -> None:
    explorer = Explorer(Setup.of(ids="1"))
    explorer.settle(explorer.start())
    view = explorer.switch_matrix()
    assert view.status.error and "--context-length N" in view.status.text and not explorer.positions_shown


def test_a_rebuild_keeps_the_positional_layer() -> None:
    explorer = Explorer(Setup.of(ids="1, 2", context_length=3))
    explorer.settle(explorer.start())
    explorer.settle(explorer.apply_training(TrainingChoice("sum", 0.1, LayerOptions(sparse=True))))
    assert explorer.session.positions.context_length == 3 and explorer.lookup.steps is not None


def test_a_context_length_below_one_is_refused() -> None:
    from tui.core.texts.messages import MessageError

    with pytest.raises(MessageError) as raised:
        Setup.of(context_length=0)
    assert raised.value.message.key == "positions.context_length"


def test_a_result_with_as_many_lines_as_ids_by_chance_is_not_followed_line_by_line() -> None:
    session = EmbeddingSession(LayerSpec(50, 200), no_grad=True)  # no grad_fn line
    seven = session.lookup(parse_ids("1, 2, 3, 4, 5, 6, 7"))  # summarised: 3 rows, `...`, 3 rows = 7 lines
    assert seven.text.count("\n") + 1 == 7 and not seven.one_line_per_id
    six = session.lookup(parse_ids("1, 2, 3, 4, 5, 6"))  # the columns summarised, every row on its line
    assert six.text.count("\n") + 1 == 6 and six.one_line_per_id
    small = EmbeddingSession(LayerSpec(50, 3), no_grad=True)
    assert small.lookup(parse_ids("1, 2, 3, 4, 5, 6, 7")).one_line_per_id
    batch = small.lookup(parse_ids("[[1, 2, 3]]"))  # (1, 3, 3): three lines, three IDs
    assert batch.text.count("\n") + 1 == 3 and not batch.one_line_per_id


def test_backward_on_a_flat_input_names_the_positions_without_a_batch() -> None:
    explorer = Explorer(Setup.of(ids="2, 3, 5", context_length=4))
    explorer.settle(explorer.start())
    text = explorer.settle(explorer.backward()).status.text
    assert text.endswith("pos_embedding_layer: positions 0, 1, 2 received gradient (row 0 starts tensor([1., 1., 1.])).")
