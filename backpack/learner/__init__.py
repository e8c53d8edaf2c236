"""The learner's side: their badges, collections, claiming a badge with a code, downloads.

Feature functions add and flush; the views commit.
"""
from flask import Blueprint

bp = Blueprint("learner", __name__)
