"""`serve` without a browser: a session's argv, the capacity rule, the token, and the pages that start nothing."""

from __future__ import annotations

import asyncio
import sys

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tui import cli
from tui.cli.serve import app_options
from tui.serve.capacity import BASE_BUDGET, memory_available, session_budget, sessions_allowed
from tui.serve.server import ClassServer, ServeSettings, needs_token, token_for
from tui.serve.session import session_argv


def test_app_options_are_the_command_line_minus_serves_own() -> None:
    argv = ["--lang", "es", "serve", "--host", "0.0.0.0", "--preset", "book-2.8", "--port=9", "--text-file", "a b; rm x", "--token", "t", "--files", "d"]
    assert app_options(argv) == ["--lang", "es", "--preset", "book-2.8", "--text-file", "a b; rm x"]
    assert session_argv(["--text-file", "a b; rm x"]) == [sys.executable, "-m", "tui", "--text-file", "a b; rm x"]


def test_capacity_rule() -> None:
    assert session_budget(None) == BASE_BUDGET
    assert session_budget(50257 * 256) == BASE_BUDGET + 2 * 4 * 50257 * 256
    assert sessions_allowed(10 * BASE_BUDGET + 1, BASE_BUDGET) == 10
    assert sessions_allowed(0, BASE_BUDGET) == 1  # at least one
    available = memory_available()
    assert available is None or available > 0


