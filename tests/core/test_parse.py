"""The token-ID parser: every accepted form, every error, and no other exception for any string."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.depth import examples
from tui.core.tokens.parse import IdParseError, append_id, parse_ids


@pytest.mark.parametrize(
    "text",
    ["2, 3, 5, 1", "2 3 5 1", "[2, 3, 5, 1]", "torch.tensor([2, 3, 5, 1])", "  [2,3,5,1]  ", "2, 3, 5, 1,", "tensor([2 3 5 1])"],
)
def test_accepted_forms(text: str) -> None:
    assert parse_ids(text).ids == (2, 3, 5, 1)


@pytest.mark.parametrize("text, ids", [("3", (3,)), ("", ()), ("  ", ()), ("[]", ()), ("torch.tensor([])", ())])
def test_single_and_empty(text: str, ids: tuple[int, ...]) -> None:
    assert parse_ids(text).ids == ids


def test_spans_point_at_the_typed_digits() -> None:
    parsed = parse_ids("[12, 3,  45]")
    assert parsed.spans == ((1, 3), (5, 6), (9, 11))
    assert parsed.index_at(0) == 0
    assert parsed.index_at(6) == 1
    assert parsed.index_at(8) == 1  # between IDs: the one before the cursor
    assert parsed.index_at(12) == 2


def test_negative_ids_parse_so_the_range_check_can_name_them() -> None:
    assert parse_ids("2, -1").ids == (2, -1)


@pytest.mark.parametrize(
    "text, key, column, token",
    [
        ("2.5", "parse.not_integer", 1, "2.5"),
        ("1, 2.5", "parse.not_integer", 4, "2.5"),
        ("abc", "parse.not_a_number", 1, "abc"),
        ("2, x3", "parse.not_a_number", 4, "x3"),
        ("2, ３", "parse.not_a_number", 4, "３"),  # digits are 0-9, as Python writes a list (int() would take it)
        ("٣", "parse.not_a_number", 1, "٣"),
        ("[2, 3", "parse.unclosed", 1, None),
        ("torch.tensor([2]", "parse.unclosed", 13, None),
        ("2, 3]", "parse.unmatched", 5, "]"),
        ("2)", "parse.unmatched", 2, ")"),
        ("2,,3", "parse.empty_item", 3, None),
        (", 2", "parse.leading_comma", 1, None),
        ("[[2, 3], 5]", "parse.nested", 10, None),  # an ID beside the rows of a batch
        ("[2, [3]]", "parse.nested", 5, None),
        ("[[[2]]]", "parse.nested", 3, None),
        ("[[2, 3], [5]]", "parse.ragged", 10, None),
        ("[2] [3]", "parse.nested", 5, None),
        ("[2] 3", "parse.after_close", 5, "3"),
        ("(2)", "parse.unexpected", 1, "("),
        ("torch.tensor", "parse.expected_paren", 13, None),
        ("torch.tensor 2", "parse.unexpected", 14, "2"),
    ],
)
def test_errors_say_what_and_where(text: str, key: str, column: int, token: str | None) -> None:
    with pytest.raises(IdParseError) as caught:
        parse_ids(text)
    assert caught.value.message.key == key
    assert caught.value.column == column
    if token is not None:
        assert caught.value.message.params["token"] == token
        assert token in str(caught.value)
    assert f"column {column}" in str(caught.value)


@pytest.mark.parametrize("text", ["[[2, 3], [5, 1]]", "torch.tensor([[2, 3], [5, 1]])", " [ [2,3] , [5,1] ] ", "tensor([[2, 3], [5, 1]])"])
def test_a_batch_is_rows_of_ids(text: str) -> None:
    parsed = parse_ids(text)
    assert (parsed.ids, parsed.rows, parsed.shape) == ((2, 3, 5, 1), 2, (2, 2))
    assert parse_ids("[[2, 3, 5, 1]]").shape == (1, 4) and parse_ids("[[], []]").shape == (2, 0)
    assert parse_ids("2, 3").shape == (2,) and parse_ids("2, 3").rows is None


def test_a_ragged_batch_names_the_row_and_its_length() -> None:
    with pytest.raises(IdParseError) as caught:
        parse_ids("[[2, 3], [5, 1], [4]]")
    assert str(caught.value).startswith("Row 2 of the batch (column 18) has 1 ID and row 0 has 2")


def test_absurdly_long_numbers_are_refused_not_crashed() -> None:
    with pytest.raises(IdParseError) as caught:
        parse_ids("9" * 5000)
    assert caught.value.message.key == "parse.too_long"


def test_markup_is_just_a_bad_token() -> None:
    with pytest.raises(IdParseError) as caught:
        parse_ids("[bold]")
    assert caught.value.message.params["token"] == "bold"


@settings(max_examples=examples(500), deadline=None)
@given(st.text())
def test_any_string_gives_ids_or_our_error(text: str) -> None:
    try:
        parsed = parse_ids(text)
    except IdParseError as error:
        assert 1 <= error.column <= len(text) + 1
        assert str(error)
    else:
        assert len(parsed.ids) == len(parsed.spans)
        assert all(int(text[start:end]) == value for value, (start, end) in zip(parsed.ids, parsed.spans))


@settings(max_examples=examples(500), deadline=None)
@given(st.text(alphabet="0123456789 ,\t", max_size=40))
def test_plain_lists_parse_as_they_do_inside_brackets(text: str) -> None:
    """Plain digits-and-commas input takes a fast path; it must agree with the general parser."""
    try:
        plain = parse_ids(text)
    except IdParseError as error:
        with pytest.raises(IdParseError) as bracketed:
            parse_ids(f"[{text}]")
        assert bracketed.value.message.key == error.message.key
    else:
        bracketed = parse_ids(f"[{text}]")
        assert bracketed.ids == plain.ids
        assert bracketed.spans == tuple((start + 1, end + 1) for start, end in plain.spans)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.integers(0, 10**6), max_size=20), st.sampled_from(["{}", "[{}]", "torch.tensor([{}])"]), st.sampled_from([", ", " ", ","]))
def test_round_trip_of_written_lists(ids: list[int], form: str, separator: str) -> None:
    assert parse_ids(form.format(separator.join(map(str, ids)))).ids == tuple(ids)


@pytest.mark.parametrize(
    "text, expected",
    [("", "4"), ("2, 3", "2, 3, 4"), ("2,", "2,4"), ("[2, 3]", "[2, 3, 4]"), ("[]", "[4]"), ("torch.tensor([2])", "torch.tensor([2, 4])")],
)
def test_append_id_keeps_the_form(text: str, expected: str) -> None:
    assert append_id(text, 4) == expected
    assert parse_ids(append_id(text, 4)).ids[-1] == 4
