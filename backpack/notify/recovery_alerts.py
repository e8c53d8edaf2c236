"""Recovery news as notifications: auth.recovery sends the signals, this writes the outbox rows.

A sign-in link made for someone who has a passkey reaches every device of theirs at once;
its use reaches their devices too (the new one has none yet); "This wasn't me" reaches the
admins. Each row is written in the event's own transaction, which the caller commits.
"""
from flask import Flask

from backpack.auth import recovery
from backpack.notify.events import enqueue_for


def connect(app: Flask) -> None:
    recovery.link_made.connect(_link_made, app)
    recovery.passkey_added.connect(_passkey_added, app)
    recovery.disowned.connect(_disowned, app)


def _link_made(sender, invite, **extra) -> None:
    enqueue_for(invite.user, "recovery-link-made", invite=invite)


def _passkey_added(sender, passkey, **extra) -> None:
    enqueue_for(passkey.user, "recovery-passkey-added", passkey=passkey)


def _disowned(sender, report: recovery.Disowned, **extra) -> None:
    for admin in recovery.administrators():
        enqueue_for(admin, "recovery-disowned", report=report, recipient=admin)
