"""Regenerate the SVGs in screenshots/: `python tests/make_screenshots.py`.

Each screenshot is the app as a person sees it at a fixed size, after the layer has been created.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Input

from tui.app import ExplorerApp

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"

SHOTS: list[tuple[str, dict, tuple[int, int], list[str]]] = [
    ("book-lookup-80x24", {"ids": "2, 3, 5, 1"}, (80, 24), []),
    ("book-lookup-160x50", {"ids": "2, 3, 5, 1, 3"}, (160, 50), []),
    ("error-state", {"ids": "2, 3, 5, 1"}, (80, 24), [*", 7"]),
    ("spanish", {"ids": "2, 3, 5, 1", "lang": "es"}, (80, 24), []),
    ("gpt2-size", {"vocab_size": 50257, "dim": 768, "ids": "15496, 11, 50256"}, (120, 36), []),
    ("help", {}, (80, 24), ["f1"]),
]


async def shoot(name: str, options: dict, size: tuple[int, int], keys: list[str]) -> None:
    app = ExplorerApp(**{"lang": "en", **options})
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for widget in app.query(Input):
            widget.cursor_blink = False
        await pilot.press(*keys)
        await pilot.pause(0.2)
        app.save_screenshot(f"{name}.svg", str(SCREENSHOTS))
        print(SCREENSHOTS / f"{name}.svg")


async def main() -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    for shot in SHOTS:
        await shoot(*shot)


if __name__ == "__main__":
    asyncio.run(main())
