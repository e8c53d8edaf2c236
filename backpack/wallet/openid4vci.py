"""OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow, for one badge at a time.

Metadata (section 12.2), the token endpoint (RFC 6749 with the pre-authorized code grant,
section 6), the nonce endpoint (section 7) and the credential endpoint (section 8) with a jwt
proof of possession (Appendix F.1). Errors carry the codes the spec names.
"""
import json
import secrets
from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer

from backpack.credentials.openbadge import CONTEXT, CREDENTIAL_TYPE
from backpack.extensions import db
from backpack.i18n import supported
from backpack.i18n.tags import language_tag
from backpack.models import WalletCopy, WalletOffer, WalletProtocol
from backpack.models.time import utcnow
from backpack.wallet import copies, holder, offers
from backpack.web.origin import public_url

NONCE_SECONDS = 300
MAX_TX_CODE_FAILURES = 3
_NONCE_SALT = "backpack-openid4vci-nonce"


class OAuthError(Exception):
    """A refusal with an OAuth 2.0 / OpenID4VCI error code and a description for the wallet's user."""

    def __init__(self, error: str, description, status: int = 400):
        super().__init__(str(description))
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict:
        """Return the JSON error body (RFC 6749 section 5.2)."""
        return {"error": self.error, "error_description": str(self.description)}


def _display(names: Mapping[str, str]) -> list[dict]:
    return [{"name": name, "locale": locale} for locale, name in names.items()]


def _names(message) -> dict[str, str]:
    """Return a message in every language we offer, by BCP 47 tag, for the metadata's display entries."""
    names = {}
    for code in supported():
        with force_locale(code):
            names[language_tag(code)] = str(message)
    return names


def issuer_metadata() -> dict:
    """Return the Credential Issuer Metadata served at /.well-known/openid-credential-issuer."""
    configuration = {
        "format": "ldp_vc",
        "credential_definition": {"@context": list(CONTEXT), "type": list(CREDENTIAL_TYPE)},
        "cryptographic_binding_methods_supported": list(holder.DID_METHODS),
        "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": list(holder.PROOF_ALGORITHMS)}},
        "credential_metadata": {"display": _display(_names(_l("Open Badge")))},
    }
    return {
        "credential_issuer": offers.credential_issuer(),
        "credential_endpoint": public_url("wallet.credential"),
        "nonce_endpoint": public_url("wallet.nonce"),
        "display": [{"name": current_app.config["BACKPACK_NAME"]}],
        "credential_configurations_supported": {offers.CONFIGURATION_ID: configuration},
    }


def authorization_server_metadata() -> dict:
    """Return RFC 8414 metadata: we are our own authorization server, for the pre-authorized code only."""
    return {
        "issuer": offers.credential_issuer(),
        "token_endpoint": public_url("wallet.token"),
        "grant_types_supported": [offers.PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "response_types_supported": [],
    }


def grant_token(form: Mapping[str, str]) -> tuple[str, int]:
    """Exchange a pre-authorized code (and its tx_code) for an access token; return it and its lifetime.

    The code works once: the offer is then claimed by this wallet. Wrong transaction codes count;
    after three the offer is spent.
    """
    if form.get("grant_type") != offers.PRE_AUTHORIZED_GRANT:
        raise OAuthError("unsupported_grant_type", _l("Only the pre-authorized code grant is supported here."))
    code = form.get("pre-authorized_code")
    if not code:
        raise OAuthError("invalid_request", _l("The pre-authorized_code is missing."))
    offer = db.session.scalar(
        db.select(WalletOffer).where(WalletOffer.pre_authorized_code_hash == offers.secret_hash(code))
    )
    now = utcnow()
    if offer is None or not offer.is_live(now) or offer.claimed_at is not None:
        raise OAuthError("invalid_grant", _l("This offer is unknown, expired or already used. Make a new QR code."))
    if not offer.sealed_tx_code and form.get("tx_code"):
        raise OAuthError("invalid_request", _l("This offer has no transaction code: send none."))
    if offer.sealed_tx_code:
        if not form.get("tx_code"):
            raise OAuthError("invalid_request", _l("This offer needs the transaction code shown in the backpack."))
        if not secrets.compare_digest(form["tx_code"].encode(), offers.tx_code_of(offer).encode()):
            offer.tx_code_failures += 1
            if offer.tx_code_failures >= MAX_TX_CODE_FAILURES:
                offer.used_at = now
            raise OAuthError("invalid_grant", _l("The transaction code is not right."))
    token = secrets.token_urlsafe(32)
    # One statement that claims the offer only if nobody did: two wallets with the same code at
    # the same moment cannot both get a token.
    claimed = db.session.execute(
        db.update(WalletOffer)
        .where(WalletOffer.id == offer.id, WalletOffer.claimed_at.is_(None), WalletOffer.used_at.is_(None))
        .values(claimed_at=now, claimed_by=WalletProtocol.OPENID4VCI, access_token_hash=offers.secret_hash(token)),
        execution_options={"synchronize_session": False},
    ).rowcount
    if claimed != 1:
        raise OAuthError("invalid_grant", _l("This offer is unknown, expired or already used. Make a new QR code."))
    return token, max(1, int((offer.expires_at - now).total_seconds()))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_NONCE_SALT)


