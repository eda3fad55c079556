"""Sizes that come from outside (a file's header, an option, a setting typed in the app) checked against what
they would allocate, before anything is allocated: the one place that says how big is too big.

Three answers: fine; more than `BYTES_WITHOUT_ASKING` (the app asks first); more than this machine's memory
or `MAX_ELEMENTS` (refused, with the limit named)."""

from __future__ import annotations

import os
from enum import Enum
from functools import cache

from tui.core.texts.messages import Message, MessageError
from tui.core.texts.shown import human_size

MAX_ELEMENTS = 128256 * 4096  # Llama 3's embedding matrix
BYTES_WITHOUT_ASKING = 100 * 2**20  # what one action may allocate before the app asks first
ID_BYTES = 8  # a token ID in a tensor: torch.long, as the book's windows are


class SizeError(MessageError):
    """A size from outside that would allocate more than the limit its message names."""


class Cost(Enum):
    """What an allocation of some size asks of the app."""

    FINE = "fine"
    ASK = "ask"  # more than BYTES_WITHOUT_ASKING: the app asks first


@cache
def memory() -> int:
    """This machine's physical memory in bytes: nothing from outside may ask for more at once."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # no sysconf: a generous 16 GiB
        return 16 * 2**30


def cost(nbytes: int, what: Message) -> Cost:
    """Whether `nbytes` for `what` may be allocated without asking; a `SizeError` when it is more than the
    machine's memory."""
    if nbytes > memory():
        raise SizeError(Message("limits.memory", {"what": what, "size": human_size(nbytes), "limit": human_size(memory())}))
    return Cost.ASK if nbytes > BYTES_WITHOUT_ASKING else Cost.FINE


def check_matrix(rows: int, cols: int, item_size: int, what: Message) -> int:
    """The bytes of a `rows` × `cols` matrix for `what`; a `SizeError` above `MAX_ELEMENTS` or the memory."""
    if rows * cols > MAX_ELEMENTS:
        raise SizeError(Message("limits.elements", {"what": what, "elements": rows * cols, "limit": MAX_ELEMENTS}))
    nbytes = rows * cols * item_size
    cost(nbytes, what)
    return nbytes


def check_windows(tokens: int, max_length: int, stride: int, batch_size: int) -> int:
    """How many windows of `max_length` (each with its target) a text of `tokens` IDs gives at `stride` (all
    ≥ 1), once the settings are known to fit it: a window within the text, a batch within the windows. A
    `SizeError` names the limit."""
    if max_length > tokens - 1:
        raise SizeError(Message("windows.too_short", {"tokens": tokens, "needed": max_length + 1}))
    windows = len(range(0, tokens - max_length, stride))
    if batch_size > windows:
        raise SizeError(Message("windows.no_batches", {"windows": windows, "batch_size": batch_size}))
    return windows


def batch_bytes(max_length: int, batch_size: int) -> int:
    """What one batch of windows allocates: its inputs and its targets, `batch_size` × `max_length` IDs each."""
    return 2 * batch_size * max_length * ID_BYTES
