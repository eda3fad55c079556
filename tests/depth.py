"""How hard the property tests search: `EXPLORER_TEST_DEPTH=10 python -m pytest` runs ten times the examples
(and state-machine runs) that CI runs."""

import os

DEPTH = int(os.environ.get("EXPLORER_TEST_DEPTH", "1"))


def examples(count: int) -> int:
    """`count` examples at CI's depth, more at a deeper one."""
    return count * DEPTH
