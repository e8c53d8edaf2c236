from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from backpack.auth import bp, invites, passkeys
from backpack.auth.forms import CeremonyForm, PlainForm, StartRegistrationForm
from backpack.auth.invites import InviteError
from backpack.auth.passkeys import CeremonyError
from backpack.auth.sessions import end_everywhere, start_session
from backpack.extensions import db, limiter
from backpack.i18n import COOKIE
from backpack.web.errors import render_error

CEREMONY_LIMIT = "20 per minute;100 per hour"


@bp.errorhandler(CeremonyError)
def ceremony_failed(error: CeremonyError):
    return jsonify(error=str(error.message)), error.status


@bp.errorhandler(InviteError)
def invite_unusable(error: InviteError):
    return render_error(error.status, str(error.message))


def _form_error():
    return jsonify(error=_("Something in the request was not right. Please try again.")), 400


@bp.get("/signin")
def signin():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    return render_template("auth/signin.html")


@bp.post("/auth/signin/options")
@limiter.limit(CEREMONY_LIMIT)
def signin_options():
    if not PlainForm().validate_on_submit():
        return _form_error()
    return passkeys.authentication_options(), 200, {"Content-Type": "application/json"}


@bp.post("/auth/signin/verify")
@limiter.limit(CEREMONY_LIMIT)
def signin_verify():
    form = CeremonyForm()
    if not form.validate_on_submit():
        return _form_error()
    user = passkeys.finish_authentication(form.credential.data)
    db.session.commit()
    start_session(user)
    return jsonify(redirect=url_for("home.index"))


@bp.get("/invite/<token>")
@limiter.limit("30 per minute")
def invite(token: str):
    """The page a new learner lands on from the teacher's QR code or link."""
    found = invites.find_open(token)
    if current_user.is_authenticated and current_user.id != found.user_id:
        logout_user()
    return render_template(
        "auth/invite.html",
        invite=found,
        token=token,
        chose_language=request.cookies.get(COOKIE) is not None,
    )


@bp.post("/auth/register/options")
@limiter.limit(CEREMONY_LIMIT)
def register_options():
    form = StartRegistrationForm()
    if not form.validate_on_submit():
        return _form_error()
    if form.invite.data:
        try:
            invite = invites.find_open(form.invite.data)
        except InviteError as error:
            return jsonify(error=str(error.message)), error.status
        return passkeys.registration_options(invite.user, invite), 200, {
            "Content-Type": "application/json"
        }
    if not current_user.is_authenticated:
        abort(401)
    return passkeys.registration_options(current_user), 200, {"Content-Type": "application/json"}


@bp.post("/auth/register/verify")
@limiter.limit(CEREMONY_LIMIT)
def register_verify():
    form = CeremonyForm()
    if not form.validate_on_submit():
        return _form_error()
    name = passkeys.device_name(request.headers.get("User-Agent", ""))
    user, passkey, invite = passkeys.finish_registration(form.credential.data, name)
    if invite is not None:
        try:  # the invite may have been used or replaced since the ceremony began
            invites.use_up(invite)
        except InviteError as error:
            db.session.rollback()
            return jsonify(error=str(error.message)), error.status
        if user.preferred_language is None:
            user.preferred_language = request.cookies.get(COOKIE)
    elif not current_user.is_authenticated or current_user.id != user.id:
        db.session.rollback()
        abort(401)
    db.session.commit()
    if invite is not None:
        start_session(user)
        return jsonify(redirect=url_for("account.welcome"))
    return jsonify(redirect=url_for("account.index", added=passkey.id))


@bp.post("/signout")
def signout():
    if PlainForm().validate_on_submit():
        logout_user()
    return redirect(url_for("home.index"))


@bp.post("/signout/everywhere")
@login_required
def signout_everywhere():
    if not PlainForm().validate_on_submit():
        abort(400)
    end_everywhere(current_user)
    logout_user()
    return redirect(url_for("auth.signin", signed_out="all"))
