"""All models, imported here so Alembic and the app see every table."""
from backpack.models.invite import Invite, InvitePurpose, WebAuthnChallenge
from backpack.models.roster import Classroom, Enrolment
from backpack.models.user import Passkey, Role, User

__all__ = [
    "Classroom",
    "Enrolment",
    "Invite",
    "InvitePurpose",
    "Passkey",
    "Role",
    "User",
    "WebAuthnChallenge",
]
