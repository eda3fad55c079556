"""Section 2.6: the book's sliding windows and a real DataLoader, against an independent implementation."""

from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.chapter.windows import WindowsError, WindowSettings, dataset, loader, read_text
from tui.core.explorer import windows_page
from tui.core.explorer.presenter import renderer
from tui.core.texts.messages import MessageError
from tui.core.tokens.tokenizer import gpt2


def by_hand(ids: list[int], max_length: int, stride: int, batch_size: int) -> list[tuple[list, list]]:
    """The windows written out again, then grouped in batches with the last partial one dropped."""
    windows = [(ids[i : i + max_length], ids[i + 1 : i + max_length + 1]) for i in range(0, len(ids) - max_length, stride)]
    full = len(windows) // batch_size * batch_size
    return [
        ([w[0] for w in windows[start : start + batch_size]], [w[1] for w in windows[start : start + batch_size]])
        for start in range(0, full, batch_size)
    ]


@settings(max_examples=150, deadline=None)
@given(
    ids=st.lists(st.integers(0, 50256), min_size=2, max_size=120),
    max_length=st.integers(1, 12),
    stride=st.integers(1, 12),
    batch_size=st.integers(1, 9),
)
def test_the_loader_gives_the_books_windows_in_order_and_drops_the_last_partial_batch(
    ids: list[int], max_length: int, stride: int, batch_size: int
) -> None:
    chosen = WindowSettings(max_length, stride, batch_size)
    if len(ids) < max_length + 1 or not by_hand(ids, max_length, stride, batch_size):  # no window, or no batch
        with pytest.raises(MessageError):
            dataset(torch.tensor(ids), chosen)
        return
    batches = [(inputs.tolist(), targets.tolist()) for inputs, targets in loader(dataset(torch.tensor(ids), chosen), chosen)]
    assert batches == by_hand(ids, max_length, stride, batch_size)


def test_a_shuffle_is_the_same_windows_in_another_order_the_same_for_the_same_seed() -> None:
    ids = list(range(200))
    chosen = WindowSettings(4, 2, 4, shuffle=True, seed=7)
    tensor = torch.tensor(ids)
    first = [inputs for inputs, _ in loader(dataset(tensor, chosen), chosen)]
    again = [inputs for inputs, _ in loader(dataset(tensor, chosen), chosen)]
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    rows = [tuple(row) for batch in first for row in batch.tolist()]
    every = [tuple(ids[i : i + 4]) for i in range(0, len(ids) - 4, 2)]  # 98 windows: 24 batches, 2 dropped
    assert len(rows) == 96 == len(set(rows)) and set(rows) <= set(every) and rows != every[:96]


@pytest.mark.parametrize("name, value", [("max_length", 0), ("stride", 0), ("batch_size", -1)])
def test_settings_below_one_are_refused_naming_the_option(name: str, value: int) -> None:
    with pytest.raises(WindowsError) as caught:
        WindowSettings(**{name: value}).check()
    assert str(caught.value) == f"--{name.replace('_', '-')} must be a whole number ≥ 1 (got {value})."


def test_texts_that_give_no_windows_are_refused(tmp_path: Path) -> None:
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "blank.txt").write_text("  \n", encoding="utf-8")
    for name, words in (("latin1.txt", "is not UTF-8 text (byte 3"), ("blank.txt", "holds no text"), ("gone.txt", "no such file")):
        with pytest.raises(WindowsError) as caught:
            read_text(tmp_path / name)
        assert words in str(caught.value)
    with pytest.raises(WindowsError) as caught:
        read_text(tmp_path)
    assert "is a folder" in str(caught.value)
    with pytest.raises(MessageError) as caught:
        dataset(torch.tensor([1, 2, 3]), WindowSettings(max_length=4))
    assert str(caught.value) == "The text gives 3 tokens: one window needs 5 (max_length and its target)."