def new_nonce() -> str:
    """Return a fresh c_nonce: signed, valid for five minutes, usable for one credential."""
    return _serializer().dumps(secrets.token_hex(16))


def nonce_is_fresh(nonce: Any) -> bool:
    """Tell whether a proof's nonce is one of ours, still fresh, and not yet used."""
    if not isinstance(nonce, str) or len(nonce) > 200:
        return False
    try:
        _serializer().loads(nonce, max_age=NONCE_SECONDS)
    except BadSignature:
        return False
    return not copies.nonce_used(nonce)


def offer_of_access_token(authorization: str | None) -> WalletOffer:
    """Return the offer a Bearer access token was granted for, if it may still get its credential."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise OAuthError("invalid_token", _l("Send the access token from the token endpoint as a Bearer token."), 401)
    offer = db.session.scalar(
        db.select(WalletOffer).where(WalletOffer.access_token_hash == offers.secret_hash(token.strip()))
    )
    if offer is None or not offer.is_live():
        raise OAuthError("invalid_token", _l("The access token is unknown, expired or already used."), 401)
    return offer


def _unsupported_proof(kind: Any) -> OAuthError:
    return OAuthError("invalid_proof", _l("The proof type %(kind)s is not supported: use jwt.", kind=str(kind)[:40]))


def _proof_jwt(request: Mapping[str, Any]) -> str:
    """Return the one jwt proof of a credential request, in the 1.0 ``proofs`` or the older ``proof`` form."""
    proofs, single = request.get("proofs"), request.get("proof")
    if proofs is not None and single is not None:
        raise OAuthError("invalid_credential_request", _l("Send either proofs or proof, not both."))
    if isinstance(single, Mapping):
        if single.get("proof_type") != "jwt":
            raise _unsupported_proof(single.get("proof_type"))
        return single.get("jwt")
    if not isinstance(proofs, Mapping) or not proofs:
        raise OAuthError("invalid_proof", _l("The credential request has no proof of possession."))
    unsupported = [kind for kind in proofs if kind != "jwt"]
    if unsupported:
        raise _unsupported_proof(unsupported[0])
    found = proofs["jwt"]
    if not isinstance(found, list) or len(found) != 1:
        raise OAuthError("invalid_proof", _l("Send exactly one jwt proof: one badge is issued per offer."))
    return found[0]


def issue_credential(offer: WalletOffer, request: Any) -> WalletCopy:
    """Check a credential request for the offer's badge and issue the copy to the proven key."""
    if not isinstance(request, Mapping):
        raise OAuthError("invalid_credential_request", _l("Send the credential request as a JSON object."))
    wanted = request.get("credential_configuration_id")
    if wanted != offers.CONFIGURATION_ID:
        if "credential_identifier" in request:
            raise OAuthError("unknown_credential_identifier", _l("Ask for credential_configuration_id OpenBadgeCredential."))
        raise OAuthError("unknown_credential_configuration", _l("Ask for credential_configuration_id OpenBadgeCredential."))
    jwt = _proof_jwt(request)
    try:
        did, nonce = holder.holder_of_jwt_proof(
            jwt, audience=offers.credential_issuer(), now=utcnow(), nonce_ok=nonce_is_fresh
        )
    except holder.HolderError as refusal:
        raise OAuthError(refusal.error, refusal.description) from None
    try:
        return copies.issue(offer, did, WalletProtocol.OPENID4VCI, nonce=nonce)
    except copies.CopyRefused as refusal:
        raise OAuthError("credential_request_denied", refusal.description, 403) from None
    except copies.AlreadyIssued:
        raise OAuthError("invalid_nonce", _l("This nonce or this access token was used at the same moment.")) from None


def credential_response(copy: WalletCopy) -> dict:
    """Return the credential response body (section 8.3): one credential, as signed and stored."""
    return {"credentials": [{"credential": json.loads(copy.credential_json)}]}

