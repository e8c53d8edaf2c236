"""The first page: a language choice for newcomers, the backpack for learners, each other role's start page."""
from flask import Blueprint

bp = Blueprint("home", __name__)
