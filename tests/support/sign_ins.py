"""A live sign-in for a person made directly in the database, for tests that add devices by hand.

Push subscriptions belong to one sign-in (its handle): a device subscribed by a person who
is not signed in anywhere would get nothing, as in the app.
"""
import secrets

from backpack.auth import sessions
from backpack.extensions import db
from backpack.models import Passkey, SignIn, SignInMethod, User


def live_handle(user: User, *, another_device: bool = False) -> str:
    """Return the handle of the person's newest live sign-in, making one (with a passkey) if none or asked."""
    live = sessions.live_sign_ins(user)
    if live and not another_device:
        return sessions.handle(live[0])
    passkey = user.passkeys[0] if user.passkeys else None
    if passkey is None:
        passkey = Passkey(user=user, credential_id=secrets.token_bytes(16), public_key=b"test", name="Test phone")
        db.session.add(passkey)
        db.session.flush()
    sign_in = SignIn(
        token_hash=secrets.token_hex(32), user_id=user.id, passkey_id=passkey.id,
        method=SignInMethod.PASSKEY.value, device="Chrome · Android",
    )
    db.session.add(sign_in)
    db.session.flush()
    return sessions.handle(sign_in)
