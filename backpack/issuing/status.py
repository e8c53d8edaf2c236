"""Revocation through BitstringStatusLists: allocate an index per award, flip it to revoke.

A list's URL is fixed when the list is made, so what issued credentials point at never
follows the configured origin. Each signed copy lapses after STATUS_LIST_TTL_HOURS, so a
saved old copy cannot hide a later revocation for long: the worker re-signs lists at half
that age (`refresh_due`), and readers sign a copy in memory if it lapsed anyway (`current_copy`).
"""
import json
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from backpack.credentials import proof
from backpack.credentials.status_list import StatusList as Bitstring
from backpack.credentials.status_list import build_status_entry, build_status_list_credential
from backpack.extensions import db
from backpack.issuing.issuers import signing_key
from backpack.models import Award, Issuer, StatusList, User
from backpack.models.issuer import new_public_id
from backpack.models.time import utcnow
from backpack.models.transactions import take_write_lock
from backpack.notify import enqueue_for
from backpack.notify.worker import periodic
from backpack.web.origin import public_url
from backpack.web.refusal import Refusal

LIST_LENGTH = 131_072
# Start a fresh list at half full, so a random free index is found in a try or two.
FILL_LIMIT = LIST_LENGTH // 2
REFRESH_BATCH = 50
# Caches may keep a served copy this long, so a stored copy closer than this to lapsing
# is not served as it is.
CACHE_SECONDS = 300


class RevocationError(Refusal):
    """A revocation that cannot be done."""

    status = 409


ALREADY_REVOKED = _l("This badge was already revoked.")


def ttl() -> timedelta:
    """How long a signed copy of a list stays valid."""
    return timedelta(hours=current_app.config["STATUS_LIST_TTL_HOURS"])


def list_url(status_list: StatusList) -> str:
    """The URL fixed when the list was made; every entry and every signed copy names it."""
    return status_list.url


def _open_list(issuer: Issuer) -> StatusList:
    """Return the issuer's list with room, locked until the commit (a new one if all are full).

    On PostgreSQL the row lock (FOR UPDATE) makes awards of one issuer at the same moment draw
    their indexes one after the other, each seeing the indexes the one before committed. SQLite
    has no row locks and the award signs before it takes the write lock, so there `confirm`
    checks the indexes again under that lock: either way two awards never get the same index.
    """
    current = db.session.scalar(
        db.select(StatusList)
        .where(StatusList.issuer_id == issuer.id, StatusList.used < FILL_LIMIT)
        .order_by(StatusList.id.desc())
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if current is None:
        public_id = new_public_id()
        current = StatusList(
            public_id=public_id,
            url=public_url("issuing.status_list", public_id=public_id),
            issuer=issuer,
            length=LIST_LENGTH,
            bits=bytes(LIST_LENGTH // 8),
            used=0,
            version=0,
        )
        db.session.add(current)
        db.session.flush()
        publish(current)
    return current


def allocate(issuer: Issuer) -> tuple[StatusList, int, dict]:
    """Reserve one random unused index (random, so an index says nothing about who or when)."""
    return allocate_many(issuer, 1)[0]


def allocate_many(issuer: Issuer, count: int) -> list[tuple[StatusList, int, dict]]:
    """Reserve count random unused indexes, drawn together, with a query or two per list."""
    reserved: list[tuple[StatusList, int, dict]] = []
    while len(reserved) < count:
        status_list = _open_list(issuer)
        take = min(count - len(reserved), max(1, FILL_LIMIT - status_list.used))
        url = list_url(status_list)
        reserved.extend(
            (status_list, index, build_status_entry(list_url=url, index=index))
            for index in _free_indexes(status_list, take)
        )
        # Counted in SQL, so awards made at the same moment on PostgreSQL each count.
        status_list.used = StatusList.used + take
        if len(reserved) < count:
            db.session.flush()  # this list is full: let the next query see it so (rare: every 65,536 awards)
    return reserved


def _free_indexes(status_list: StatusList, count: int, avoid: frozenset[int] = frozenset()) -> list[int]:
    """Draw count distinct random indexes, in the order drawn, that no award of the list uses yet.

    avoid: indexes this unit of work holds already, not stored yet.
    """
    chosen: dict[int, None] = {}
    while len(chosen) < count:
        candidates = [secrets.randbelow(status_list.length) for _ in range(count - len(chosen))]
        taken = _taken(status_list, candidates) | avoid
        chosen.update((index, None) for index in candidates if index not in taken)
    return list(chosen)[:count]


def _taken(status_list: StatusList, indexes: list[int]) -> set[int]:
    """Return which of these indexes an award of the list uses."""
    return set(
        db.session.scalars(
            db.select(Award.status_index).where(Award.status_list_id == status_list.id, Award.status_index.in_(indexes))
        )
    )


def confirm(reserved: list[tuple[StatusList, int, dict]]) -> dict[int, tuple[StatusList, int, dict]]:
    """Swap each reserved index that an award committed meanwhile for a free one; return {position: new}.

    Call it holding the write lock (models.transactions.take_write_lock), after signing: on
    SQLite the indexes were drawn without the lock, so that signing never holds it, and
    another award may have stored one of them since (rare: each is drawn from at least 65,536
    free ones). Only the swapped ones need signing again. On PostgreSQL the list's row lock
    kept them, so none is.
    """
    swapped: dict[int, tuple[StatusList, int, dict]] = {}
    by_list: dict[int, list[int]] = {}
    for position, (status_list, _index, _entry) in enumerate(reserved):
        by_list.setdefault(status_list.id, []).append(position)
    for positions in by_list.values():
        status_list = reserved[positions[0]][0]
        mine = [reserved[position][1] for position in positions]
        taken = _taken(status_list, mine)
        held = frozenset(mine)
        for position in positions:
            if reserved[position][1] in taken:
                (index,) = _free_indexes(status_list, 1, avoid=held)
                held |= {index}
                swapped[position] = (status_list, index, build_status_entry(list_url=list_url(status_list), index=index))
    return swapped


def sign_copy(status_list: StatusList, now: datetime) -> tuple[dict, datetime]:
    """Sign the list's stored bits, valid from now for one TTL; return it and its validUntil."""
    now = now.replace(microsecond=0)
    until = now + ttl()
    key = signing_key(status_list.issuer)
    unsigned = build_status_list_credential(
        list_url=list_url(status_list),
        issuer_id=status_list.issuer.did,
        status_list=Bitstring(bits=status_list.bits),
        valid_from=proof.timestamp(now),
        valid_until=proof.timestamp(until),
        ttl_ms=int(ttl().total_seconds() * 1000),
        purpose=status_list.purpose,
    )
    return proof.sign(unsigned, key, key.verification_method, proof.timestamp(now)), until


def _dump(credential: dict) -> str:
    return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))


