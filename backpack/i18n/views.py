from flask import current_app, redirect, render_template
from flask_login import current_user

from backpack.extensions import db
from backpack.i18n import COOKIE, bp
from backpack.i18n.forms import LanguageForm
from backpack.web.redirects import safe_next


@bp.get("/language")
def choose():
    """Show the languages, each by its own name: the first screen."""
    return render_template("i18n/choose.html", form=LanguageForm(), next=safe_next())


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        return render_template("i18n/choose.html", form=form, next=safe_next()), 400
    code = form.language.data
    if current_user.is_authenticated:
        current_user.preferred_language = code
        db.session.commit()
    response = redirect(safe_next() or "/")
    response.set_cookie(
        COOKIE,
        code,
        max_age=365 * 24 * 3600,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response
