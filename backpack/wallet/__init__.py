"""Badges into the learner's own wallet app: OpenID4VCI 1.0 (pre-authorized code) and the VC-API
exchange the Learner Credential Wallet speaks, from one QR code.

The wallet proves a key it holds (a jwt proof of possession, or a DID Authentication
presentation), and gets a copy of the award bound to that key's DID: the same achievement, dates,
evidence and status entry, so revoking the award revokes every copy.

Feature functions add and flush; the views commit.
"""
from flask import Blueprint

bp = Blueprint("wallet", __name__)
