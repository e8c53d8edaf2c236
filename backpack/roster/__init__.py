"""Classes, enrolments and learners: who a teacher teaches, and how learners get in.

Feature functions add and flush; the views commit.
"""
from flask import Blueprint

bp = Blueprint("roster", __name__)
