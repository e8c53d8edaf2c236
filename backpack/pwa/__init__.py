"""The installable app: manifest, service worker and the offline page."""
from flask import Blueprint

bp = Blueprint("pwa", __name__)
