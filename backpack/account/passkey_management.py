"""Renaming and removing passkeys, never locking a person out."""
from flask_babel import lazy_gettext as _l

from backpack.extensions import db
from backpack.models import Passkey
from backpack.web.refusal import Refusal


LAST_PASSKEY = _l(
    "This is your only passkey. Add a passkey on another device first, "
    "or you could not sign in again."
)


class LastPasskeyError(Refusal):
    status = 409


def rename(passkey: Passkey, name: str) -> None:
    passkey.name = name.strip()


def remove(passkey: Passkey) -> None:
    """Remove a passkey (a lost phone); the last one stays so the account is reachable."""
    if len(passkey.user.passkeys) <= 1:
        raise LastPasskeyError(LAST_PASSKEY)
    db.session.delete(passkey)
