"""Sweep what a crash leaves in the media store: partial writes, and files whose row never committed.

A file becomes visible with its row or not at all (storage.keep_with_transaction), but a
process killed between writing a file and ending its transaction leaves the file behind.
The worker sweeps once at start and then every hour; anything younger than an hour is
left alone, since its transaction may still be open.
"""
from itertools import islice

from backpack.extensions import db
from backpack.models import Evidence, SubmissionEvent
from backpack.notify.worker import periodic
from backpack.storage import media_store

GRACE_SECONDS = 3600
BATCH = 500


def referenced(keys: list[str]) -> set[str]:
    """Return which of these keys a row still names."""
    found = set()
    for column in (Evidence.object_key, Evidence.thumbnail_key, SubmissionEvent.audio_key):
        found.update(db.session.scalars(db.select(column).where(column.in_(keys))))
    return found


@periodic(GRACE_SECONDS)
def sweep(grace_seconds: float = GRACE_SECONDS) -> int:
    """Delete partial writes and unreferenced files older than the grace period; return how many."""
    store = media_store()
    removed = store.sweep_partial(grace_seconds)
    old = store.keys_older_than(grace_seconds)
    while batch := list(islice(old, BATCH)):
        for key in set(batch) - referenced(batch):
            store.delete(key)
            removed += 1
    return removed
