from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from backpack import i18n
from backpack.auth import bp, device_names, invites, passkeys, recovery, sessions
from backpack.auth.forms import CeremonyForm, PlainForm, StartRegistrationForm
from backpack.auth.invites import InviteError
from backpack.auth.policy import refuse_while_held
from backpack.extensions import db, limiter
from backpack.models import AddedVia, SignInMethod
from backpack.pwa.offline import changes_session

CEREMONY_LIMIT = "20 per minute;100 per hour"


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
    options = passkeys.authentication_options()
    db.session.commit()
    return options, 200, {"Content-Type": "application/json"}


@bp.post("/auth/signin/verify")
@changes_session
@limiter.limit(CEREMONY_LIMIT)
def signin_verify():
    form = CeremonyForm()
    if not form.validate_on_submit():
        return _form_error()
    pending = passkeys.take_challenge("authenticate")
    db.session.commit()  # the challenge is used up for good, even if the answer fails below
    passkey = passkeys.finish_authentication(pending, form.credential.data)
    sessions.start_session(passkey.user, passkey, SignInMethod.PASSKEY)
    db.session.commit()
    return jsonify(redirect=url_for("home.index"))


@bp.get("/invite/<token>")
@limiter.limit("30 per minute")
def invite(token: str):
    """The page a new learner lands on from the teacher's QR code or link."""
    found = invites.find(token)
    i18n.suggest(found.language)  # the language its maker chose, until the person picks one
    invites.ensure_open(found)  # so "this link has expired" is in that language too
    someone_else = current_user.is_authenticated and current_user.id != found.user_id
    # A page view writes nothing: someone else signed in here stays so until the invited
    # person adds their passkey (starting their session ends the other one).
    return render_template(
        "auth/invite.html",
        invite=found,
        someone_else=someone_else,
        token=token,
        chose_language=i18n.chosen_language() is not None,
    )


@bp.post("/auth/register/options")
@limiter.limit(CEREMONY_LIMIT)
def register_options():
    form = StartRegistrationForm()
    if not form.validate_on_submit():
        return _form_error()
    if form.invite.data:
        invite = invites.find_open(form.invite.data)
        options = passkeys.registration_options(invite.user, invite)
    else:
        if not current_user.is_authenticated:
            abort(401)
        refuse_while_held()  # or a recovered device could add a passkey that is not held back
        options = passkeys.registration_options(current_user)
    db.session.commit()
    return options, 200, {"Content-Type": "application/json"}


@bp.post("/auth/register/verify")
@changes_session
@limiter.limit(CEREMONY_LIMIT)
def register_verify():
    form = CeremonyForm()
    if not form.validate_on_submit():
        return _form_error()
    hints = device_names.parse_hints(form.hints.data)
    name = device_names.passkey_name(request.headers.get("User-Agent", ""), hints, fallback=_("Passkey"))
    pending = passkeys.take_challenge("register")
    db.session.commit()  # the challenge is used up for good, even if the answer fails below
    user, passkey, invite = passkeys.finish_registration(pending, form.credential.data, name)
    if invite is not None:
        try:  # the invite may have been used or replaced since the ceremony began
            invites.use_up(invite)
        except InviteError as error:
            db.session.rollback()
            return jsonify(error=str(error.message)), error.status
        if user.preferred_language is None:
            user.preferred_language = i18n.chosen_language() or invite.language or i18n.browser_choice()
        recovery.announce_passkey(passkey)
        method = SignInMethod.RECOVERY if passkey.added_via == AddedVia.RECOVERY else SignInMethod.INVITE
        sessions.start_session(user, passkey, method)
        db.session.commit()
        return jsonify(redirect=url_for("account.welcome"))
    if not current_user.is_authenticated or current_user.id != user.id:
        db.session.rollback()
        abort(401)
    db.session.commit()
    return jsonify(redirect=url_for("account.index", added=passkey.id))


@bp.post("/signout")
@changes_session
def signout():
    if PlainForm().validate_on_submit():
        sessions.sign_out()
        db.session.commit()
    return redirect(url_for("home.index"))


@bp.post("/signout/everywhere")
@changes_session
@login_required
def signout_everywhere():
    if not PlainForm().validate_on_submit():
        abort(400)
    sessions.sign_out_everywhere(current_user)
    db.session.commit()
    return redirect(url_for("auth.signin", signed_out="all"))
