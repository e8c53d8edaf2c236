"""A learner signed in on the server for a benchmark, as a passkey ceremony would leave her."""
import secrets

from flask import session

from backpack.auth import sessions
from backpack.extensions import db
from backpack.models import Passkey, SignInMethod


def session_cookie(app, origin: str, learner) -> tuple[str, str]:
    """Sign a learner in on the server, as a passkey would; return the session cookie's name and value."""
    with app.test_request_context(base_url=origin):
        learner = db.session.merge(learner)
        passkey = Passkey(user=learner, credential_id=secrets.token_bytes(16), public_key=b"-", name="Bench phone")
        db.session.add(passkey)
        db.session.flush()
        sessions.start_session(learner, passkey, SignInMethod.PASSKEY.value)
        db.session.commit()
        return app.config["SESSION_COOKIE_NAME"], app.session_interface.get_signing_serializer(app).dumps(dict(session))
