"""Printable keys travel from the terminal to the app as one message per burst, not one per key.

Textual's driver reads the terminal in a thread and hands the app one event per key. A paste without
bracketed paste is thousands of keys: the app would handle each in turn (bindings, forwarding, an edit of
the input and a lookup), and a Ctrl+Q behind them would wait for seconds. Here the thread adds each
printable key to the burst the app has not taken yet; any other key or event closes the burst. The app
takes a burst whole: into the ID input as one edit, or elsewhere key by key, in order. A person typing
sends bursts of one key; the busier the app, the more keys a burst gathers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual import events
from textual.driver import Driver
from textual.message import Message


class Burst(Message):
    """Printable keys in a row, in the order the terminal sent them. The input thread adds to it until the
    app takes it."""

    def __init__(self) -> None:
        super().__init__()
        self._keys: list[events.Key] = []
        self._lock = threading.Lock()
        self._taken = False

    def add(self, key: events.Key) -> bool:
        """Add a key; False once the app has taken the burst (the key starts the next one)."""
        with self._lock:
            if not self._taken:
                self._keys.append(key)
            return not self._taken

    def take(self) -> list[events.Key]:
        """The keys so far, and no more after them."""
        with self._lock:
            self._taken = True
            return self._keys


class Gatherer:
    """Hands `send` a `Burst` for each run of printable keys, and every other message as it comes."""

    def __init__(self, send: Callable[[Message], None]) -> None:
        self._send = send
        self._burst: Burst | None = None

    def __call__(self, message: Message) -> None:
        if isinstance(message, events.Key) and message.is_printable:
            if self._burst is None or not self._burst.add(message):
                self._burst = Burst()
                self._burst.add(message)
                self._send(self._burst)
            return
        self._burst = None
        self._send(message)


def gathering(driver_class: type[Driver]) -> type[Driver]:
    """`driver_class`, sending the app bursts of printable keys (`Driver.send_message` is where every
    event the driver parsed goes to the app)."""

    class GatheringDriver(driver_class):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._gather = Gatherer(super().send_message)

        def send_message(self, message: Message) -> None:
            self._gather(message)

    return GatheringDriver
