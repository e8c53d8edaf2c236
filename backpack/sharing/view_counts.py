"""How often a share link was opened, counted off the request path.

The employer's page is a read: it must not write to the database (under load a write per
view queues behind every other writer, and on SQLite one long award holds them all).
Each view adds one to a counter in memory (one web process with its worker thread) or in
Redis (many processes, when REDIS_URL is set); the worker adds the counters to the rows in
one batched UPDATE per link every few seconds. The learner's page shows the stored count
plus what is still waiting, so a view shows at once.
"""
import secrets
import threading
from collections import Counter
from datetime import datetime

from flask import current_app

from backpack.extensions import db
from backpack.models import ShareLink
from backpack.models.time import utcnow
from backpack.notify.worker import periodic

FLUSH_EVERY_SECONDS = 5
REDIS_KEY = "backpack:share-views"


class MemoryCounts:
    """Counters of one process, for the embedded default."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: Counter[int] = Counter()
        self.last: dict[int, datetime] = {}

    def add(self, link_id: int, when: datetime) -> None:
        with self.lock:
            self.counts[link_id] += 1
            self.last[link_id] = when

    def pending(self, link_id: int) -> int:
        with self.lock:
            return self.counts.get(link_id, 0)

    def take(self) -> dict[int, tuple[int, datetime]]:
        """Return and reset every counter, atomically."""
        with self.lock:
            taken = {link_id: (count, self.last[link_id]) for link_id, count in self.counts.items()}
            self.counts.clear()
            self.last.clear()
        return taken

    def give_back(self, taken: dict[int, tuple[int, datetime]]) -> None:
        """Put counts back after a failed write, so none is lost."""
        with self.lock:
            for link_id, (count, when) in taken.items():
                self.counts[link_id] += count
                self.last[link_id] = max(when, self.last.get(link_id, when))


class RedisCounts:
    """Counters shared by every process, in one Redis hash (and one of last-viewed times)."""

    def __init__(self, url: str):
        from redis import Redis  # only deployments with Redis install it

        self.redis = Redis.from_url(url)

    def add(self, link_id: int, when: datetime) -> None:
        pipe = self.redis.pipeline()
        pipe.hincrby(REDIS_KEY, link_id, 1)
        pipe.hset(REDIS_KEY + ":last", link_id, when.isoformat())
        pipe.execute()

    def pending(self, link_id: int) -> int:
        return int(self.redis.hget(REDIS_KEY, link_id) or 0)

    def take(self) -> dict[int, tuple[int, datetime]]:
        """Rename the hashes away (atomic: a view counted meanwhile lands in a new hash), read, delete."""
        from redis.exceptions import ResponseError

        token = f"{REDIS_KEY}:flushing:{secrets.token_hex(8)}"
        try:
            self.redis.rename(REDIS_KEY, token)
        except ResponseError:  # nothing counted (or another worker took it first)
            return {}
        try:
            self.redis.rename(REDIS_KEY + ":last", token + ":last")
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

    def give_back(self, taken: dict[int, tuple[int, datetime]]) -> None:
        for link_id, (count, when) in taken.items():
            self.redis.hincrby(REDIS_KEY, link_id, count)
            self.redis.hset(REDIS_KEY + ":last", link_id, when.isoformat())


def _counts():
    """Return this app's counters, made on first use."""
    extensions = current_app.extensions
    if "share_view_counts" not in extensions:
        url = current_app.config.get("NOTIFY_REDIS_URL")
        extensions["share_view_counts"] = RedisCounts(url) if url else MemoryCounts()
    return extensions["share_view_counts"]


def count_view(link: ShareLink) -> None:
    """Count an opening of the link; no database write."""
    _counts().add(link.id, utcnow())


def views_of(link: ShareLink) -> int:
    """Return how often the link was opened: stored, plus counted and not yet stored."""
    return link.view_count + _counts().pending(link.id)


@periodic(FLUSH_EVERY_SECONDS)
def flush() -> int:
    """Add the waiting counts to their rows, one UPDATE per link (caller commits); return views stored."""
    counts = _counts()
    taken = counts.take()
    try:
        for link_id, (count, when) in taken.items():
            db.session.execute(
                db.update(ShareLink)
                .where(ShareLink.id == link_id)
                .values(view_count=ShareLink.view_count + count, last_viewed_at=when)
            )
        db.session.flush()
    except Exception:
        counts.give_back(taken)
        raise
    return sum(count for count, _when in taken.values())
