"""Evidence: photos, videos, sound recordings and files learners capture, checked and kept privately.

Feature functions add and flush; the views commit.
"""
from flask import Blueprint

from backpack import storage

bp = Blueprint("evidence", __name__)
# The media store is made with the app that registers this blueprint, so a wrong
# MEDIA_STORE setting stops the app at start-up rather than at the first upload.
bp.record_once(lambda state: storage.init_app(state.app))
