from flask import redirect, render_template, request, url_for
from flask_login import current_user

from backpack.auth import recovery
from backpack.auth.policy import held_until
from backpack.evidence import submissions
from backpack.home import bp
from backpack.i18n import COOKIE
from backpack.learner import badges, importing
from backpack.pwa.offline import keep_offline


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        if request.cookies.get(COOKIE) is None:
            return redirect(url_for("i18n.choose", next=url_for("auth.signin")))
        return redirect(url_for("auth.signin"))
    if current_user.is_teacher:
        return redirect(url_for("roster.classes"))
    if current_user.is_admin:
        return redirect(url_for("admin.teachers"))
    return backpack_home()


@keep_offline
def backpack_home():
    """The learner's start page: every badge as a card, stacks in progress, recovery links made for them."""
    awards = badges.awards_of(current_user)
    return render_template(
        "learner/backpack.html",
        awards=awards,
        state=badges.state,
        stacks=badges.stacks_in_progress(current_user, awards),
        pending=submissions.pending_of(current_user),
        imported=importing.imported_of(current_user),
        imported_state=importing.state,
        notices=recovery.notices_for(current_user),
        held_until=held_until(),
    )
