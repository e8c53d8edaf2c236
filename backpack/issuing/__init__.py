"""Teachers' side: classes and learners now; badges, awards and stacks build on it."""
from flask import Blueprint

bp = Blueprint("issuing", __name__)

from backpack.issuing import badge_views, public_views, views  # noqa: E402,F401  (routes attach to bp)
