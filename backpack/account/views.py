from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from backpack.account import (
    bp,
    deletion,
    last_seen,  # noqa: F401  (stamps each request's device and registers the worker's flush)
    passkey_management,
)
from backpack.account.forms import CONFIRM_WORD, DeleteAccountForm, RenamePasskeyForm
from backpack.account.passkey_management import LastPasskeyError
from backpack.auth import device_names, recovery, sessions
from backpack.auth.forms import PlainForm
from backpack.auth.policy import (
    Action,
    own_passkey,
    own_recovery_link,
    own_recovery_passkey,
    own_sign_in,
    recovery_hold_until,
    refuse_other_passkey_while_held,
    refuse_while_held,
    require,
)
from backpack.extensions import db
from backpack.i18n.forms import LanguageForm
from backpack.pwa.offline import changes_session
from backpack.web.redirects import safe_next


@bp.get("/")
@require(Action.MANAGE_ACCOUNT)
def index(delete_form=None):
    language_form = LanguageForm(language=current_user.preferred_language or "en")
    if delete_form is None and current_user.is_learner:
        delete_form = DeleteAccountForm(formdata=None)
    this_sign_in = sessions.current_sign_in()
    return render_template(
        "account/index.html",
        language_form=language_form,
        form=PlainForm(),
        delete_form=delete_form,
        confirm_word=CONFIRM_WORD,
        added=request.args.get("added", type=int),
        this_sign_in=this_sign_in,
        held_until=recovery_hold_until(this_sign_in),
        sign_ins=sessions.live_sign_ins(current_user),
        history=sessions.recent_sign_ins(current_user),
        notices=recovery.notices_for(current_user),
        on_phone=device_names.is_phone(request.headers.get("User-Agent", "")),
    )


@bp.get("/welcome")
@require(Action.MANAGE_ACCOUNT)
def welcome():
    return render_template("account/welcome.html")


@bp.route("/passkeys/<int:passkey_id>/rename", methods=["GET", "POST"])
@require(Action.MANAGE_ACCOUNT)
def rename_passkey(passkey_id: int):
    passkey = own_passkey(current_user, passkey_id)
    form = RenamePasskeyForm(obj=passkey)
    if form.validate_on_submit():
        passkey_management.rename(passkey, form.name.data)
        db.session.commit()
        flash(_("Passkey renamed."), "success")
        return redirect(url_for("account.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("account/rename_passkey.html", form=form, passkey=passkey), status


def _signed_out_here(message: str):
    """Sign this device out (its sign-in just ended), and say why on the sign-in page."""
    sessions.sign_out_here()
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("auth.signin"))


@bp.post("/passkeys/<int:passkey_id>/remove")
@changes_session
@require(Action.MANAGE_ACCOUNT)
def remove_passkey(passkey_id: int):
    passkey = own_passkey(current_user, passkey_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    refuse_other_passkey_while_held(passkey)
    try:
        this_device = passkey_management.remove(passkey)
    except LastPasskeyError as error:
        flash(str(error.message), "error")
        return index(), 409
    db.session.commit()
    if this_device:
        return _signed_out_here(_("Passkey removed. This device was signed in with it, so it is signed out too."))
    flash(_("Passkey removed. It can no longer be used to sign in."), "success")
    return redirect(url_for("account.index"))


@bp.post("/passkeys/<int:passkey_id>/not-me")
@changes_session
@require(Action.MANAGE_ACCOUNT)
def disown_passkey(passkey_id: int):
    """"This wasn't me" on a passkey that someone else's sign-in link added."""
    passkey = own_recovery_passkey(current_user, passkey_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    refuse_other_passkey_while_held(passkey)
    try:
        this_device = passkey_management.disown(passkey)
    except LastPasskeyError as error:
        flash(str(error.message), "error")
        return index(), 409
    db.session.commit()
    done = _("The passkey is removed, the devices that used it are signed out, and the administrators were told.")
    if this_device:
        return _signed_out_here(done + " " + _("This device was signed in with that passkey, so it is signed out too."))
    flash(done, "success")
    return redirect(url_for("account.index"))


@bp.post("/sign-ins/<int:sign_in_id>/end")
@changes_session
@require(Action.MANAGE_ACCOUNT)
def end_sign_in(sign_in_id: int):
    """Sign out one device: its session ends on the server, whoever holds its cookie."""
    sign_in = own_sign_in(current_user, sign_in_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    this_device = sessions.end([sign_in])
    db.session.commit()
    if this_device:
        return _signed_out_here(_("You are signed out on this device."))
    flash(_("%(device)s is signed out.", device=sign_in.device), "success")
    return redirect(url_for("account.index"))


@bp.post("/recovery-links/<int:invite_id>/dismiss")
@require(Action.MANAGE_ACCOUNT)
def dismiss_recovery_link(invite_id: int):
    """Hide the notice about a sign-in link someone made (not from a device that link added)."""
    invite = own_recovery_link(current_user, invite_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    refuse_while_held()
    recovery.dismiss(invite)
    db.session.commit()
    return redirect(safe_next() or url_for("account.index"))


@bp.post("/delete")
@changes_session
@require(Action.USE_BACKPACK)
def delete_account():
    """Delete the learner's account once they typed the confirmation word."""
    refuse_while_held()
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return index(delete_form=form), 400
    deletion.delete_account(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Your account and your evidence were deleted. Badges you downloaded stay valid."), "success")
    return redirect(url_for("i18n.choose"))
