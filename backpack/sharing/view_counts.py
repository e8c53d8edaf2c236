"""How often a share link was opened, counted off the request path (see web.tallies).

The learner's page shows the stored count plus what is still waiting, so a view shows at once.
"""
from backpack.extensions import db
from backpack.models import ShareLink
from backpack.models.time import utcnow
from backpack.notify.worker import periodic
from backpack.web.tallies import store, tally

FLUSH_EVERY_SECONDS = 5
TALLY = "share-views"


def count_view(link: ShareLink) -> None:
    """Count an opening of the link (a ShareLink, or links.glance's row: only its id is read); no database write."""
    tally(TALLY).add(link.id, utcnow())


def views_of(link: ShareLink) -> int:
    """Return how often the link was opened: stored, plus counted and not yet stored."""
    return link.view_count + tally(TALLY).pending(link.id)


def _write(link_id: int, count: int, when) -> None:
    db.session.execute(
        db.update(ShareLink)
        .where(ShareLink.id == link_id)
        .values(view_count=ShareLink.view_count + count, last_viewed_at=when)
    )


@periodic(FLUSH_EVERY_SECONDS)
def flush() -> int:
    """Add the waiting counts to their rows, one UPDATE per link (caller commits); return views stored."""
    return store(tally(TALLY), _write)
