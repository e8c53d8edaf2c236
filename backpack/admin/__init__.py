"""The admin's side: teacher accounts, and the audit list of sign-in links made for people."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
