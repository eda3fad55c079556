"""Greedy wrapping of unbreakable pieces, for the flags and the status bar."""

from rich.style import Style

from tui.widgets.wrap import strip, words, wrap


def texts(lines) -> list[list[str]]:
    return [["".join(text for text, _ in piece) for piece in line] for line in lines]


def test_pieces_fill_a_line_then_continue_indented() -> None:
    lines = wrap(words("aaa bb cccc d", Style()), 7)
    assert texts(lines) == [["aaa", "bb"], ["cccc"], ["d"]]  # "  cccc d" would be 8 cells wide
    assert [strip(line, index == 0, 7, Style()).text for index, line in enumerate(lines)] == [
        "aaa bb ",
        "  cccc ",
        "  d    ",
    ]


def test_a_piece_wider_than_the_line_is_cropped_not_broken() -> None:
    lines = wrap(words("x " + "y" * 20, Style()), 6)
    assert texts(lines) == [["x"], ["y" * 20]]
    assert strip(lines[1], False, 6, Style()).text == "  yyyy"


def test_wide_characters_count_as_two_cells() -> None:
    assert texts(wrap(words("日本 語", Style()), 5)) == [["日本"], ["語"]]
