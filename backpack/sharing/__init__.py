"""Share links, QR codes and printable cards, and the public page employers open."""
from flask import Blueprint

bp = Blueprint("sharing", __name__)
