from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from backpack.account import bp, passkey_management
from backpack.account.forms import RenamePasskeyForm
from backpack.account.passkey_management import LastPasskeyError
from backpack.auth.forms import PlainForm
from backpack.auth.policy import Action, own_passkey, require
from backpack.extensions import db
from backpack.i18n.forms import LanguageForm
from backpack.learner.forms import CONFIRM_WORD, DeleteAccountForm


@bp.get("/")
@require(Action.MANAGE_ACCOUNT)
def index(delete_form=None):
    language_form = LanguageForm(language=current_user.preferred_language or "en")
    if delete_form is None and current_user.is_learner:
        delete_form = DeleteAccountForm(formdata=None)
    return render_template(
        "account/index.html",
        language_form=language_form,
        form=PlainForm(),
        delete_form=delete_form,
        confirm_word=CONFIRM_WORD,
        added=request.args.get("added", type=int),
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


@bp.post("/passkeys/<int:passkey_id>/remove")
@require(Action.MANAGE_ACCOUNT)
def remove_passkey(passkey_id: int):
    passkey = own_passkey(current_user, passkey_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        passkey_management.remove(passkey)
    except LastPasskeyError as error:
        flash(str(error.message), "error")
        return index(), 409
    db.session.commit()
    flash(_("Passkey removed. It can no longer be used to sign in."), "success")
    return redirect(url_for("account.index"))
