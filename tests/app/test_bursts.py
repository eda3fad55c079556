"""Keys faster than anyone types (a paste without bracketed paste): looked up once per frame, none lost."""

from textual import events

from tests.app.conftest import running
from tui.app import ExplorerApp
from tui.core.explorer import MAX_INPUT
from tui.widgets.status_bar import StatusBar
from tui.widgets.textual_internals import send_keys_at_once


async def test_a_paste_without_bracketed_paste_is_looked_up_once_per_frame_and_loses_no_key(monkeypatch) -> None:
    app = ExplorerApp(vocab_size=1000, dim=3)
    async with running(app) as pilot:
        lengths: list[int] = []
        edit = app.explorer.edit
        monkeypatch.setattr(app.explorer, "edit", lambda value, cursor: lengths.append(len(value)) or edit(value, cursor))
        text = ", ".join(str(i * 7 % 1000) for i in range(600))  # 2,984 keys
        send_keys_at_once(app, text)
        for _ in range(200):  # until every key has been handled
            await pilot.pause(0.05)
            if app.explorer.text == text:
                break
        await pilot.pause(0.1)
        assert app.explorer.text == text and app.explorer.lookup.ids == tuple(i * 7 % 1000 for i in range(600))
        assert len(lengths) < len(text) / 10  # not a lookup of the whole input on every key
        assert lengths[-1] == len(text)


async def test_a_paste_past_the_limit_is_refused_with_a_message() -> None:
    app = ExplorerApp(ids="1, 2")
    async with running(app) as pilot:
        app.ids_input.post_message(events.Paste("3, " * (MAX_INPUT // 3 + 1)))
        await pilot.pause()
        assert app.ids_input.value == "1, 2" and app.explorer.lookup.ids == (1, 2)
        assert "The input holds up to 1000000 characters" in app.query_one(StatusBar).text
