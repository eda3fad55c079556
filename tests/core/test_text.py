from tui.core.text import printable, single_line


def test_control_characters_become_visible_escapes() -> None:
    assert printable("a\x1b[31mb\x07\x9b") == "a\\x1b[31mb\\x07\\x9b"
    assert printable("[bold]ok[/]") == "[bold]ok[/]"


def test_pasted_lines_become_one_line() -> None:
    assert single_line("2\n3\r\n5\t1\x1b") == "2 3  5 1"
