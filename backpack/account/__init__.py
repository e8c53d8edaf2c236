"""A person's own account: passkeys, signed-in devices and sign-ins, language, notices of sign-in links.

Feature functions add and flush; the views commit.
"""
from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")
