"""Badges: issuers, achievements and their design, awards, claims, stacks, revocation.

Feature functions add and flush; the views and CLI commands commit.
"""
from flask import Blueprint

bp = Blueprint("issuing", __name__)
