"""Share links, QR codes and printable cards, and the public page employers open.

Feature functions add and flush; the views commit.
"""
from flask import Blueprint

bp = Blueprint("sharing", __name__)
