"""Keep a learner's evidence: checked, stored exactly once, and deleted without leftovers.

The object store and the database must agree: the file is written only after every
check passed, and is tied to the transaction (storage.keep_with_transaction), so it is
deleted again unless the caller's commit succeeds. Functions add and flush; views commit.
An offline phone may send the same item twice, even at the same moment; the unique
(owner, idempotency key) constraint lets exactly one of them in.
"""
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from backpack.evidence.media_checks import Limits, check_media
from backpack.evidence.refusals import NoRoom
from backpack.extensions import db
from backpack.models import Collection, CollectionItem, Evidence, User
from backpack.storage import MediaStoreUnavailable, delete_after_commit, keep_with_transaction, media_store, new_key


def find(owner: User, idempotency_key: str) -> Evidence | None:
    """Return the owner's item sent with this idempotency key, if it was stored."""
    return db.session.scalar(
        db.select(Evidence).where(
            Evidence.owner_id == owner.id, Evidence.idempotency_key == idempotency_key
        )
    )


def evidence_of(owner: User) -> list[Evidence]:
    """Return the owner's evidence, newest first."""
    return list(
        db.session.scalars(
            db.select(Evidence)
            .where(Evidence.owner_id == owner.id)
            .order_by(Evidence.created_at.desc(), Evidence.id.desc())
        )
    )


def shared_ids(owner: User) -> set[int]:
    """Return the ids of the learner's evidence marked shareable in at least one collection."""
    return set(
        db.session.scalars(
            db.select(CollectionItem.evidence_id)
            .join(Collection, Collection.id == CollectionItem.collection_id)
            .where(
                Collection.owner_id == owner.id,
                CollectionItem.evidence_id.is_not(None),
                CollectionItem.shareable.is_(True),
            )
        )
    )


def save_evidence(
    owner: User,
    source,
    *,
    idempotency_key: str,
    title: str = "",
    reflection: str = "",
    captured_at: datetime | None = None,
) -> tuple[Evidence, bool]:
    """Check and store an upload once per key; return the item and whether it is new."""
    existing = find(owner, idempotency_key)
    if existing is not None:
        return existing, False
    checked = check_media(source, Limits.from_config())
    store = media_store()
    try:
        stored = store.put(checked.body, new_key())
        keep_with_transaction(db.session(), stored.key)
        thumbnail_key = None
        if checked.thumbnail:
            thumbnail_key = store.put(checked.thumbnail, new_key()).key
            keep_with_transaction(db.session(), thumbnail_key)
    except MediaStoreUnavailable:
        raise NoRoom() from None
    evidence = Evidence(
        owner_id=owner.id,
        kind=checked.kind,
        title=title,
        reflection=reflection,
        object_key=stored.key,
        thumbnail_key=thumbnail_key,
        mimetype=checked.mimetype,
        size=stored.size,
        sha256=stored.sha256,
        width=checked.width,
        height=checked.height,
        duration_seconds=checked.duration,
        captured_at=captured_at,
        idempotency_key=idempotency_key,
    )
    db.session.add(evidence)
    try:
        db.session.flush()
    except IntegrityError:
        # The same item sent twice at once: the other request's row won. Rolling back
        # ends this transaction, which deletes the files just written.
        db.session.rollback()
        existing = find(owner, idempotency_key)
        if existing is None:
            raise
        return existing, False
    return evidence, True


def delete_evidence(evidence: Evidence) -> None:
    """Delete the item; its files go once the deletion commits (a failure leaves a file, never a dangling row)."""
    db.session.delete(evidence)
    db.session.flush()
    delete_after_commit(db.session(), evidence.object_key, evidence.thumbnail_key)