def publish(status_list: StatusList, now: datetime | None = None) -> None:
    """Sign the list as it is now and store the copy verifiers fetch at its URL."""
    signed, until = sign_copy(status_list, now or utcnow())
    status_list.credential_json = _dump(signed)
    status_list.valid_until = until
    # Counted in SQL: a refresh and a revocation at the same moment still make two versions.
    status_list.version = StatusList.version + 1
    status_list.updated_at = utcnow()


# Every ten minutes: well inside half a list's time to live, when it becomes due.
@periodic(600)
def refresh_due(now: datetime | None = None) -> int:
    """Re-sign every list less than half its TTL from lapsing; flush per batch, the caller commits.

    Each write holds only if the list's version is still the one read, so a revocation
    signed meanwhile is never replaced by a copy of the bits from before it.
    """
    now = now or utcnow()
    due = now + ttl() / 2
    refreshed, after = 0, 0
    while True:
        batch = db.session.scalars(
            db.select(StatusList)
            .where(
                StatusList.id > after,
                db.or_(StatusList.valid_until.is_(None), StatusList.valid_until < due),
            )
            .order_by(StatusList.id)
            .limit(REFRESH_BATCH)
            .execution_options(populate_existing=True)
        ).all()
        if not batch:
            return refreshed
        signed = [(status_list.id, status_list.version, *sign_copy(status_list, now)) for status_list in batch]
        for list_id, version, credential, until in signed:
            refreshed += db.session.execute(
                db.update(StatusList)
                .where(StatusList.id == list_id, StatusList.version == version)
                .values(
                    credential_json=_dump(credential),
                    valid_until=until,
                    version=StatusList.version + 1,
                    updated_at=utcnow(),
                )
                .execution_options(synchronize_session=False)
            ).rowcount
        db.session.flush()
        after = batch[-1].id
        for status_list in batch:
            db.session.expire(status_list)


def current_copy(status_list: StatusList, now: datetime | None = None) -> tuple[str, datetime]:
    """Return the signed list as JSON and its validUntil, signing in memory if the stored copy lapsed.

    Reads never write: if the worker has not re-signed the list in time, verifiers still get
    a fresh copy of the stored bits, and nothing is stored.
    """
    now = now or utcnow()
    until = status_list.valid_until
    if status_list.credential_json and until and until > now + timedelta(seconds=CACHE_SECONDS):
        return status_list.credential_json, until
    credential, until = sign_copy(status_list, now)
    return _dump(credential), until


def locked(status_list_id: int) -> StatusList:
    """Read a list's row afresh and lock it until the commit (FOR UPDATE on PostgreSQL).

    Two revocations on one list at the same moment each read the bits the other wrote,
    so neither bit is lost (SQLite serialises writers anyway).
    """
    return db.session.scalar(
        db.select(StatusList)
        .where(StatusList.id == status_list_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def revoke(award: Award, reason: str, *, by: User | None) -> None:
    """Revoke an award with a reason: its bit flips and the list is re-signed at once.

    The write lock is taken first (SQLite: BEGIN IMMEDIATE, which waits for it instead of
    failing), the award's row is written, then the list is read under its row lock, so the
    bits changed are the latest.
    """
    take_write_lock()
    done = db.session.execute(
        db.update(Award)
        .where(Award.id == award.id, Award.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revocation_reason=reason.strip(), revoked_by_id=by.id if by else None)
    ).rowcount
    if done != 1:
        raise RevocationError(ALREADY_REVOKED)
    db.session.refresh(award)
    status_list = locked(award.status_list_id)
    bitstring = Bitstring(bits=status_list.bits)
    bitstring.set(award.status_index, True)
    status_list.bits = bitstring.bits
    publish(status_list)
    enqueue_for(award.learner, "badge-revoked", award=award)
