"""Offers: one QR code that any wallet can redeem once, within 15 minutes, for one badge.

The QR code holds an interaction URL of ours. A wallet asks it (``?iuv=1``) which protocols we
speak: a VC-API exchange URL and an OpenID4VCI credential offer. A phone camera opens it as a
page with one button per kind of wallet.
"""
import base64
import hashlib
import hmac
import json
import secrets
from datetime import timedelta
from urllib.parse import quote, urlencode

from flask import current_app
from flask_babel import lazy_gettext as _l

from backpack.credentials.keys import open_private_key, seal_private_key
from backpack.extensions import db
from backpack.models import Award, User, WalletOffer
from backpack.models.time import utcnow
from backpack.web.origin import public_origin, public_url
from backpack.web.refusal import Refusal

LIFETIME = timedelta(minutes=15)
TOKEN_BYTES = 24
TX_CODE_DIGITS = 6
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
CONFIGURATION_ID = "OpenBadgeCredential"
LCW_REQUEST = "https://lcw.app/request"


class OfferRefused(Refusal):
    """A wallet offer that cannot be made for this badge."""


REVOKED = _l("This badge was revoked, so it cannot be added to a wallet.")
EXPIRED = _l("This badge has expired, so it cannot be added to a wallet.")


def secret_hash(value: str) -> str:
    """Return the SHA-256 (hex) under which a secret is stored and looked up."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _seal(value: str) -> str:
    return seal_private_key(value.encode(), current_app.config["KEY_ENCRYPTION_SECRET"])


def _unseal(sealed: str) -> str:
    return open_private_key(sealed, current_app.config["KEY_ENCRYPTION_SECRET"]).decode()


def pre_authorized_code(token: str) -> str:
    """Return the offer's pre-authorized code: derived from its token, so the offer URI can name it.

    Distinct from the token, which travels in URL paths (and so in logs); the code only in bodies.
    """
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), b"pre-authorized:" + token.encode(), "sha256")
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def create(award: Award, learner: User, *, ask_code: bool = False) -> tuple[WalletOffer, str]:
    """Make a single-use offer of the learner's badge; return it and its token.

    ask_code: the wallet must also type a transaction code shown on the learner's phone.
    """
    if award.is_revoked:
        raise OfferRefused(REVOKED, 409)
    if award.is_expired():
        raise OfferRefused(EXPIRED, 409)
    token, now = secrets.token_urlsafe(TOKEN_BYTES), utcnow()
    tx_code = "".join(secrets.choice("0123456789") for _ in range(TX_CODE_DIGITS)) if ask_code else None
    offer = WalletOffer(
        award=award,
        learner=learner,
        token_hash=secret_hash(token),
        sealed_token=_seal(token),
        pre_authorized_code_hash=secret_hash(pre_authorized_code(token)),
        sealed_tx_code=_seal(tx_code) if tx_code else None,
        tx_code_failures=0,
        created_at=now,
        expires_at=now + LIFETIME,
    )
    db.session.add(offer)
    db.session.flush()
    return offer, token


def by_token(token: str) -> WalletOffer | None:
    """Return the offer an interaction, exchange or offer URL names (live or not), or None."""
    return db.session.scalar(db.select(WalletOffer).where(WalletOffer.token_hash == secret_hash(token)))


def token_of(offer: WalletOffer) -> str:
    """Return the offer's token, to show its QR code again."""
    return _unseal(offer.sealed_token)


def tx_code_of(offer: WalletOffer) -> str | None:
    """Return the transaction code the learner types into the wallet, if the offer asks for one."""
    return _unseal(offer.sealed_tx_code) if offer.sealed_tx_code else None


def interaction_url(token: str) -> str:
    """Return the URL the QR code holds."""
    return public_url("wallet.interaction", token=token)


def exchange_url(token: str) -> str:
    """Return the VC-API exchange URL of the offer."""
    return public_url("wallet.exchange_step", token=token)


def offer_url(token: str) -> str:
    """Return the credential_offer_uri: where the credential offer object is served."""
    return public_url("wallet.credential_offer", token=token)


def credential_issuer() -> str:
    """Return our OpenID4VCI Credential Issuer Identifier: the configured origin."""
    return public_origin()


def credential_offer(offer: WalletOffer, token: str) -> dict:
    """Return the OpenID4VCI credential offer object (section 4.1.1) for the pre-authorized code flow."""
    grant = {"pre-authorized_code": pre_authorized_code(token)}
    if offer.sealed_tx_code:
        grant["tx_code"] = {
            "input_mode": "numeric",
            "length": TX_CODE_DIGITS,
            "description": str(_l("Type the number shown in your backpack.")),
        }
    return {
        "credential_issuer": credential_issuer(),
        "credential_configuration_ids": [CONFIGURATION_ID],
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }


def openid_offer_link(token: str) -> str:
    """Return the openid-credential-offer:// link that passes the offer by reference."""
    return "openid-credential-offer://?" + urlencode({"credential_offer_uri": offer_url(token)})


def protocols(token: str) -> dict:
    """Return the protocols object an interaction URL answers with ``?iuv=1``."""
    return {"vcapi": exchange_url(token), "OID4VCI": openid_offer_link(token)}


def lcw_link(token: str) -> str:
    """Return the Learner Credential Wallet's deep link to this offer's exchange."""
    request = {"credentialRequestOrigin": public_origin(), "protocols": protocols(token)}
    return f"{LCW_REQUEST}?request=" + quote(json.dumps(request, separators=(",", ":")), safe="")

