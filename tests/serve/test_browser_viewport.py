"""tests/browser.py's `browser(viewport)`: the window's size sets the page's terminal, which
tests/benchmarks/bench_serve_keys.py relies on to compare the browser with tmux at the same 80×24."""

from __future__ import annotations

import os

import pytest

from tests.browser import browser, chromium, open_tab, served

if chromium() is None and not os.environ.get("CI"):
    pytest.skip("no Chromium found (apt-get install chromium); in CI (CI set) these tests must run", allow_module_level=True)


def test_a_725_by_512_window_holds_an_80_by_24_terminal() -> None:
    with served("--max-sessions", "1") as server, browser((725, 512)) as context:
        tab = open_tab(context, server.address)
        text = tab.wait_text("layer.weight")
        assert (tab.screen.columns, tab.screen.lines) == (80, 24)
        assert "Token IDs" in text
        tab.page.close()
