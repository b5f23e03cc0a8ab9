"""The collector policy for one preview: no full (oldest-generation) collections while it runs.

A preview holds every registration's Outputs, tasks and futures until the program ends, so the
heap only grows. CPython still starts a full collection each time that heap has grown by a quarter,
and each one walks everything and reclaims almost nothing: with them, a preview of 947 resources took
25% longer, 4,697 resources 58% and 9,392 84%, at the same peak RSS (bench/scale.py, docs/engine.md).
Young collections keep running, so short-lived cycles are still freed; the previous thresholds come
back afterwards, when the whole run becomes garbage at once.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_NEVER = 2**31 - 1  # young collections before a full one: never, within one preview


@contextmanager
def no_full_collections() -> Iterator[None]:
    """Keep the young generations' thresholds, suspend automatic full collections, restore on exit."""
    saved = gc.get_threshold()
    gc.set_threshold(saved[0], saved[1], _NEVER)
    try:
        yield
    finally:
        gc.set_threshold(*saved)
