"""The learner's side: their badges, collections, claiming a badge with a code, downloads."""
from flask import Blueprint

bp = Blueprint("learner", __name__)
