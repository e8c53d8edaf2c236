"""Passkey sign-in, invites, sessions and the access policy."""
from flask import Blueprint

bp = Blueprint("auth", __name__)
