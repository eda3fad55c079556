"""Text from users and files is shown escaped wherever it could act on the terminal or reorder a line."""

import sys
import unicodedata

from tui.core.texts.shown import printable, single_line, visible

HIDDEN = ("Cc", "Cf", "Zl", "Zp")


def test_control_characters_become_visible_escapes() -> None:
    assert printable("a\x1b[31mb\x07\x9b") == "a\\x1b[31mb\\x07\\x9b"
    assert printable("[bold]ok[/]") == "[bold]ok[/]"


def test_bidi_zero_width_and_format_characters_become_escapes() -> None:
    assert printable("abc\u202edcba") == "abc\\u202edcba"  # a right-to-left override would reverse the rest
    assert printable("a\u200db\xadc\u2066d\ufeff") == "a\\u200db\\xadc\\u2066d\\ufeff"
    assert printable("tag\U000e0041") == "tag\\U000e0041"
    assert visible(" \u202eevil") == "␣\\u202eevil"  # tokens too: the matrix, the picker, lookup's tokens line


def test_every_hidden_character_of_this_pythons_unicode_is_escaped_and_nothing_else() -> None:
    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    hidden = {char for char in everything if unicodedata.category(char) in HIDDEN}
    dropped = set(everything) - set(single_line(everything)) | set("\t\n\r")  # those three become spaces
    assert hidden <= dropped  # every hidden character of this Python's Unicode database is caught
    assert {unicodedata.category(char) for char in dropped - hidden} <= {"Cn"}  # the rest: not assigned yet here
    assert all(printable(char) != char for char in dropped)  # and shown escaped, where single_line drops it


def test_pasted_lines_become_one_line() -> None:
    assert single_line("2\n3\r\n5\t1\x1b") == "2 3  5 1"
    assert single_line("2, \u202e3") == "2, 3"
