"""Tallies kept off the request path: what a page view would otherwise write, counted and stored later.

A read must not write to the database (under load a write per view queues behind every
other writer, and on SQLite one long award holds them all). A tally adds one per event,
with the time of the latest, in memory (one web process with its worker thread) or in
Redis (many processes, when NOTIFY_REDIS_URL is set); the worker takes the tally every few
seconds and stores it in one batched write, giving it back if that write fails.
"""
import secrets
import threading
from collections import Counter
from datetime import datetime

from flask import current_app

from backpack.extensions import db
from backpack.models.time import utcnow

Taken = dict[int, tuple[int, datetime]]


class MemoryTally:
    """One process's counts by row id, and the time of each row's latest event."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: Counter[int] = Counter()
        self.last: dict[int, datetime] = {}

    def add(self, row_id: int, when: datetime) -> None:
        with self.lock:
            self.counts[row_id] += 1
            self.last[row_id] = max(when, self.last.get(row_id, when))

    def pending(self, row_id: int) -> int:
        with self.lock:
            return self.counts.get(row_id, 0)

    def take(self) -> Taken:
        """Return and reset every count, atomically."""
        with self.lock:
            taken = {row_id: (count, self.last[row_id]) for row_id, count in self.counts.items()}
            self.counts.clear()
            self.last.clear()
        return taken

    def give_back(self, taken: Taken) -> None:
        """Put counts back after a failed write, so none is lost."""
        with self.lock:
            for row_id, (count, when) in taken.items():
                self.counts[row_id] += count
                self.last[row_id] = max(when, self.last.get(row_id, when))


class RedisTally:
    """Counts shared by every process: one Redis hash of counts and one of latest times."""

    def __init__(self, url: str, key: str):
        from redis import Redis  # only deployments with Redis install it

        self.redis = Redis.from_url(url)
        self.key = key

    def add(self, row_id: int, when: datetime) -> None:
        pipe = self.redis.pipeline()
        pipe.hincrby(self.key, row_id, 1)
        pipe.hset(self.key + ":last", row_id, when.isoformat())
        pipe.execute()

    def pending(self, row_id: int) -> int:
        return int(self.redis.hget(self.key, row_id) or 0)

    def take(self) -> Taken:
        """Rename the hashes away (atomic: an event counted meanwhile lands in a new hash), read, delete."""
        from redis.exceptions import ResponseError

        token = f"{self.key}:flushing:{secrets.token_hex(8)}"
        try:
            self.redis.rename(self.key, token)
        except ResponseError:  # nothing counted (or another worker took it first)
            return {}
        try:
            self.redis.rename(self.key + ":last", token + ":last")
        except ResponseError:
            pass
        counts = self.redis.hgetall(token)
        lasts = self.redis.hgetall(token + ":last")
        self.redis.delete(token, token + ":last")
        now = utcnow()
        return {
            int(key): (int(value), datetime.fromisoformat(lasts[key].decode()) if key in lasts else now)
            for key, value in counts.items()
        }

    def give_back(self, taken: Taken) -> None:
        for row_id, (count, when) in taken.items():
            self.redis.hincrby(self.key, row_id, count)
            self.redis.hset(self.key + ":last", row_id, when.isoformat())


def tally(name: str) -> MemoryTally | RedisTally:
    """Return this app's tally called name, made on first use (in Redis when the app has one)."""
    tallies = current_app.extensions.setdefault("tallies", {})
    if name not in tallies:
        url = current_app.config.get("NOTIFY_REDIS_URL")
        tallies[name] = RedisTally(url, f"backpack:{name}") if url else MemoryTally()
    return tallies[name]


def store(tally_: MemoryTally | RedisTally, write) -> int:
    """Take the tally and pass each (row id, count, latest) to write; flush; return events stored.

    On failure the counts go back, so the next flush stores them (the caller commits).
    """
    taken = tally_.take()
    try:
        for row_id, (count, when) in taken.items():
            write(row_id, count, when)
        db.session.flush()
    except Exception:
        tally_.give_back(taken)
        raise
    return sum(count for count, _when in taken.values())
