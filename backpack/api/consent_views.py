"""The learner's side of the API: the consent page, and the platforms they connected (with Disconnect)."""
from urllib.parse import urlsplit

from authlib.oauth2 import OAuth2Error
from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from backpack.api import bp, clients, connections, scopes
from backpack.api.forms import ConsentForm
from backpack.api.server import authorization
from backpack.auth.forms import PlainForm
from backpack.auth.policy import Action, can, own_connection, require
from backpack.extensions import db
from backpack.web.security_headers import content_security_policy

API = "/ims/ob/v3p0"


def _consent_policy(redirect_uri: str) -> str:
    """The page's CSP, letting its form lead on to the platform (browsers check form-action on the redirect)."""
    parts = urlsplit(redirect_uri)
    return content_security_policy().replace("form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}")


def _refused(error: OAuth2Error):
    """Send the platform its error when its redirect URI is known good; otherwise explain here."""
    if error.redirect_uri:
        return authorization.handle_error_response(None, error)
    return render_template("api/authorize_error.html", error=error), 400


@bp.route(f"{API}/oauth/authorize", methods=["GET", "POST"])
def authorize():
    """Ask the signed-in learner whether a platform may use their backpack; answer the platform."""
    if not current_user.is_authenticated:
        abort(401)  # to the sign-in page, and back here afterwards
    if not can(current_user, Action.USE_BACKPACK):
        return render_template("api/authorize_error.html", not_learner=True), 403
    form = ConsentForm()
    try:
        grant = authorization.get_consent_grant(end_user=current_user)
    except OAuth2Error as error:
        return _refused(error)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        allowed = form.decision.data == "allow"
        response = authorization.create_authorization_response(grant=grant, grant_user=current_user if allowed else None)
        db.session.commit()
        return response
    page = make_response(
        render_template(
            "api/authorize.html",
            client=grant.client,
            wants=scopes.plain(grant.request.scope),
            form=form,
            action=request.full_path,
            redirect_host=urlsplit(grant.redirect_uri).hostname,
        )
    )
    page.headers["Content-Security-Policy"] = _consent_policy(grant.redirect_uri)
    return page


@bp.get(f"{API}/oauth/clients/<client_id>/logo.png")
def platform_logo(client_id: str):
    """Serve a platform's logo as fetched and re-encoded at registration (a PNG, never anything else)."""
    client = clients.find(client_id)
    if client is None or not client.logo_png:
        abort(404)
    response = Response(client.logo_png, mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/account/platforms")
@require(Action.USE_BACKPACK)
def platforms():
    return render_template(
        "api/platforms.html", connections=connections.connections_of(current_user), plain=scopes.plain, form=PlainForm()
    )


@bp.post("/account/platforms/<int:connection_id>/disconnect")
@require(Action.USE_BACKPACK)
def disconnect(connection_id: int):
    connection = own_connection(current_user, connection_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    name = connection.platform.client_name
    connections.disconnect(connection)
    db.session.commit()
    flash(_("%(platform)s is disconnected. It can no longer see or change your backpack.", platform=name), "success")
    return redirect(url_for("api.platforms"))
