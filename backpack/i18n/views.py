from flask import redirect, render_template
from flask_login import current_user

from backpack.extensions import db
from backpack.i18n import bp, browser_choice, offered, remember
from backpack.i18n.forms import LanguageForm
from backpack.web.redirects import safe_next


@bp.get("/language")
def choose():
    """Show the languages, each by its own name: the first screen."""
    return render_template("i18n/choose.html", form=LanguageForm(), next=safe_next())


@bp.post("/language")
def set_language():
    """Keep the chosen language; a code we do not offer gives the browser's best match, never an error."""
    form = LanguageForm()
    if not form.validate_on_submit():
        return render_template("i18n/choose.html", form=form, next=safe_next()), 400
    code = offered(form.language.data) or browser_choice()
    if current_user.is_authenticated:
        current_user.preferred_language = code
        db.session.commit()
    return remember(redirect(safe_next() or "/"), code)