def test_help_states_the_rule_and_the_number_here(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    here = sessions_allowed(memory_available() or 0, session_budget(6 * 3))
    assert "400 MB" in out and f"{here} here now" in out


def test_spanish_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--help", "--lang", "es"]) == 0
    assert "la clase está llena" in " ".join(capsys.readouterr().out.split())


def test_a_bad_option_is_refused_before_the_server_starts(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    assert cli.main(["serve", "--weights", str(tmp_path / "gone.safetensors")]) == 2
    assert "gone.safetensors" in capsys.readouterr().err
    assert cli.main(["serve", "--files", str(tmp_path / "nowhere")]) == 2
    for option in ("--files", "--host", "--token", "--public-url"):  # empty: never the current folder or every interface
        assert cli.main(["serve", option, ""]) == 2
        assert f"{option} needs a value (it was given an empty one)." in capsys.readouterr().err
    assert cli.main(["serve", "--max-sessions", "0"]) == 2
    assert "--max-sessions 0 would let no one in" in capsys.readouterr().err
    for port in ("0", "65536", "99999"):  # refused by the parser, never a bind() traceback
        assert cli.main(["serve", "--port", port]) == 2
        assert "is not a port (a whole number from 1 to 65535)" in capsys.readouterr().err


def test_a_port_taken_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert cli.main(["serve", "--port", str(taken.getsockname()[1])]) == 1
    assert "Cannot listen on 127.0.0.1 port" in capsys.readouterr().err


def test_token_only_off_this_machine() -> None:
    assert not needs_token("127.0.0.1") and not needs_token("localhost") and not needs_token("::1")
    assert needs_token("0.0.0.0")
    assert token_for("127.0.0.1", None) is None
    assert len(token_for("0.0.0.0", None) or "") >= 24
    assert token_for("0.0.0.0", "given") == "given"
    settings = ServeSettings(argv=("x",), host="10.0.0.5", port=8123, token="abc")
    assert settings.address() == "http://10.0.0.5:8123/?token=abc"
    assert ServeSettings(argv=("x",), public_url="https://class.example/ee", token="abc").address() == "https://class.example/ee/?token=abc"



def test_on_every_interface_the_address_at_each_of_the_machines_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Students' laptops may not resolve the machine's name: its IPv4 addresses are printed too, never loopback."""
    from tui.serve import server

    monkeypatch.setattr(server.socket, "gethostname", lambda: "teacher")
    monkeypatch.setattr(server.socket, "getaddrinfo", lambda *args: [(2, 1, 6, "", ("127.0.1.1", 0)), (2, 1, 6, "", ("10.1.2.3", 0))])
    settings = ServeSettings(argv=("x",), host="0.0.0.0", port=8000, token="t")
    assert settings.address() == "http://teacher:8000/?token=t"
    others = settings.other_addresses()
    assert "http://10.1.2.3:8000/?token=t" in others and not any("127." in url for url in others)
    assert ServeSettings(argv=("x",), host="10.1.2.3", token="t").other_addresses() == []  # one interface: its address is the one
    assert ServeSettings(argv=("x",), host="0.0.0.0", public_url="https://class.example", token="t").other_addresses() == []


async def client(settings: ServeSettings) -> TestClient:
    server = ClassServer(settings)
    started = TestClient(TestServer(await server._make_app()))
    await started.start_server()
    return started


async def test_without_the_token_a_refusal_and_no_session() -> None:
    settings = ServeSettings(argv=("/bin/false",), host="0.0.0.0", token="secret", lang="es")
    web = await client(settings)
    try:
        for path in ("/", "/?token=wrong", "/ws", "/download/key"):
            response = await web.get(path)
            assert response.status == 403, path
            assert "token de acceso" in await response.text()
        other_class = ServeSettings(argv=("/bin/false",), host="0.0.0.0", port=settings.port + 1, token="other")
        assert (await web.get("/", cookies={other_class.cookie: "other"})).status == 403  # another port's class: not this one
        page = await web.get("/?token=secret")
        assert page.status == 200 and settings.cookie in page.cookies
        assert (await web.get("/", cookies={settings.cookie: "secret"})).status == 200  # the cookie alone lets the socket and downloads in
        assert "data-session-websocket-url" in await page.text()
    finally:
        await web.close()


async def test_the_page_asks_nothing_of_another_host() -> None:
    web = await client(ServeSettings(argv=("/bin/false",)))
    try:
        text = await (await web.get("/")).text()
        assert "googleapis" not in text and "https://" not in text
        assert "@font-face" in text and "<title>embedding-explorer</title>" in text
        assert (await web.get("/static/fonts/RobotoMono-VariableFont_wght.ttf")).status == 200
    finally:
        await web.close()


async def test_a_full_class_gets_the_full_page() -> None:
    web = await client(ServeSettings(argv=("/bin/false",), max_sessions=0))
    try:
        for path in ("/", "/ws"):
            response = await web.get(path)
            assert response.status == 503
            assert "0 sessions are running" in await response.text()
    finally:
        await web.close()


SIZE_TELLER = "import os, sys; sys.stderr.write(os.environ['COLUMNS'] + 'x' + os.environ['ROWS']); sys.exit(3)"


async def test_a_huge_terminal_asked_for_is_a_screen_the_session_can_lay_out() -> None:
    """A tab's socket is anyone's to write: a width and height of 10⁶ would have the session (on the teacher's
    machine) lay out a trillion cells. The session is told the most a screen shows; its stderr, said in the
    tab because it ended with an error, tells what it was given."""
    web = await client(ServeSettings(argv=(sys.executable, "-c", SIZE_TELLER), max_sessions=2))
    try:
        for query, told in (("width=1000000&height=1000000", "640x240"), ("width=-5&height=0", "1x1"), ("width=100&height=30", "100x30")):
            socket = await web.ws_connect(f"/ws?{query}")
            received = b""
            async for message in socket:
                received += message.data if isinstance(message.data, bytes) else b""
            assert told.encode() in received, (query, received)
    finally:
        await web.close()


async def test_a_message_textual_js_never_sends_ends_that_session_alone(caplog: pytest.LogCaptureFixture) -> None:
    """Not JSON, not a list, a resize without its size: the tab's session ends, quietly (no traceback on the
    teacher's console); the server serves on."""
    started = "import sys; sys.stdout.buffer.write(b'__GANGLION__\\nD\\0\\0\\0\\2hi'); sys.stdout.flush(); sys.stdin.buffer.read(1)"  # a frame, then it ends when told anything
    server = ClassServer(ServeSettings(argv=(sys.executable, "-c", started), max_sessions=4))
    web = TestClient(TestServer(await server._make_app()))
    await web.start_server()
    try:
        for hostile in ("not json", '{"a": 1}', '["resize", {}]', '["stdin"]', '["resize", null]'):
            socket = await web.ws_connect("/ws")
            await socket.send_str(hostile)
            async for _ in socket:  # until the server closes it
                pass
            assert socket.closed, hostile
            for _ in range(100):
                if not server.sessions:
                    break
                await asyncio.sleep(0.05)
            assert not server.sessions, hostile
        assert (await web.get("/")).status == 200
        assert not [record for record in caplog.records if record.exc_info], [record.getMessage() for record in caplog.records]
    finally:
        await web.close()


SLOW_START = """
import os, sys, time
started = time.monotonic()
time.sleep(0.4)  # Python, Textual and torch loading, as far as the server can tell
with open(os.path.join(sys.argv[1], str(os.getpid())), "w") as file:
    file.write(f"{started} {os.getpriority(os.PRIO_PROCESS, 0)}")
sys.stdout.buffer.write(b"__GANGLION__\\nD\\0\\0\\0\\2hi")
sys.stdout.flush()
sys.stdin.buffer.read(1)
"""


async def test_a_class_arriving_at_once_starts_a_session_per_core_at_a_time(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each tab is told at once that its session is starting; the sessions start one per core at a time (each
    after the one before showed its first frame), so the first students see their screens without waiting
    for the whole class; and they run below the server's priority, which must go on relaying."""
    from tui.serve import server as server_module

    monkeypatch.setattr(server_module.os, "cpu_count", lambda: 1)
    script = tmp_path / "slow_start.py"
    script.write_text(SLOW_START, encoding="utf-8")
    marks = tmp_path / "marks"
    marks.mkdir()
    web = await client(ServeSettings(argv=(sys.executable, str(script), str(marks)), max_sessions=4))
    try:
        sockets = await asyncio.gather(*(web.ws_connect("/ws") for _ in range(3)))
        for socket in sockets:
            assert (await socket.receive_bytes()) == "Starting your session…".encode()
            assert (await socket.receive_bytes()) == b"hi"  # then its first frame
        started = sorted((float(start), int(niceness)) for start, niceness in (path.read_text().split() for path in marks.iterdir()))
        assert len(started) == 3 and all(niceness == 5 for _, niceness in started)
        assert all(later[0] - earlier[0] >= 0.4 for earlier, later in zip(started, started[1:]))  # one after the other
        for socket in sockets:
            await socket.close()
    finally:
        await web.close()
