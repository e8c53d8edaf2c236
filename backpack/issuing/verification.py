"""Verify a credential with the status lists this server publishes read straight from the database."""
import json
from urllib.parse import urlsplit

from backpack.credentials.verify import VerificationResult, verify_credential
from backpack.extensions import db
from backpack.issuing.status import current_copy
from backpack.models import Award, StatusList


def local_status_list(url: str) -> dict | None:
    """Return a status list credential we publish, by its URL, without an HTTP round trip.

    The revocation bits are read from the database, signed afresh in memory if the stored
    copy lapsed; a URL other than the one the list was made with is not ours.
    """
    public_id = urlsplit(url).path.rsplit("/", 1)[-1]
    status_list = db.session.scalar(db.select(StatusList).where(StatusList.public_id == public_id))
    if status_list is None or status_list.url != url:
        return None
    return json.loads(current_copy(status_list)[0])


def verify_award(award: Award) -> VerificationResult:
    """Check the award's stored credential as any verifier would."""
    return verify_credential(json.loads(award.credential_json), fetch_status_list=local_status_list)
