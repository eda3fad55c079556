"""A terminal whose encoding lacks the app's characters gets ASCII look-alikes of the same width."""

import io

from tui.look_alikes import look_alike, use_look_alikes


def test_each_character_has_a_look_alike_as_wide_as_itself() -> None:
    assert [look_alike(char) for char in "█▶✗…·─│╭▔▁▊⠋áñ"] == list("#>x..-|+-_|*an")
    assert look_alike("日") == "??"  # two cells, as the frame counted them


def test_an_ascii_stream_gets_look_alikes_and_a_utf8_one_is_left_alone() -> None:
    ascii_stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    assert use_look_alikes(ascii_stream)
    ascii_stream.write("█layer.weight · (6, 3)\n▶  2 @0 ✗ …\nrows ≠ 0 — año")
    ascii_stream.flush()
    assert ascii_stream.buffer.getvalue() == b"#layer.weight . (6, 3)\n>  2 @0 x .\nrows # 0 - ano"
    assert not use_look_alikes(io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
