"""Renaming and removing passkeys, never locking a person out; "This wasn't me"."""
from flask_babel import lazy_gettext as _l

from backpack.auth import recovery, sessions
from backpack.extensions import db
from backpack.models import Invite, Passkey
from backpack.models.time import utcnow
from backpack.web.refusal import Refusal

LAST_PASSKEY = _l(
    "This is your only passkey. Add a passkey on another device first, "
    "or you could not sign in again."
)


class LastPasskeyError(Refusal):
    status = 409


def rename(passkey: Passkey, name: str) -> None:
    passkey.name = name.strip()


def remove(passkey: Passkey) -> bool:
    """Remove a passkey (a lost phone) and end every sign-in it made (the caller commits).

    The last one stays, so the account is reachable. Returns True when this device was
    signed in with it: the caller then signs this device out too.
    """
    if len(passkey.user.passkeys) <= 1:
        raise LastPasskeyError(LAST_PASSKEY)
    this_device = sessions.end(sessions.sign_ins_with(passkey))
    db.session.delete(passkey)
    return this_device


def disown(passkey: Passkey) -> bool:
    """"This wasn't me": remove a passkey someone else's sign-in link added, and tell the admins.

    Its sign-ins end (and with them the notifications to the devices they subscribed), and
    its link is marked as reported in the admins' audit list. Returns True when this device
    was signed in with it (the caller commits, then signs this device out).
    """
    person = passkey.user
    report = recovery.Disowned(person=person, maker=passkey.added_by, passkey_id=passkey.id, passkey_name=passkey.name)
    if passkey.invite_id is not None:
        invite = db.session.get(Invite, passkey.invite_id)
        invite.disowned_at = utcnow()
        invite.dismissed_at = invite.dismissed_at or invite.disowned_at
    this_device = remove(passkey)
    recovery.report_disowned(report)
    return this_device
