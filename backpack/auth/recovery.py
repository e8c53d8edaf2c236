"""Recovery the person controls: sign-in links that a teacher or admin makes for them.

A teacher or admin can make a sign-in link for someone who already has a passkey (a lost
phone). The person is told at once: a notification on every device (the notify feature
listens to the signals below) and a notice on their pages until they dismiss it. The
passkey the link adds says who made the link; for 72 hours a device signed in with it
cannot export data, delete the account or remove other passkeys (policy.refuse_while_held);
and "This wasn't me" removes it, ends its sessions and tells the admins.
"""
from dataclasses import dataclass

from blinker import Namespace
from flask import current_app
from flask_babel import gettext as _

from backpack.extensions import db
from backpack.models import AddedVia, Invite, InvitePurpose, Passkey, Role, User
from backpack.models.time import utcnow

signals = Namespace()
# Sent with the app as sender, inside the transaction of the event; the caller commits.
link_made = signals.signal("recovery-link-made")  # invite=: made for someone who has a passkey
passkey_added = signals.signal("recovery-passkey-added")  # passkey=: such a link was used
disowned = signals.signal("recovery-disowned")  # report=: the person said "This wasn't me"


@dataclass(frozen=True)
class Disowned:
    """What the admins are told when someone says a recovery passkey was not theirs."""

    person: User
    maker: User | None
    passkey_id: int
    passkey_name: str


def _send(signal, **data) -> None:
    signal.send(current_app._get_current_object(), **data)


def announce_link(invite: Invite) -> None:
    """Tell the person at once when a link for adding a passkey is made for them."""
    if invite.purpose == InvitePurpose.ADD_PASSKEY:
        _send(link_made, invite=invite)


def label(passkey: Passkey, invite: Invite | None, *, had_passkeys: bool) -> None:
    """Record how a new passkey came: the person's own invite, someone's recovery link, or the account page."""
    if invite is None:
        passkey.added_via = AddedVia.ACCOUNT.value
        return
    recovery = had_passkeys or invite.purpose == InvitePurpose.ADD_PASSKEY
    passkey.added_via = (AddedVia.RECOVERY if recovery else AddedVia.INVITE).value
    passkey.added_by_id = invite.created_by_id
    passkey.invite_id = invite.id


def announce_passkey(passkey: Passkey) -> None:
    """Tell the person's devices when a recovery link was used to add a passkey."""
    if passkey.by_recovery:
        db.session.flush()  # listeners name it by id
        _send(passkey_added, passkey=passkey)


def report_disowned(report: Disowned) -> None:
    _send(disowned, report=report)


@dataclass(frozen=True)
class Notice:
    """A recovery link the person has not dismissed yet, with what their pages say about it."""

    invite: Invite
    who_made: str
    what_to_do: str
    state: str  # "open", "used", "closed" (expired or replaced unused) or "disowned"


def _state(invite: Invite) -> str:
    if invite.disowned_at is not None:
        return "disowned"
    if invite.used_at is not None:
        return "used"
    if invite.revoked_at is not None or invite.expires_at <= utcnow():
        return "closed"
    return "open"


def notices_for(user: User) -> list[Notice]:
    """Return the recovery links made for the person that they have not dismissed, newest first."""
    found = db.session.scalars(
        db.select(Invite)
        .where(
            Invite.user_id == user.id,
            Invite.purpose == InvitePurpose.ADD_PASSKEY.value,
            Invite.dismissed_at.is_(None),
        )
        .order_by(Invite.created_at.desc(), Invite.id.desc())
    )
    return [Notice(invite, who_made(invite), what_to_do(user), _state(invite)) for invite in found]


def dismiss(invite: Invite) -> None:
    invite.dismissed_at = utcnow()


def all_links():
    """Select every recovery link ever made, newest first (for the admins' audit list)."""
    return (
        db.select(Invite)
        .where(Invite.purpose == InvitePurpose.ADD_PASSKEY.value)
        .order_by(Invite.created_at.desc(), Invite.id.desc())
    )


def administrators() -> list[User]:
    return list(db.session.scalars(db.select(User).where(User.role == Role.ADMIN.value).order_by(User.id)))


def who_made(invite: Invite) -> str:
    """Say who made the link, as the person reads it."""
    maker = invite.created_by
    if maker is None:
        return _("A sign-in link was made for your account.")
    if maker.is_admin:
        return _("The administrator %(name)s made a sign-in link for your account.", name=maker.display_name)
    return _("Your teacher %(name)s made a sign-in link for your account.", name=maker.display_name)


def what_to_do(person: User) -> str:
    """Say whom to tell if the person did not ask for the link."""
    if person.is_learner:
        return _("If you did not ask for it, tell your teacher.")
    return _("If you did not ask for it, tell an administrator.")
