"""A person's own account: passkeys, language, signing out everywhere."""
from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")

from backpack.account import views  # noqa: E402,F401  (routes attach to bp)
