"""The first page: a language choice for newcomers, each role's start page otherwise."""
from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from backpack.i18n import COOKIE
from backpack.learner.views import backpack_home

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        if request.cookies.get(COOKIE) is None:
            return redirect(url_for("i18n.choose", next=url_for("auth.signin")))
        return redirect(url_for("auth.signin"))
    if current_user.is_teacher:
        return redirect(url_for("issuing.classes"))
    if current_user.is_admin:
        return redirect(url_for("admin.teachers"))
    return backpack_home()
