"""Training runs across the server: at most SLOTS train at once in this process (CONVLAB_TRAINING_SLOTS, default 1).

Training is CPU-bound: two runs at once on one core take twice as long each and slow every student's page.
A run that finds no free slot is not queued behind the others (a stall with no word): the student is told
the server is busy and presses Train again.
"""
from __future__ import annotations

import contextlib
import os
import threading

SLOTS = max(1, int(os.environ.get("CONVLAB_TRAINING_SLOTS") or 1))
BUSY = ("The server is busy training for other students: {what} was not trained. Try again in a few seconds "
        "(runs already trained with these settings are shown at once).")
_slots = threading.BoundedSemaphore(SLOTS)


@contextlib.contextmanager
def training_slot():
    """`with training_slot() as free:` holds a slot while free is True (released on leaving, also when a change
    on the page stops the run); free is False at once when every slot is taken."""
    if not _slots.acquire(blocking=False):
        yield False
        return
    try:
        yield True
    finally:
        _slots.release()
