"""Passkey sign-in, invites, sessions and the access policy.

Feature functions add and flush; the views commit. A passkey ceremony is finished in two
steps with a commit between them, so a used challenge is gone for good (see passkeys.py).
"""
from flask import Blueprint

bp = Blueprint("auth", __name__)
