"""The learner's side: their badges, collections, claiming a badge with a code, downloads."""
from flask import Blueprint

bp = Blueprint("learner", __name__)

from backpack.learner import collection_views, import_views, views  # noqa: E402,F401  (routes attach to bp)
