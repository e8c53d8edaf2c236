"""The VC-API exchange as the Learner Credential Wallet speaks it.

The wallet POSTs ``{}`` and gets a verifiablePresentationRequest for DID Authentication (a
challenge and our domain); it POSTs back a presentation signed by its DID's key, and gets a
presentation holding the badge issued to that DID. One exchange gives one credential, once.
"""
import json
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from backpack.credentials.jsonld import VC_V2_CONTEXT
from backpack.extensions import db
from backpack.models import WalletOffer, WalletProtocol
from backpack.models.time import utcnow
from backpack.wallet import copies, holder
from backpack.web.origin import public_origin


class ExchangeError(Exception):
    """A refused exchange step; name is a short machine-readable code."""

    def __init__(self, name: str, description, status: int = 400):
        super().__init__(str(description))
        self.name = name
        self.description = description
        self.status = status

    def body(self) -> dict:
        """Return the JSON error body."""
        return {"name": self.name, "message": str(self.description)}


GONE = _l("This exchange is unknown, expired or already used. Make a new QR code in the backpack.")


def domain() -> str:
    """Return the domain a DID Authentication proof must name: our host."""
    return urlsplit(public_origin()).netloc


def _request(offer: WalletOffer) -> dict:
    return {
        "verifiablePresentationRequest": {
            "query": [{"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}, {"method": "jwk"}]}],
            "challenge": offer.challenge,
            "domain": domain(),
        }
    }


def _start(offer: WalletOffer) -> None:
    """Claim the offer for this exchange and make its challenge, unless another wallet got there first."""
    db.session.execute(
        db.update(WalletOffer)
        .where(WalletOffer.id == offer.id, WalletOffer.challenge.is_(None), WalletOffer.claimed_at.is_(None))
        .values(challenge=secrets.token_urlsafe(24), claimed_at=utcnow(), claimed_by=WalletProtocol.VC_API),
        execution_options={"synchronize_session": False},
    )
    db.session.refresh(offer)
    if offer.claimed_by != WalletProtocol.VC_API:
        raise ExchangeError("NotAllowedError", GONE, 409)


def step(offer: WalletOffer | None, body: Any) -> dict:
    """Answer one POST to the exchange: the DID Authentication request, or the badge; the caller commits."""
    if offer is None or not offer.is_live():
        raise ExchangeError("NotFoundError", GONE, 404)
    if offer.claimed_by not in (None, WalletProtocol.VC_API):
        raise ExchangeError("NotAllowedError", GONE, 409)
    if not isinstance(body, Mapping):
        raise ExchangeError("DataError", _l("Send a JSON object."))
    presentation = body.get("verifiablePresentation")
    if presentation is None:
        if offer.challenge is None:
            _start(offer)
        return _request(offer)
    if offer.challenge is None:
        raise ExchangeError("NotAllowedError", _l("Start the exchange with an empty request first."))
    try:
        did = holder.holder_of_presentation(presentation, challenge=offer.challenge, domain=domain())
    except holder.HolderError as refusal:
        raise ExchangeError(refusal.error, refusal.description) from None
    try:
        copy = copies.issue(offer, did, WalletProtocol.VC_API)
    except copies.CopyRefused as refusal:
        raise ExchangeError("NotAllowedError", refusal.description, 403) from None
    except copies.AlreadyIssued:
        raise ExchangeError("NotFoundError", GONE, 404) from None
    return {
        "verifiablePresentation": {
            "@context": [VC_V2_CONTEXT],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [json.loads(copy.credential_json)],
        }
    }