def test_windows_prints_the_pairs_and_a_batch_as_torch_prints_them(cli, tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("The cat sat on the mat, and the dog sat on the log. " * 6, encoding="utf-8")
    done = cli("windows", "--text-file", str(story), "--max-length", "4", "--stride", "4", "--batch-size", "2", "--batch", "1")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith(": 91 tokens (gpt2) → 22 windows of max_length=4, stride=4 → 11 batches of batch_size=2 (drop_last=True, shuffle=False).")
    ids = gpt2().encode(story.read_text(encoding="utf-8")).ids
    assert f"[{ids[8]}] ----> {ids[9]}" in done.stdout  # batch 1 starts at window 2, token 8
    assert "⟦" in lines[2] and "⟧" in lines[2]
    first = cli("windows", "--text-file", str(story)).stdout
    assert "[464] ----> 3797" in first and "The ----> ␣cat" in first
    assert "batch 1 of 11 (0 … 10):" in done.stdout and "inputs:\ntensor([[" in done.stdout and "targets:\ntensor([[" in done.stdout
    assert "There is no batch 11" in cli("windows", "--text-file", str(story), "--batch-size", "2", "--batch", "11").stderr
    assert "do not fill one batch of 100" in cli("windows", "--text-file", str(story), "--batch-size", "100").stderr
    assert cli("windows", "--text-file", str(story), "--stride", "0").stderr == "embedding-explorer: --stride must be a whole number ≥ 1 (got 0).\n"


def test_the_views_batches_are_the_loaders_batches_shuffled_or_not(tmp_path: Path) -> None:
    from tui.core.chapter.windows import TextWindows

    story = tmp_path / "story.txt"
    story.write_text("The cat sat on the mat, and the dog sat on the log. " * 9, encoding="utf-8")
    for chosen in (WindowSettings(4, 3, 5), WindowSettings(4, 2, 3, shuffle=True, seed=11)):
        cut = TextWindows.cut(str(story), gpt2(), chosen)
        from_loader = list(loader(dataset(cut.tokens.ids, chosen), chosen))
        assert cut.batches == len(from_loader) > 2
        for index, (inputs, targets) in enumerate(from_loader):
            assert torch.equal(cut.batch(index)[0], inputs) and torch.equal(cut.batch(index)[1], targets)


def test_settings_typed_in_the_view_change_only_what_they_name() -> None:
    current = WindowSettings(batch_size=2)
    assert current.changed("stride=1, shuffle=True") == WindowSettings(stride=1, batch_size=2, shuffle=True)
    assert current.changed(current.text()) == current and current.changed("") == current
    for typed, key in (
        ("stride=0", "windows.setting_positive"),
        ("max_length=x", "windows.setting_positive"),
        ("batch_size=-2", "windows.setting_positive"),
        ("strde=1", "windows.setting_unknown"),
        ("4", "windows.setting_unknown"),
        ("shuffle=yes", "windows.setting_shuffle"),
    ):
        with pytest.raises(WindowsError) as raised:
            current.changed(typed)
        assert raised.value.message.key == key, typed


def test_the_copied_loader_prints_the_batch_on_screen(run_scripts, tmp_path: Path, minilm: Path) -> None:
    from tui.core.chapter.windows import TextWindows
    from tui.core.tokens.tokenizer import hugging_face

    story = tmp_path / "story.txt"
    story.write_text("The cat sat on the mat, and the dog sat on the log.\r\nIt was a good day. " * 9, encoding="utf-8")
    cases = [
        (gpt2(), WindowSettings(), 0),  # the book's example of batches
        (gpt2(), WindowSettings(4, 2, 3, shuffle=True, seed=11), 2),
        (hugging_face(minilm / "tokenizer.json"), WindowSettings(6, 1, 4), 1),
    ]
    cuts = [(TextWindows.cut(str(story), tokenizer, chosen), index) for tokenizer, chosen, index in cases]
    printed = run_scripts(*(cut.script(index) for cut, index in cuts))
    for (cut, index), output in zip(cuts, printed, strict=True):
        inputs, targets = cut.batch(index)
        assert output == f"{inputs!r}\n{targets!r}\n"
        page = windows_page.page(cut, index, lambda token_id: None, renderer("en"))
        assert repr(inputs) in page and repr(targets) in page


def test_the_books_simple_tokenizer_has_no_loader_to_copy(tmp_path: Path) -> None:
    from tui.core.chapter.windows import TextWindows
    from tui.core.tokens.tokenizer import simple_v2

    story = tmp_path / "story.txt"
    story.write_text("The cat sat on the mat, and the dog sat on the log. " * 3, encoding="utf-8")
    assert TextWindows.cut(str(story), simple_v2(story), WindowSettings()).script(0) is None


def test_the_page_marks_only_the_text_it_leaves_out_and_says_one_batch_as_one(tmp_path: Path) -> None:
    from tui.core.chapter.windows import TextWindows

    short = tmp_path / "short.txt"
    short.write_text("The cat sat on the mat, and the dog sat on the log.", encoding="utf-8")  # 15 tokens: 3 windows
    cut = TextWindows.cut(str(short), gpt2(), WindowSettings(batch_size=2))
    english, spanish = (windows_page.page(cut, 0, lambda token_id: None, renderer(lang)).splitlines() for lang in ("en", "es"))
    assert english[2] == "⟦The cat sat on⟧ the mat, and the dog sat on the log."  # the whole text: nothing left out
    assert "→ 1 batch of batch_size=2" in english[0] and "batch 0, the only one:" in english
    assert "→ 1 lote de batch_size=2" in spanish[0] and "lote 0, el único:" in spanish
    long = tmp_path / "long.txt"
    long.write_text("The cat sat on the mat, and the dog sat on the log. " * 9, encoding="utf-8")
    cut = TextWindows.cut(str(long), gpt2(), WindowSettings(batch_size=2))
    first, middle = (windows_page.page(cut, index, lambda token_id: None, renderer("en")).splitlines() for index in (0, 5))
    assert first[2].startswith("⟦The cat sat on⟧") and first[2].endswith("…")
    assert middle[2].startswith("…") and middle[2].endswith("…") and "batch 5 of 16 (0 … 15):" in middle
