"""All models, imported here so Alembic and the app see every table."""
from backpack.models.achievement import Achievement, ClaimCode, StackRequirement
from backpack.models.api import OAuthAuthorizationCode, OAuthClient, OAuthConnection, OAuthToken
from backpack.models.award import Award, AwardJob, AwardJobState, StatusList
from backpack.models.collection import Collection, CollectionItem
from backpack.models.evidence import Evidence, EvidenceKind, Privacy
from backpack.models.imported import ImportedCredential
from backpack.models.invite import Invite, InvitePurpose, WebAuthnChallenge
from backpack.models.issuer import Issuer, issuer_members
from backpack.models.notify import Outbox, OutboxStatus, PushSubscription
from backpack.models.roster import Classroom, Enrolment
from backpack.models.share import ShareLink
from backpack.models.sign_in import SignIn, SignInMethod
from backpack.models.submission import (
    Submission,
    SubmissionEvent,
    SubmissionState,
    submission_evidence,
)
from backpack.models.user import AddedVia, Passkey, Role, User
from backpack.models.wallet import WalletCopy, WalletOffer, WalletProtocol

__all__ = [
    "Achievement",
    "AddedVia",
    "Award",
    "AwardJob",
    "AwardJobState",
    "ClaimCode",
    "Collection",
    "CollectionItem",
    "Evidence",
    "EvidenceKind",
    "ImportedCredential",
    "Issuer",
    "StackRequirement",
    "StatusList",
    "issuer_members",
    "Classroom",
    "Enrolment",
    "Invite",
    "InvitePurpose",
    "OAuthAuthorizationCode",
    "OAuthClient",
    "OAuthConnection",
    "OAuthToken",
    "Outbox",
    "OutboxStatus",
    "PushSubscription",
    "Passkey",
    "Privacy",
    "Role",
    "ShareLink",
    "SignIn",
    "SignInMethod",
    "Submission",
    "SubmissionEvent",
    "SubmissionState",
    "submission_evidence",
    "User",
    "WalletCopy",
    "WalletOffer",
    "WalletProtocol",
    "WebAuthnChallenge",
]
