"""Keys faster than anyone types (a paste without bracketed paste): gathered in bursts, none lost."""

import asyncio

from textual import events

from tests.app.conftest import running, until
from tui.app import ExplorerApp
from tui.bursts import Burst, Gatherer
from tui.core.explorer.explorer import MAX_INPUT
from tui.widgets.status_bar import StatusBar
from tui.widgets.textual_internals import send_keys_at_once


def key(name: str, character: str | None = None) -> events.Key:
    return events.Key(name, character if character is not None else name)


def test_printable_keys_in_a_row_go_as_one_burst_and_any_other_key_closes_it() -> None:
    sent: list[object] = []
    gather = Gatherer(sent.append)
    for event in (key("2"), key("comma", ","), key("3"), key("ctrl+q", "\x11"), key("5")):
        gather(event)
    first, quit_key, second = sent
    assert isinstance(first, Burst) and [k.character for k in first.take()] == ["2", ",", "3"]
    assert quit_key.key == "ctrl+q"
    assert isinstance(second, Burst) and [k.character for k in second.take()] == ["5"]


def test_a_key_after_the_app_took_the_burst_starts_the_next_one() -> None:
    sent: list[Burst] = []
    gather = Gatherer(sent.append)
    gather(key("2"))
    assert [k.character for k in sent[0].take()] == ["2"]
    gather(key("3"))
    assert len(sent) == 2 and [k.character for k in sent[1].take()] == ["3"]
    assert [k.character for k in sent[0].take()] == ["2"]  # the first burst ended where the app took it


async def test_a_paste_without_bracketed_paste_is_looked_up_once_per_burst_and_loses_no_key(monkeypatch) -> None:
    app = ExplorerApp(vocab_size=1000, dim=3)
    async with running(app) as pilot:
        lengths: list[int] = []
        edit = app.explorer.edit
        monkeypatch.setattr(app.explorer, "edit", lambda value, cursor: lengths.append(len(value)) or edit(value, cursor))
        text = ", ".join(str(i * 7 % 1000) for i in range(600))  # 2,984 keys
        await asyncio.to_thread(send_keys_at_once, app, text)  # from a thread, as the terminal's driver
        await until(pilot, lambda: app.explorer.input.text == text)  # every key handled
        assert app.explorer.lookup.ids == tuple(i * 7 % 1000 for i in range(600))
        assert len(lengths) < len(text) / 10  # not a lookup of the whole input on every key
        assert lengths[-1] == len(text)


async def test_a_paste_past_the_limit_is_refused_with_a_message() -> None:
    app = ExplorerApp(ids="1, 2")
    async with running(app) as pilot:
        app.main.ids_input.post_message(events.Paste("3, " * (MAX_INPUT // 3 + 1)))
        await pilot.pause()
        assert app.main.ids_input.value == "1, 2" and app.explorer.lookup.ids == (1, 2)
        assert "The input holds up to 1000000 characters" in app.query_one(StatusBar).text


async def test_a_burst_typed_outside_the_input_is_handled_key_by_key() -> None:
    app = ExplorerApp(ids="1")
    async with running(app) as pilot:
        app.main.matrix.focus()
        await pilot.pause()
        send_keys_at_once(app, "g")  # the matrix's key for "go to row"
        await until(pilot, lambda: app.screen is not app.main)
        assert app.main.ids_input.value == "1"


async def test_a_burst_types_over_the_selection_as_keys_would() -> None:
    app = ExplorerApp(ids="2, 3")
    async with running(app) as pilot:
        app.main.ids_input.select_all()
        send_keys_at_once(app, "5, 1")
        await until(pilot, lambda: app.main.ids_input.value == "5, 1")  # not "2, 35, 1": the selection went
        assert app.explorer.lookup.ids == (5, 1)
