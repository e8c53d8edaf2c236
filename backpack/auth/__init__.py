"""Passkey sign-in, invites, sessions and the access policy."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from backpack.auth import views  # noqa: E402,F401  (routes attach to bp)
