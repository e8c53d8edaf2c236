"""Collections: a learner groups badges and evidence into a named, ordered portfolio.

Everything added starts private; the learner marks each item shareable one by one, and
only those appear on a collection's share link. Positions stay dense (0..n-1) so "up"
and "down" always move an item by exactly one place. The caller commits, once, so a
reorder is one transaction. Access (whose collection, whose badge) is checked by the
policy before these functions are called; they check ownership again because a
collection must never hold another learner's things, whichever path got here.
"""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.orm import joinedload, selectinload

from backpack.extensions import db
from backpack.models import Award, Collection, CollectionItem, Evidence, User
from backpack.models.collection import NAME_LENGTH
from backpack.models.time import utcnow
from backpack.web.refusal import Refusal

MAX_COLLECTIONS = 50
MAX_ITEMS = 100
UP, DOWN = "up", "down"


class CollectionRefused(Refusal):
    """A change to a collection that cannot be made, with the reason."""


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise CollectionRefused(_l("Give the collection a name."))
    if len(name) > NAME_LENGTH:
        raise CollectionRefused(_l("The name can be at most %(max)d characters long.", max=NAME_LENGTH))
    return name


def collections_of(owner: User) -> list[Collection]:
    """Return the learner's collections, newest change first, with their items loaded."""
    return list(
        db.session.scalars(
            db.select(Collection)
            .where(Collection.owner_id == owner.id)
            .options(selectinload(Collection.items))
            .order_by(Collection.updated_at.desc(), Collection.id.desc())
        )
    )


def items_of(collection: Collection, *, shareable_only: bool = False) -> list[CollectionItem]:
    """Return the items in order, with everything a page shows loaded in one query."""
    award = joinedload(CollectionItem.award)
    query = (
        db.select(CollectionItem)
        .where(CollectionItem.collection_id == collection.id)
        .options(
            award.joinedload(Award.achievement),
            award.joinedload(Award.issuer),
            award.joinedload(Award.status_list),
            joinedload(CollectionItem.evidence),
        )
        .order_by(CollectionItem.position, CollectionItem.id)
    )
    if shareable_only:
        query = query.where(CollectionItem.shareable.is_(True))
    return list(db.session.scalars(query))


def create(owner: User, name: str, description: str | None = None) -> Collection:
    """Start an empty collection for the learner."""
    count = db.session.scalar(db.select(db.func.count(Collection.id)).where(Collection.owner_id == owner.id))
    if count >= MAX_COLLECTIONS:
        raise CollectionRefused(
            lazy_ngettext(
                "You can have at most %(num)d collection. Delete one you no longer use.",
                "You can have at most %(num)d collections. Delete one you no longer use.",
                MAX_COLLECTIONS,
            )
        )
    collection = Collection(owner_id=owner.id, name=_name(name), description=(description or "").strip() or None)
    db.session.add(collection)
    db.session.flush()
    return collection


def rename(collection: Collection, name: str, description: str | None = None) -> None:
    """Change the collection's name and description."""
    collection.name = _name(name)
    collection.description = (description or "").strip() or None
    _touch(collection)


def delete(collection: Collection) -> None:
    """Delete the collection; its items and share links go with it (the badges and evidence stay)."""
    db.session.delete(collection)


def _touch(collection: Collection) -> None:
    collection.updated_at = utcnow()


def _existing(collection: Collection, **target) -> CollectionItem | None:
    return db.session.scalar(db.select(CollectionItem).filter_by(collection_id=collection.id, **target))


def _append(collection: Collection, **target) -> CollectionItem:
    existing = _existing(collection, **target)
    if existing is not None:
        return existing  # adding twice changes nothing
    count = db.session.scalar(
        db.select(db.func.count(CollectionItem.id)).where(CollectionItem.collection_id == collection.id)
    )
    if count >= MAX_ITEMS:
        raise CollectionRefused(
            lazy_ngettext(
                "A collection can hold at most %(num)d item. Start another collection.",
                "A collection can hold at most %(num)d items. Start another collection.",
                MAX_ITEMS,
            )
        )
    item = CollectionItem(collection_id=collection.id, position=count, shareable=False, **target)
    db.session.add(item)
    _touch(collection)
    db.session.flush()
    return item


def add_award(collection: Collection, award: Award) -> CollectionItem:
    """Add one of the learner's own badges, private; a badge already in it stays where it is."""
    if award.learner_id != collection.owner_id:
        raise CollectionRefused(_l("You can only add your own badges."), 404)
    return _append(collection, award_id=award.id)


def add_evidence(collection: Collection, evidence: Evidence) -> CollectionItem:
    """Add one of the learner's own evidence items, private; one already in it stays where it is."""
    if evidence.owner_id != collection.owner_id:
        raise CollectionRefused(_l("You can only add your own evidence."), 404)
    return _append(collection, evidence_id=evidence.id)


def _renumber(items: list[CollectionItem]) -> None:
    """Close gaps (an item deleted elsewhere leaves one) so positions are 0..n-1 again."""
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position


def remove(item: CollectionItem) -> None:
    """Take an item out of its collection; the badge or evidence itself stays."""
    collection = item.collection
    rest = [other for other in items_of(collection) if other.id != item.id]
    db.session.delete(item)
    _renumber(rest)
    _touch(collection)


def move(item: CollectionItem, direction: str) -> None:
    """Move an item one place up or down; at either end nothing changes."""
    items = items_of(item.collection)
    _renumber(items)
    index = next(i for i, other in enumerate(items) if other.id == item.id)
    target = index - 1 if direction == UP else index + 1
    if direction not in (UP, DOWN) or not 0 <= target < len(items):
        return
    items[index].position, items[target].position = target, index
    _touch(item.collection)


def set_shareable(item: CollectionItem, shareable: bool) -> None:
    """Mark an item shareable (shown on the collection's share links) or private."""
    item.shareable = bool(shareable)
    _touch(item.collection)

