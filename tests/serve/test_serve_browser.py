"""`embedding-explorer serve` in the system's Chromium (tests/browser.py): a lookup on screen, a session per
tab, tabs that close end their process, the token, a full class, a crash said in its tab, Ctrl+C, and
copy-as-code as a download (nothing written on the server)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from tests.browser import browser, chromium, free_port, http_get, open_tab, served, wait_for

if chromium() is None and not os.environ.get("CI"):
    pytest.skip("no Chromium found (apt-get install chromium); in CI (CI set) these tests must run", allow_module_level=True)

ROW = "-0.4015,  0.9666, -1.1481"  # the book's row 3, as torch prints it in the result


@pytest.fixture(scope="module")
def server():
    with served("--max-sessions", "2") as running:
        yield running


@pytest.fixture(scope="module")
def context():
    with browser() as launched:
        yield launched


def looked_up(tab) -> str:
    tab.wait_text("Type token IDs")
    tab.type("2, 3, 5, 1")
    return tab.wait_text(ROW)


def test_a_lookup_in_two_tabs_two_sessions_and_full_past_them(server, context) -> None:
    first = open_tab(context, server.address)
    text = looked_up(first)
    assert "shape=(4, 3)" in text
    assert len(server.children()) == 1
    second = open_tab(context, server.address)
    second.wait_text("Type token IDs")
    assert len(wait_for(lambda: server.children() if len(server.children()) == 2 else None, what="two processes")) == 2
    assert ROW not in second.wait_text("result shape=(0, 3)")  # the first tab's lookup is not here
    third = context.new_page()
    response = third.goto(server.address)
    assert response.status == 503 and "2 sessions are running" in third.content()
    assert len(server.children()) == 2  # the full page started nothing
    third.close()
    host = urllib.parse.urlsplit(server.address).netloc
    assert all(urllib.parse.urlsplit(url).netloc == host for url in first.requests + second.requests), first.requests
    first.page.close()
    second.page.close()
    wait_for(lambda: not server.children(), timeout=15, what="the closed tabs' processes to end")


def test_without_the_token_the_refusal_page_and_no_process(context) -> None:
    with served("--host", "0.0.0.0", "--token", "class-token", "--lang", "es") as running:
        local = f"http://127.0.0.1:{running.port}/"
        assert running.address.endswith(f":{running.port}/?token=class-token")
        page = context.new_page()
        response = page.goto(local)
        assert response.status == 403 and "token de acceso" in page.content()
        assert http_get(local + "?token=nope")[0] == 403
        assert not running.children()
        tab = open_tab(context, local + "?token=class-token")
        tab.wait_text("Escribe IDs de token")
        assert len(running.children()) == 1
        page.close()
        tab.page.close()


def test_a_session_that_cannot_start_says_why_and_the_server_goes_on(context, tmp_path: Path) -> None:
    import torch
    from safetensors.torch import save_file

    weights = tmp_path / "gone.safetensors"
    save_file({"weight": torch.zeros(4, 2)}, str(weights))
    with served("--weights", str(weights)) as running:
        weights.unlink()
        tab = open_tab(context, running.address)
        tab.wait_text("gone.safetensors")
        tab.wait_closed()
        assert running.process.poll() is None and http_get(running.address)[0] == 200


def test_a_session_killed_says_so_in_its_tab_and_the_server_goes_on(server, context) -> None:
    """A session's process killed (as the kernel does when memory runs out): its tab says what stopped it."""
    tab = open_tab(context, server.address)
    tab.wait_text("Type token IDs")
    (pid,) = wait_for(lambda: server.children() or None, what="the session's process")
    os.kill(pid, signal.SIGKILL)
    assert "killed (SIGKILL)" in tab.wait_text("SIGKILL")
    tab.wait_closed()
    assert server.process.poll() is None and http_get(server.address)[0] == 200
    tab.page.close()


CRASHING_APP = """
from textual.app import App

class Crashing(App):
    def on_mount(self) -> None:
        self.set_timer(0.5, self.fail)

    def fail(self) -> None:
        raise RuntimeError("a bug, said with \\x1b[31m in it")

app = Crashing()
app.run()
raise SystemExit(app.return_code)
"""


def test_a_session_that_crashes_shows_its_traceback_and_the_server_goes_on(context, tmp_path: Path) -> None:
    """An error nobody caught, after the app started: Textual prints it on the way out, and the tab shows it
    (escaped) before its socket closes; the server goes on. The app is a crashing Textual app of the test's own,
    served as the CLI serves ours."""
    script = tmp_path / "crashing.py"
    script.write_text(CRASHING_APP, encoding="utf-8")
    port = free_port()
    code = f"import asyncio, sys; from tui.serve.server import ClassServer, ServeSettings; asyncio.run(ClassServer(ServeSettings(argv=(sys.executable, {str(script)!r}), port={port}, max_sessions=2)).run())"
    server = subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None and server.stdout.readline().startswith("Open http://127.0.0.1:")
        tab = open_tab(context, f"http://127.0.0.1:{port}/")
        text = tab.wait_text("RuntimeError: a bug")
        assert "\\x1b[31m" in text  # the escape shown, never sent to the terminal
        tab.wait_closed()
        assert server.poll() is None and http_get(f"http://127.0.0.1:{port}/")[0] == 200
        tab.page.close()
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(15) == 0


def test_ctrl_c_leaves_no_process(context) -> None:
    with served() as running:
        tab = open_tab(context, running.address)
        tab.wait_text("Type token IDs")
        sessions = running.children()
        assert len(sessions) == 1
        running.process.send_signal(2)
        assert running.process.wait(15) == 0
        wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in sessions), timeout=10, what="the session to end")
        tab.page.close()


def test_copy_as_code_is_a_download_in_the_browser_and_nothing_is_written(server, context, tmp_path: Path) -> None:
    """F4 then `s`: the script reaches the browser as a download (Textual's deliver_text through the server's
    /download route, the page's cookie), and the server's folder gains no file."""
    before = set(os.listdir(tests_root := Path(__file__).parents[2]))
    tab = open_tab(context, server.address)
    looked_up(tab)
    tab.page.keyboard.press("F4")
    tab.wait_text("embedding_layer.py")
    with tab.page.expect_download() as started:  # textual.js opens /download/KEY in a new tab; Playwright names the opener
        tab.page.keyboard.press("s")
    download = started.value
    tab.wait_text("on its way to your browser")
    assert download.suggested_filename == "embedding_layer.py"
    script = Path(download.path()).read_text()
    assert "torch.tensor([2, 3, 5, 1])" in script
    printed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert ROW in printed  # the downloaded script prints what the tab showed
    assert set(os.listdir(tests_root)) == before
    tab.page.close()
