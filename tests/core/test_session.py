"""The embedding session against torch itself: the book's matrix, lookups, flags and toggles."""

import pytest
import torch

from tui.core.chapter.session import EmbeddingSession
from tui.core.chapter.spec import LayerOptions, LayerSpec
from tui.core.tokens.parse import IdRangeError, parse_ids

BOOK_WEIGHT = [
    [0.3374, -0.1778, -0.1690],
    [0.9178, 1.5810, 1.3010],
    [1.2753, -0.2010, -0.1606],
    [-0.4015, 0.9666, -1.1481],
    [-1.1589, 0.3255, -0.6315],
    [-2.8400, -0.7849, -1.4096],
]


@pytest.fixture
def session() -> EmbeddingSession:
    return EmbeddingSession(LayerSpec())


def test_default_layer_is_the_books_matrix(session: EmbeddingSession) -> None:
    assert torch.allclose(session.layer.weight.detach(), torch.tensor(BOOK_WEIGHT), atol=5e-5)
    assert session.weight_text() == (
        "Parameter containing:\n"
        "tensor([[ 0.3374, -0.1778, -0.1690],\n"
        "        [ 0.9178,  1.5810,  1.3010],\n"
        "        [ 1.2753, -0.2010, -0.1606],\n"
        "        [-0.4015,  0.9666, -1.1481],\n"
        "        [-1.1589,  0.3255, -0.6315],\n"
        "        [-2.8400, -0.7849, -1.4096]], requires_grad=True)"
    )


def test_lookup_equals_torch_and_the_weight_rows(session: EmbeddingSession) -> None:
    lookup = session.lookup(parse_ids("2, 3, 5, 1"))
    torch.manual_seed(123)
    layer = torch.nn.Embedding(6, 3)
    assert lookup.text == repr(layer(torch.tensor([2, 3, 5, 1])))
    assert lookup.text.endswith("grad_fn=<EmbeddingBackward0>)")
    assert lookup.shape == (4, 3)
    assert (lookup.requires_grad, lookup.grad_fn, lookup.is_leaf) == (True, "EmbeddingBackward0", False)
    for position, row in enumerate((2, 3, 5, 1)):
        assert session.rows.row(row, 0, 3).tolist() == layer.weight[row].tolist()
        assert lookup.positions[row] == (position,)


def test_repeated_ids_record_every_position(session: EmbeddingSession) -> None:
    lookup = session.lookup(parse_ids("3, 1, 3, 3"))
    assert lookup.positions == {3: (0, 2, 3), 1: (1,)}


def test_empty_lookup_is_what_torch_gives(session: EmbeddingSession) -> None:
    lookup = session.lookup(parse_ids(""))
    assert lookup.text == "tensor([], size=(0, 3), grad_fn=<EmbeddingBackward0>)"
    assert lookup.shape == (0, 3)


@pytest.mark.parametrize("text, key, token_id, position", [("2, 7", "range.too_big", 7, 1), ("-1", "range.negative", -1, 0)])
def test_out_of_range_names_id_position_range_and_torchs_error(
    session: EmbeddingSession, text: str, key: str, token_id: int, position: int
) -> None:
    with pytest.raises(IdRangeError) as caught:
        session.lookup(parse_ids(text))
    message = str(caught.value)
    assert caught.value.message.key == key
    assert f"ID {token_id} at position {position}" in message
    assert "0..5" in message
    assert "IndexError: index out of range in self" in message


def test_a_batch_looks_up_as_torch_does(session: EmbeddingSession) -> None:
    lookup = session.lookup(parse_ids("[[2, 3], [5, 1]]"))
    expected = session.layer(torch.tensor([[2, 3], [5, 1]]))
    assert lookup.shape == (2, 2, 3) and lookup.text == repr(expected)
    assert lookup.positions == {2: (0,), 3: (1,), 5: (2,), 1: (3,)}


def test_quoting_torchs_error_never_renorms_a_row_in_place() -> None:
    session = EmbeddingSession(LayerSpec(6, 3, options=LayerOptions(max_norm=1.0)))
    before = session.layer.weight.detach().clone()
    with pytest.raises(IdRangeError) as caught:
        session.lookup(parse_ids("-2"))  # max_norm's renorm takes -2 as row 4, before the lookup fails
    assert "IndexError: index out of range in self" in str(caught.value)
    assert torch.equal(session.layer.weight.detach(), before) and session.history == []


def test_ids_beyond_int64_quote_torchs_own_error(session: EmbeddingSession) -> None:
    with pytest.raises(IdRangeError) as caught:
        session.lookup(parse_ids(str(2**70)))
    assert "Overflow" in str(caught.value)


def test_freeze_and_no_grad_change_the_flags_truthfully(session: EmbeddingSession) -> None:
    ids = parse_ids("2, 3")
    session.set_frozen(True)
    frozen = session.lookup(ids)
    assert "grad_fn" not in frozen.text
    assert (frozen.requires_grad, frozen.grad_fn, frozen.is_leaf) == (False, None, True)
    assert frozen.weight.requires_grad is False
    session.set_frozen(False)
    session.no_grad = True
    quiet = session.lookup(ids)
    assert (quiet.requires_grad, quiet.grad_fn, quiet.no_grad) == (False, None, True)
    assert quiet.weight.requires_grad is True
    assert quiet.text == repr(session.layer.weight.detach()[[2, 3]])


@pytest.mark.parametrize("dtype", ["float64", "float16", "bfloat16"])
def test_other_dtypes_print_as_torch_prints_them(dtype: str) -> None:
    session = EmbeddingSession(LayerSpec(dtype=dtype))
    lookup = session.lookup(parse_ids("3"))
    assert f"dtype=torch.{dtype}" in lookup.text
    expected = session.layer.weight.detach()[3].float().tolist()
    assert session.rows.row(3, 0, 3).tolist() == pytest.approx(expected)


def test_weight_flags(session: EmbeddingSession) -> None:
    flags = dict(session.weight_flags().flags())
    assert flags == {"Parameter": True, "shape": (6, 3), "requires_grad": True, "is_leaf": True, "grad": "None"}


def test_the_positional_layer_is_what_a_script_making_it_next_gets_and_leaves_torchs_random_state() -> None:
    session = EmbeddingSession(LayerSpec(6, 3))
    torch.manual_seed(7)
    state = torch.get_rng_state()
    positional = session.positional_layer(4)
    assert torch.equal(torch.get_rng_state(), state)
    torch.manual_seed(123)
    torch.nn.Embedding(6, 3)
    assert torch.equal(positional.weight, torch.nn.Embedding(4, 3).weight)
    assert torch.equal(session.positional_layer(4).weight, positional.weight)  # the same every time
