"""Backward, SGD steps and the layer options, against torch computed independently."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.depth import examples
from tui.core.chapter.history import Backward, Forward, ZeroGrad
from tui.core.chapter.session import EmbeddingSession, TrainingError
from tui.core.chapter.spec import LayerOptions, LayerSpec, SpecError, option_field
from tui.core.tokens.parse import ParsedIds, parse_ids

BOOK_IDS = parse_ids("2, 3, 5, 1, 3")


def seeded(**options: object) -> EmbeddingSession:
    return EmbeddingSession(LayerSpec(options=LayerOptions(**options)))



def test_sum_backward_reaches_only_the_looked_up_rows_and_repeats_add_up(book_layer) -> None:
    session = seeded()
    report = session.backward(BOOK_IDS, "sum")
    grad = session.layer.weight.grad
    assert grad[3].tolist() == [2.0, 2.0, 2.0]  # looked up twice
    for row in (1, 2, 5):
        assert grad[row].tolist() == [1.0, 1.0, 1.0]
    for row in (0, 4):
        assert grad[row].tolist() == [0.0, 0.0, 0.0]
    assert report.rows == (1, 2, 3, 5) and report.zero_rows == 2
    assert report.text == repr(grad)
    assert report.loss == repr(book_layer()(torch.tensor(BOOK_IDS.ids)).sum().detach())


def test_sqmean_backward_equals_torch_computed_independently(book_layer) -> None:
    session = seeded()
    session.backward(BOOK_IDS, "sqmean")
    layer = book_layer()
    result = layer(torch.tensor(BOOK_IDS.ids))
    (result**2).mean().backward()
    assert torch.equal(session.layer.weight.grad, layer.weight.grad)
    # d/dw of mean(w²) over 5×3 values: 2w/15 per look-up, twice for row 3
    expected_row3 = 2 * 2 * layer.weight.detach()[3] / 15
    assert torch.allclose(session.layer.weight.grad[3], expected_row3)


def test_gradients_accumulate_until_zero_grad() -> None:
    session = seeded()
    session.backward(BOOK_IDS)
    session.backward(BOOK_IDS)
    assert session.layer.weight.grad[3].tolist() == [4.0, 4.0, 4.0]
    assert session.zero_grad() is True
    assert session.layer.weight.grad is None
    assert session.zero_grad() is False  # nothing left to drop: not recorded
    assert session.history == [Backward(BOOK_IDS.ids, "sum"), Backward(BOOK_IDS.ids, "sum"), ZeroGrad()]


def test_frozen_weight_and_no_grad_give_torchs_error_and_record_nothing() -> None:
    session = seeded()
    session.set_frozen(True)
    with pytest.raises(TrainingError) as frozen:
        session.backward(BOOK_IDS)
    assert frozen.value.message.key == "train.frozen"
    assert "element 0 of tensors does not require grad and does not have a grad_fn" in frozen.value.message.english()
    session.set_frozen(False)
    session.no_grad = True
    with pytest.raises(TrainingError) as no_grad:
        session.backward(BOOK_IDS)
    assert no_grad.value.message.key == "train.no_graph"
    assert session.layer.weight.grad is None and session.history == []


def test_sgd_step_changes_only_the_looked_up_rows(book_layer) -> None:
    session = seeded()
    before = session.layer.weight.detach().clone()
    session.backward(BOOK_IDS)
    report = session.step(0.1)
    after = session.layer.weight.detach()
    assert report.rows == (1, 2, 3, 5)
    assert torch.equal(after[[0, 4]], before[[0, 4]])
    layer = book_layer()
    layer(torch.tensor(BOOK_IDS.ids)).sum().backward()
    torch.optim.SGD(layer.parameters(), lr=0.1).step()
    assert torch.equal(after, layer.weight.detach())
    assert report.before == repr(before[[1, 2, 3, 5]]) and report.after == repr(after[[1, 2, 3, 5]])


def test_step_without_gradient_and_bad_learning_rates_are_refused() -> None:
    session = seeded()
    with pytest.raises(TrainingError) as no_grad:
        session.step(0.1)
    assert no_grad.value.message.key == "train.no_grad_yet"
    session.backward(BOOK_IDS)
    for lr in (-0.1, float("nan"), float("inf")):
        with pytest.raises(SpecError) as bad:
            session.step(lr)
        assert bad.value.message.key == "train.lr"
    with pytest.raises(SpecError) as overflow:  # torch itself would stop with "overflow" mid-step
        session.step(1e308)
    assert overflow.value.message.english() == (
        "lr=1e+308 is more than a float32 weight can hold (at most 3.4028234663852886e+38): "
        "the step multiplies the gradient by it."
    )
    assert session.history == [Backward(BOOK_IDS.ids, "sum")]


def test_undo_restores_weight_and_grad_exactly() -> None:
    session = seeded()
    session.backward(BOOK_IDS, "sqmean")
    weight, grad = session.layer.weight.detach().clone(), session.layer.weight.grad.clone()
    session.step(0.5)
    session.backward(parse_ids("0, 4"), "sqmean")  # after the step: undone with it
    session.undo()
    assert torch.equal(session.layer.weight.detach(), weight)
    assert torch.equal(session.layer.weight.grad, grad)
    assert session.history == [Backward(BOOK_IDS.ids, "sqmean")]
    with pytest.raises(TrainingError) as nothing:
        session.undo()
    assert nothing.value.message.key == "train.nothing_to_undo"


def test_undo_of_one_of_several_steps_and_reset() -> None:
    session = seeded()
    original = session.layer.weight.detach().clone()
    session.backward(BOOK_IDS)
    session.step(0.1)
    after_one = session.layer.weight.detach().clone()
    session.step(0.2)
    session.undo()
    assert torch.equal(session.layer.weight.detach(), after_one) and session.steps == 1
    session.set_frozen(True)
    session.reset()
    assert torch.equal(session.layer.weight.detach(), original)
    assert session.layer.weight.grad is None and session.history == [] and session.frozen


def test_padding_row_starts_at_zero_and_never_receives_gradient(book_layer) -> None:
    session = seeded(padding_idx=3)
    assert session.layer.weight[3].tolist() == [0.0, 0.0, 0.0]
    report = session.backward(BOOK_IDS)
    assert session.layer.weight.grad[3].tolist() == [0.0, 0.0, 0.0]
    assert report.rows == (1, 2, 5)
    assert torch.equal(session.layer.weight.detach(), book_layer(padding_idx=3).weight.detach())


def test_max_norm_renormalises_the_looked_up_rows_in_place() -> None:
    session = seeded(max_norm=1.0)
    before = session.layer.weight.detach().clone()
    lookup = session.lookup(parse_ids("0, 1, 5"))
    after = session.layer.weight.detach()
    norms = before.norm(dim=1)
    assert lookup.renormed == (1, 5)  # row 0's norm is below 1: left alone
    assert norms[0] < 1 < min(norms[1], norms[5])
    assert torch.equal(after[0], before[0]) and torch.equal(after[2:5], before[2:5])
    assert after[[1, 5]].norm(dim=1).tolist() == pytest.approx([1.0, 1.0], abs=1e-6)
    assert session.history == [Forward((0, 1, 5))]
    session.reset()
    assert torch.equal(session.layer.weight.detach(), before)


def test_scale_grad_by_freq_divides_a_repeated_ids_gradient_by_its_count() -> None:
    session = seeded(scale_grad_by_freq=True)
    session.backward(BOOK_IDS)
    grad = session.layer.weight.grad
    assert grad[3].tolist() == [1.0, 1.0, 1.0]  # 2 look-ups, divided by 2
    assert grad[2].tolist() == [1.0, 1.0, 1.0]


def test_sparse_gradient_prints_as_torch_and_the_step_still_works(book_layer) -> None:
    session = seeded(sparse=True)
    report = session.backward(BOOK_IDS)
    grad = session.layer.weight.grad
    assert grad.is_sparse
    assert report.text.startswith("tensor(indices=tensor([[2, 3, 5, 1, 3]]),")
    assert report.rows == (1, 2, 3, 5)
    assert session.weight_flags().grad == "(6, 3) sparse"
    rows = session.grad_rows
    assert rows.row(3, 0, 3).tolist() == [2.0, 2.0, 2.0] and rows.row(0, 0, 3).tolist() == [0.0, 0.0, 0.0]
    report = session.step(0.1)
    assert report.rows == (1, 2, 3, 5)
    dense = book_layer()
    dense(torch.tensor(BOOK_IDS.ids)).sum().backward()
    torch.optim.SGD(dense.parameters(), lr=0.1).step()
    # the same rows move the same way (row 3's two entries are subtracted one at a time: not bit-equal)
    assert torch.allclose(session.layer.weight.detach(), dense.weight.detach())


def test_a_backward_torch_does_not_support_quotes_torch() -> None:
    session = seeded(sparse=True, scale_grad_by_freq=True)
    with pytest.raises(TrainingError) as refused:
        session.backward(BOOK_IDS)
    assert refused.value.message.key == "train.torch_refused"
    assert "scale_grad_by_freq not supported with sparse gradients" in refused.value.message.english()
    assert session.history == [] and session.grad is None


def test_dense_grad_rows_share_the_gradient() -> None:
    session = seeded()
    assert session.grad_rows is None
    session.backward(BOOK_IDS)
    assert session.grad_rows.row(3, 1, 3).tolist() == [2.0, 2.0]


@pytest.mark.parametrize(
    "options",
    [dict(padding_idx=-7), dict(padding_idx=6), dict(max_norm=0.0), dict(max_norm=float("nan"))],
)
def test_options_torch_would_refuse_are_ours_to_say(options: dict) -> None:
    with pytest.raises(SpecError):
        seeded(**options)


def test_negative_padding_idx_counts_from_the_end_as_in_torch() -> None:
    session = seeded(padding_idx=-1)
    assert session.layer.padding_idx == 5 and session.layer.weight[5].tolist() == [0.0, 0.0, 0.0]


@given(
    st.lists(st.tuples(st.lists(st.integers(0, 19), max_size=8), st.sampled_from(["sum", "sqmean", "step", "zero_grad", "undo"])), max_size=6),
    st.sampled_from([None, 0, 7]),
)
@settings(max_examples=examples(60), deadline=None)
def test_rows_with_gradient_are_those_a_full_scan_finds(actions: list, padding_idx: int | None) -> None:
    """The report reads a dense gradient only at the rows backward() reached; a full scan agrees."""
    session = EmbeddingSession(LayerSpec(20, 4, options=LayerOptions(padding_idx=padding_idx)))
    for ids, action in actions:
        if action in ("sum", "sqmean"):
            session.backward(ParsedIds(tuple(ids), tuple((i, i + 1) for i in range(len(ids)))), action)
        elif action == "step" and session.grad is not None:
            session.step(0.1)
        elif action == "zero_grad":
            session.zero_grad()
        elif action == "undo" and session.steps:
            session.undo()
    report = session.grad
    if report is None:
        assert session.layer.weight.grad is None
    else:
        full_scan = session.layer.weight.grad.ne(0).any(dim=1).nonzero().flatten().tolist()
        assert list(report.rows) == full_scan


def state(session: EmbeddingSession) -> tuple[torch.Tensor, torch.Tensor | None]:
    grad = session.layer.weight.grad
    return session.layer.weight.detach().clone(), None if grad is None else grad.clone().to_dense()


def same(a: tuple[torch.Tensor, torch.Tensor | None], b: tuple[torch.Tensor, torch.Tensor | None]) -> bool:
    return torch.equal(a[0], b[0]) and (a[1] is None) == (b[1] is None) and (a[1] is None or torch.equal(a[1], b[1]))


ACTION = st.one_of(
    st.tuples(st.just("lookup"), st.lists(st.integers(0, 9), max_size=6)),
    st.tuples(st.just("backward"), st.lists(st.integers(0, 9), max_size=6), st.sampled_from(["sum", "sqmean"])),
    st.tuples(st.just("step"), st.sampled_from([0.0, 0.1, 0.5, 3.0])),
    st.tuples(st.just("zero_grad")),
)


@given(
    st.lists(ACTION, min_size=1, max_size=10),
    st.sampled_from([None, 2]),
    st.sampled_from([None, 0.5, 1.0]),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["float32", "bfloat16"]),
)
@settings(max_examples=examples(80), deadline=None)
def test_undo_and_reset_restore_exactly_whatever_was_done(
    actions: list, padding_idx: int | None, max_norm: float | None, scale: bool, sparse: bool, dtype: str
) -> None:
    """Undo replays the history up to the last step; reset restores the first values: bit for bit, with
    max_norm changing the weight on lookups, sparse gradients and padding rows alike."""
    options = LayerOptions(padding_idx, max_norm, scale, sparse)
    session = EmbeddingSession(LayerSpec(10, 3, dtype=dtype, options=options))
    original = state(session)
    before_last_step = None
    for name, *args in actions:
        parsed = ParsedIds(tuple(args[0]), tuple((i, i + 1) for i in range(len(args[0])))) if args and isinstance(args[0], list) else None
        if name == "lookup":
            session.lookup(parsed)
        elif name == "backward":
            try:
                session.backward(parsed, args[1])
            except TrainingError as refused:  # torch's own limits (sparse with scale_grad_by_freq, sparse bfloat16 sums)
                assert refused.message.key == "train.torch_refused"
        elif name == "step" and session.grad is not None:
            before_last_step = state(session)
            session.step(args[0])
        elif name == "zero_grad":
            session.zero_grad()
    if before_last_step is not None:
        session.undo()
        assert same(state(session), before_last_step)
    session.reset()
    assert same(state(session), original) and session.history == []


def test_a_float64_weight_takes_a_learning_rate_float32_cannot_hold() -> None:
    session = EmbeddingSession(LayerSpec(dtype="float64"))
    session.backward(BOOK_IDS)
    assert session.step(1e300).rows == (1, 2, 3, 5)
    assert option_field("lr", "1e300", LayerSpec(dtype="float64")) == 1e300
    with pytest.raises(SpecError):
        option_field("lr", "1e300", LayerSpec())
