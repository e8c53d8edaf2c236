"""What wallets call: the interaction URL, OpenID4VCI metadata, token, nonce and credential
endpoints, the credential offer, and the VC-API exchange.

Wallets call these from an app with no cookie and no CSRF token, so each POST is exempt from
CSRF: the token endpoint is authenticated by the pre-authorized code, the credential endpoint by
the access token, the exchange by its unguessable URL and the holder's signature. All answer JSON,
never cached; the public metadata and the offer may be read cross-origin (by web wallets).
"""
from flask import Response, jsonify, render_template, request
from flask_babel import gettext as _

from backpack.extensions import csrf, db, limiter
from backpack.wallet import bp, exchange, offers, openid4vci

PUBLIC_LIMIT = "60 per minute"
# A guessed code or exchange URL is 192 bits: the limit only keeps floods off the database.
REDEEM_LIMIT = "30 per minute"
MAX_BODY_BYTES = 64 * 1024


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _public(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _oauth_error(refusal: openid4vci.OAuthError) -> Response:
    db.session.commit()  # failed transaction codes are counted
    response = jsonify(refusal.body())
    response.status_code = refusal.status
    if refusal.status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer error="{refusal.error}"'
    return _no_store(response)


def _json_body():
    request.max_content_length = MAX_BODY_BYTES
    return request.get_json(silent=True)


@bp.get("/.well-known/openid-credential-issuer")
def issuer_metadata():
    """OpenID4VCI Credential Issuer Metadata."""
    response = jsonify(openid4vci.issuer_metadata())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return _public(response)


@bp.get("/.well-known/oauth-authorization-server")
def authorization_server_metadata():
    """RFC 8414 Authorization Server Metadata, for the pre-authorized code grant."""
    response = jsonify(openid4vci.authorization_server_metadata())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return _public(response)


def _wants_json() -> bool:
    return request.args.get("iuv") == "1" or request.accept_mimetypes.best == "application/json"


@bp.get("/wallet/i/<token>")
@limiter.limit(PUBLIC_LIMIT)
def interaction(token: str):
    """The URL in the QR code: the protocols for a wallet (?iuv=1), a page of buttons for a browser."""
    found = offers.by_token(token)
    live = found is not None and found.is_live()
    if _wants_json():
        if not live:
            response = jsonify({"name": "NotFoundError", "message": str(exchange.GONE)})
            response.status_code = 404 if found is None else 410
            return _no_store(response)
        return _no_store(jsonify({"protocols": offers.protocols(token)}))
    if not live:
        return render_template("wallet/interaction_gone.html"), 404 if found is None else 410
    award = found.award
    return _no_store(Response(render_template(
        "wallet/interaction.html",
        award=award,
        text=award.achievement.text_in(found.learner.preferred_language or "en"),
        lcw_link=offers.lcw_link(token),
        openid_link=offers.openid_offer_link(token),
    )))


@bp.get("/wallet/offers/<token>")
@limiter.limit(PUBLIC_LIMIT)
def credential_offer(token: str):
    """The credential offer object a credential_offer_uri names."""
    found = offers.by_token(token)
    if found is None or not found.is_live() or found.claimed_at is not None:
        response = jsonify({"error": "invalid_grant", "error_description": str(exchange.GONE)})
        response.status_code = 404
        return _public(_no_store(response))
    return _public(_no_store(jsonify(offers.credential_offer(found, token))))


@bp.post("/wallet/token")
@csrf.exempt
@limiter.limit(REDEEM_LIMIT)
def token():
    """OAuth 2.0 token endpoint for the pre-authorized code grant (form-encoded)."""
    request.max_content_length = MAX_BODY_BYTES
    try:
        access_token, lifetime = openid4vci.grant_token(request.form)
    except openid4vci.OAuthError as refusal:
        return _oauth_error(refusal)
    db.session.commit()
    return _no_store(jsonify({"access_token": access_token, "token_type": "Bearer", "expires_in": lifetime}))


@bp.post("/wallet/nonce")
@csrf.exempt
@limiter.limit(PUBLIC_LIMIT)
def nonce():
    """The nonce endpoint: a fresh c_nonce for the next proof of possession (writes nothing)."""
    return _no_store(jsonify({"c_nonce": openid4vci.new_nonce()}))


@bp.post("/wallet/credential")
@csrf.exempt
@limiter.limit(REDEEM_LIMIT)
def credential():
    """The credential endpoint: the badge, bound to the key the jwt proof shows the wallet holds."""
    try:
        offer = openid4vci.offer_of_access_token(request.headers.get("Authorization"))
        if not request.is_json:
            raise openid4vci.OAuthError("invalid_credential_request", _("Send the credential request as JSON."))
        copy = openid4vci.issue_credential(offer, _json_body())
    except openid4vci.OAuthError as refusal:
        db.session.rollback()
        return _oauth_error(refusal)
    db.session.commit()
    return _no_store(jsonify(openid4vci.credential_response(copy)))


@bp.post("/wallet/exchanges/<token>")
@csrf.exempt
@limiter.limit(REDEEM_LIMIT)
def exchange_step(token: str):
    """The VC-API exchange: {} gets the DID Authentication request; a signed presentation gets the badge."""
    try:
        answer = exchange.step(offers.by_token(token), _json_body())
    except exchange.ExchangeError as refusal:
        db.session.rollback()
        response = jsonify(refusal.body())
        response.status_code = refusal.status
        return _no_store(response)
    db.session.commit()
    return _no_store(jsonify(answer))
