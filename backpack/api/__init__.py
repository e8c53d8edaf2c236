"""The Open Badges 3.0 REST API host: discovery, platform registration, consent, tokens, resources.

Platforms (other badge sites, wallets, employers' systems) register themselves, ask the
learner for consent, and then read the learner's badges and profile, or add badges, with
OAuth 2.0 bearer tokens (Authlib's server, see server.py). Every absolute URL it publishes
comes from the configured origin.

Feature functions add and flush; the views commit.
"""
from flask import Blueprint

from backpack.api import server

bp = Blueprint("api", __name__)


@bp.record_once
def _bind_server(state) -> None:
    """Bind the OAuth 2.0 server to the app that registers this blueprint."""
    server.init_app(state.app)
