"""Revocation through BitstringStatusLists: allocate an index per award, flip it to revoke."""
import json
import secrets

from flask_babel import lazy_gettext as _l

from backpack.credentials import proof
from backpack.credentials.status_list import (
    StatusList as Bitstring,
    build_status_entry,
    build_status_list_credential,
)
from backpack.extensions import db
from backpack.issuing.issuers import signing_key
from backpack.models import Award, Issuer, StatusList, User
from backpack.models.time import utcnow
from backpack.notify import enqueue_for
from backpack.web.origin import public_origin
from backpack.web.refusal import Refusal

LIST_LENGTH = 131_072
# Start a fresh list at half full, so a random free index is found in a try or two.
FILL_LIMIT = LIST_LENGTH // 2


class RevocationError(Refusal):
    """A revocation that cannot be done."""

    status = 409


ALREADY_REVOKED = _l("This badge was already revoked.")


def list_url(status_list: StatusList) -> str:
    return f"{public_origin()}/status/{status_list.public_id}"


def _open_list(issuer: Issuer) -> StatusList:
    current = db.session.scalar(
        db.select(StatusList)
        .where(StatusList.issuer_id == issuer.id, StatusList.used < FILL_LIMIT)
        .order_by(StatusList.id.desc())
        .limit(1)
    )
    if current is None:
        current = StatusList(
            issuer=issuer, length=LIST_LENGTH, bits=bytes(LIST_LENGTH // 8), used=0, version=0
        )
        db.session.add(current)
        db.session.flush()
        publish(current)
    return current


def allocate(issuer: Issuer) -> tuple[StatusList, int, dict]:
    """Reserve a random unused index (random, so an index says nothing about who or when)."""
    status_list = _open_list(issuer)
    while True:
        index = secrets.randbelow(status_list.length)
        taken = db.session.scalar(
            db.select(Award.id).where(
                Award.status_list_id == status_list.id, Award.status_index == index
            )
        )
        if taken is None:
            break
    # Counted in SQL, so awards made at the same moment on PostgreSQL each count.
    status_list.used = StatusList.used + 1
    return status_list, index, build_status_entry(list_url=list_url(status_list), index=index)


def publish(status_list: StatusList) -> None:
    """Sign the list as it is now; verifiers fetch this at the list's stable URL."""
    key = signing_key(status_list.issuer)
    bitstring = Bitstring(bits=status_list.bits)
    unsigned = build_status_list_credential(
        list_url=list_url(status_list),
        issuer_id=status_list.issuer.did,
        status_list=bitstring,
        valid_from=proof.timestamp(),
    )
    signed = proof.sign(unsigned, key, key.verification_method)
    status_list.credential_json = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
    status_list.version += 1
    status_list.updated_at = utcnow()


def revoke(award: Award, reason: str, *, by: User | None) -> None:
    """Revoke an award with a reason: its bit flips and the list is re-signed at once."""
    done = db.session.execute(
        db.update(Award)
        .where(Award.id == award.id, Award.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revocation_reason=reason.strip(), revoked_by_id=by.id if by else None)
    ).rowcount
    if done != 1:
        raise RevocationError(ALREADY_REVOKED)
    db.session.refresh(award)
    status_list = award.status_list
    bitstring = Bitstring(bits=status_list.bits)
    bitstring.set(award.status_index, True)
    status_list.bits = bitstring.bits
    publish(status_list)
    enqueue_for(award.learner, "badge-revoked", award=award)
