"""The API's machine endpoints: discovery, registration, tokens, revocation, credentials, profile.

Platforms call these from their servers with no cookie and no CSRF token, so each state
change here is exempt from CSRF: registration is open (and rate-limited), the token and
revocation endpoints authenticate the platform by its secret, and the resource endpoints
by a bearer token.
"""
from flask import Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from backpack.api import bp, imsx, resources, scopes
from backpack.api.bearer import require_scope
from backpack.api.discovery import service_description
from backpack.api.resources import ApiRefused
from backpack.api.server import authorization
from backpack.extensions import csrf, db, limiter

API = "/ims/ob/v3p0"
REGISTRATION_LIMIT = "10 per minute"
FORM_MAX_BYTES = 16 * 1024


def _refused(refusal: ApiRefused) -> Response:
    db.session.rollback()
    return imsx.error(refusal.status, refusal.description, refusal.minor, major=refusal.major)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get(f"{API}/discovery")
def discovery():
    response = jsonify(service_description())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.post(f"{API}/oauth/register")
@csrf.exempt
@limiter.limit(REGISTRATION_LIMIT)
def register():
    """RFC 7591 dynamic client registration."""
    request.max_content_length = FORM_MAX_BYTES
    response = authorization.create_endpoint_response("client_registration")
    if response.status_code == 201:
        db.session.commit()
    else:
        db.session.rollback()
    return _no_store(response)


@bp.post(f"{API}/oauth/token")
@csrf.exempt
def token():
    """Exchange an authorization code (with its PKCE verifier) or a refresh token for tokens."""
    request.max_content_length = FORM_MAX_BYTES
    response = authorization.create_token_response()
    db.session.commit()  # a refused replay still revokes what the code gave
    return _no_store(response)


@bp.post(f"{API}/oauth/revoke")
@csrf.exempt
def revoke():
    """RFC 7009 token revocation."""
    request.max_content_length = FORM_MAX_BYTES
    response = authorization.create_endpoint_response("revocation")
    db.session.commit()
    return _no_store(response)


@bp.get(f"{API}/credentials")
@require_scope(scopes.CREDENTIAL_READ)
def credentials(connection):
    try:
        limit, offset, since = resources.parse_paging(request.args)
    except ApiRefused as refusal:
        return _refused(refusal)
    page, total = resources.select(resources.holdings(connection.user), limit=limit, offset=offset, since=since)
    response = Response(resources.page_body(page), mimetype="application/json")
    response.headers["X-Total-Count"] = str(total)
    response.headers["Link"] = resources.page_links(total, limit=limit, offset=offset, since=request.args.get("since"))
    return _no_store(response)


@bp.post(f"{API}/credentials")
@csrf.exempt
@require_scope(scopes.CREDENTIAL_UPSERT)
def upsert_credential(connection):
    kind = request.mimetype
    if kind not in (*resources.JSON_TYPES, resources.JWS_TYPE):
        return imsx.error(415, "Send the credential as application/json, or a VC-JWT as text/plain.")
    request.max_content_length = resources.MAX_CREDENTIAL_BYTES
    try:
        body = request.get_data()
    except RequestEntityTooLarge:
        return imsx.error(413, f"The credential is larger than {resources.MAX_CREDENTIAL_BYTES // 1024} KB.")
    try:
        outcome = resources.upsert(connection.user, body, compact_jws=kind == resources.JWS_TYPE)
        db.session.commit()
    except ApiRefused as refusal:
        return _refused(refusal)
    return _no_store(Response(body, status=201 if outcome.created else 200, mimetype=kind))


@bp.get(f"{API}/profile")
@require_scope(scopes.PROFILE_READ)
def profile(connection):
    return _no_store(jsonify(resources.profile(connection)))


@bp.put(f"{API}/profile")
@csrf.exempt
@require_scope(scopes.PROFILE_UPDATE)
def update_profile(connection):
    if not request.mimetype.endswith("json"):
        return imsx.error(415, "Send the Profile as application/json.")
    request.max_content_length = resources.MAX_PROFILE_BYTES
    try:
        body = request.get_data()
    except RequestEntityTooLarge:
        return imsx.error(413, "The profile is too large.")
    try:
        updated = resources.update_profile(connection, body)
        db.session.commit()
    except ApiRefused as refusal:
        return _refused(refusal)
    return _no_store(jsonify(updated))
