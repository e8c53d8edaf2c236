"""Share links, QR codes and printable cards, and the public page employers open."""
from flask import Blueprint

bp = Blueprint("sharing", __name__)

from backpack.sharing import public_views, views  # noqa: E402,F401  (routes attach to bp)
