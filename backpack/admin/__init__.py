"""The admin's side: teacher accounts, and the audit list of sign-in links made for people.

Feature functions add and flush; the views commit.
"""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
