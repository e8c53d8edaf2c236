"""Who may do what: every access decision of the app is made here."""
from datetime import datetime, timedelta
from enum import StrEnum
from functools import wraps

from flask import abort
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from backpack.auth import sessions
from backpack.extensions import db
from backpack.models import (
    Achievement,
    Award,
    AwardJob,
    ClaimCode,
    Classroom,
    Collection,
    CollectionItem,
    Enrolment,
    Evidence,
    ImportedCredential,
    Invite,
    InvitePurpose,
    Issuer,
    OAuthConnection,
    Passkey,
    PushSubscription,
    Role,
    ShareLink,
    SignIn,
    Submission,
    SubmissionEvent,
    SubmissionState,
    User,
    WalletOffer,
    issuer_members,
    submission_evidence,
)
from backpack.models.time import utcnow
from backpack.web.refusal import Refusal


class Action(StrEnum):
    USE_BACKPACK = "use-backpack"
    MANAGE_CLASSES = "manage-classes"
    MANAGE_TEACHERS = "manage-teachers"
    MANAGE_ACCOUNT = "manage-account"
    ISSUE_BADGES = "issue-badges"
    AUDIT_RECOVERY = "audit-recovery"


ROLE_RULES: dict[Action, set[str]] = {
    Action.USE_BACKPACK: {Role.LEARNER},
    Action.MANAGE_CLASSES: {Role.TEACHER},
    Action.MANAGE_TEACHERS: {Role.ADMIN},
    Action.MANAGE_ACCOUNT: {Role.LEARNER, Role.TEACHER, Role.ADMIN},
    Action.ISSUE_BADGES: {Role.TEACHER},
    Action.AUDIT_RECOVERY: {Role.ADMIN},
}


def can(user, action: Action) -> bool:
    """Tell whether the user's role allows the action at all."""
    return bool(user and user.is_authenticated and user.role in ROLE_RULES[action])


def require(action: Action):
    """Guard a view: anonymous users are sent to sign in, others get 403."""

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorator


# A device signed in with a passkey that someone else's sign-in link added waits this long
# before it may export the person's data, delete the account or remove other passkeys.
RECOVERY_HOLD = timedelta(hours=72)


class RecoveryHold(Refusal):
    status = 403


def recovery_hold_until(sign_in: SignIn | None) -> datetime | None:
    """Return when a sign-in made with a recovery passkey may do everything, if that is still to come."""
    passkey = sign_in.passkey if sign_in is not None else None
    if passkey is None or not passkey.by_recovery:
        return None
    until = passkey.created_at + RECOVERY_HOLD
    return until if until > utcnow() else None


def held_until() -> datetime | None:
    """Return until when this device is held back (see recovery_hold_until), or None."""
    return recovery_hold_until(sessions.current_sign_in())


def refuse_while_held() -> None:
    """Refuse, saying from when it is possible, what a recently recovered device may not do yet."""
    until = held_until()
    if until is not None:
        raise RecoveryHold(
            _(
                "For your safety, a device that signed in with a passkey from a sign-in link cannot do this "
                "for 72 hours. On this device it becomes possible on %(when)s. You can do it now on a device "
                "you used before.",
                when=format_datetime(until, "medium"),
            )
        )


def refuse_other_passkey_while_held(passkey: Passkey) -> None:
    """A held device may remove its own passkey, not the person's others."""
    sign_in = sessions.current_sign_in()
    if sign_in is None or sign_in.passkey_id != passkey.id:
        refuse_while_held()


def teaches(teacher: User, learner: User) -> bool:
    """Tell whether the learner is in one of the teacher's classes."""
    if not teacher.is_teacher or not learner.is_learner:
        return False
    query = (
        db.select(Enrolment.id)
        .join(Classroom)
        .where(Classroom.teacher_id == teacher.id, Enrolment.learner_id == learner.id)
        .limit(1)
    )
    return db.session.scalar(query) is not None


def _or_404(found, allowed):
    """Return what was found if the rule allows it; 404 otherwise, so others cannot tell it exists."""
    if found is None or not allowed(found):
        abort(404)
    return found


def _by_public_id(model, public_id: str):
    return db.session.scalar(db.select(model).where(model.public_id == public_id))


def classroom_for(user: User, classroom_id: int) -> Classroom:
    """Return one of the user's own classes, or 404."""
    return _or_404(db.session.get(Classroom, classroom_id), lambda c: c.teacher_id == user.id)


def learner_for(user: User, learner_id: int) -> User:
    """Return a learner the teacher teaches, or 404."""
    return _or_404(db.session.get(User, learner_id), lambda learner: teaches(user, learner))


def teacher_for(user: User, teacher_id: int) -> User:
    """Return a teacher account the admin may manage, or 404."""
    return _or_404(
        db.session.get(User, teacher_id),
        lambda teacher: can(user, Action.MANAGE_TEACHERS) and teacher.is_teacher,
    )


def is_member(user: User, issuer_id: int) -> bool:
    """Tell whether the user issues badges for this issuer."""
    query = db.select(issuer_members.c.user_id).where(
        issuer_members.c.issuer_id == issuer_id, issuer_members.c.user_id == user.id
    )
    return db.session.scalar(query) is not None


def issuer_for(user: User, issuer_id: int) -> Issuer:
    """Return an issuer the teacher belongs to, or 404."""
    return _or_404(db.session.get(Issuer, issuer_id), lambda issuer: is_member(user, issuer.id))


def achievement_for(user: User, achievement_id: int) -> Achievement:
    """Return a badge of one of the teacher's issuers, or 404."""
    return _or_404(db.session.get(Achievement, achievement_id), lambda a: is_member(user, a.issuer_id))


def award_for(user: User, award_id: int) -> Award:
    """Return an award of one of the teacher's issuers, or 404."""
    return _or_404(db.session.get(Award, award_id), lambda award: is_member(user, award.issuer_id))


def award_job_for(user: User, job_id: int) -> AwardJob:
    """Return a big award's job for a badge of one of the teacher's issuers, or 404."""
    return _or_404(db.session.get(AwardJob, job_id), lambda job: is_member(user, job.achievement.issuer_id))


def claim_code_for(user: User, claim_id: int) -> ClaimCode:
    """Return a claim code the teacher opened, or 404."""
    return _or_404(db.session.get(ClaimCode, claim_id), lambda claim: claim.created_by_id == user.id)


def own_award(user: User, public_id: str) -> Award:
    """Return one of the learner's own awards, or 404."""
    return _or_404(_by_public_id(Award, public_id), lambda award: award.learner_id == user.id)


def own_wallet_offer(user: User, public_id: str) -> WalletOffer:
    """Return one of the learner's own wallet offers, or 404."""
    return _or_404(_by_public_id(WalletOffer, public_id), lambda offer: offer.learner_id == user.id)


def own_imported(user: User, public_id: str) -> ImportedCredential:
    """Return one of the learner's own imported badges, or 404."""
    return _or_404(_by_public_id(ImportedCredential, public_id), lambda found: found.owner_id == user.id)


def own_collection(user: User, public_id: str) -> Collection:
    """Return one of the learner's own collections, or 404."""
    return _or_404(_by_public_id(Collection, public_id), lambda found: found.owner_id == user.id)


def collection_item_in(collection: Collection, item_id: int) -> CollectionItem:
    """Return an item of this (already allowed) collection, or 404."""
    return _or_404(db.session.get(CollectionItem, item_id), lambda item: item.collection_id == collection.id)


def shared_evidence(link: ShareLink, public_id: str) -> Evidence:
    """Return evidence the public may see through a live link, or 404: a shareable item of the
    linked collection (marking it private stops it at once), or, on a badge link made with
    "show my evidence", an item the badge was awarded for."""
    if not link.is_live():
        abort(404)
    if link.collection_id is None:
        allowed = link.include_evidence and public_id in link.award.evidence_public_ids
        found = _by_public_id(Evidence, public_id) if allowed else None
    else:
        found = db.session.scalar(
            db.select(Evidence)
            .join(CollectionItem, CollectionItem.evidence_id == Evidence.id)
            .where(
                CollectionItem.collection_id == link.collection_id,
                CollectionItem.shareable.is_(True),
                Evidence.public_id == public_id,
            )
        )
    return _or_404(found, lambda item: item.owner_id == link.owner_id)


def awarded_evidence(award: Award) -> list[Evidence]:
    """Return the items the award's credential links to that its learner still keeps, in order."""
    wanted = award.evidence_public_ids
    if not wanted or award.learner_id is None:
        return []
    found = db.session.scalars(
        db.select(Evidence).where(Evidence.public_id.in_(wanted), Evidence.owner_id == award.learner_id)
    )
    by_id = {item.public_id: item for item in found}
    return [by_id[public_id] for public_id in wanted if public_id in by_id]


def own_passkey(user: User, passkey_id: int) -> Passkey:
    """Return one of the user's passkeys, or 404."""
    return _or_404(db.session.get(Passkey, passkey_id), lambda passkey: passkey.user_id == user.id)


def own_recovery_passkey(user: User, passkey_id: int) -> Passkey:
    """Return one of the user's passkeys that someone else's sign-in link added, or 404."""
    return _or_404(db.session.get(Passkey, passkey_id), lambda passkey: passkey.user_id == user.id and passkey.by_recovery)


def own_sign_in(user: User, sign_in_id: int) -> SignIn:
    """Return one of the user's sign-ins, or 404."""
    return _or_404(db.session.get(SignIn, sign_in_id), lambda sign_in: sign_in.user_id == user.id)


def own_recovery_link(user: User, invite_id: int) -> Invite:
    """Return a sign-in link someone made for the user, or 404."""
    return _or_404(
        db.session.get(Invite, invite_id),
        lambda invite: invite.user_id == user.id and invite.purpose == InvitePurpose.ADD_PASSKEY,
    )


def own_connection(user: User, connection_id: int) -> OAuthConnection:
    """Return a platform the learner connected to their backpack (Open Badges API), or 404."""
    return _or_404(db.session.get(OAuthConnection, connection_id), lambda found: found.user_id == user.id)


def own_push_subscription(user: User, subscription_id: int) -> PushSubscription:
    """Return one of the user's own devices that get notifications, or 404."""
    return _or_404(
        db.session.get(PushSubscription, subscription_id), lambda device: device.user_id == user.id
    )


def can_view_evidence(user, evidence: Evidence) -> bool:
    """Tell whether the user may see an evidence item and its media.

    Its owner, and a teacher who may review a sent (not draft) submission that holds it:
    one who teaches the learner and belongs to the badge's issuer. Public sharing goes
    through share links, not through this rule.
    """
    if not (user and user.is_authenticated):
        return False
    if evidence.owner_id == user.id:
        return True
    if not user.is_teacher:
        return False
    submissions = db.session.scalars(
        db.select(Submission)
        .join(submission_evidence, submission_evidence.c.submission_id == Submission.id)
        .where(
            submission_evidence.c.evidence_id == evidence.id,
            Submission.state != SubmissionState.DRAFT.value,
        )
    )
    return any(can_review(user, submission) for submission in submissions)


def can_review(user, submission: Submission) -> bool:
    """Tell whether the user may review the submission: a teacher of the learner who
    belongs to the badge's issuer. Drafts are the learner's alone."""
    return bool(
        user
        and user.is_authenticated
        and user.is_teacher
        and submission.state != SubmissionState.DRAFT
        and teaches(user, submission.learner)
        and is_member(user, submission.achievement.issuer_id)
    )


def submission_for_review(user: User, public_id: str) -> Submission:
    """Return a submission the teacher may review, or 404."""
    return _or_404(_by_public_id(Submission, public_id), lambda s: can_review(user, s))


def feedback_audio_for(user, public_id: str, event_id: int) -> SubmissionEvent:
    """Return a voice message on a submission: for its learner and the teachers who may
    review it. Anonymous people sign in; everyone else gets 404."""
    if not user.is_authenticated:
        abort(401)
    submission = _or_404(
        _by_public_id(Submission, public_id),
        lambda found: found.learner_id == user.id or can_review(user, found),
    )
    return _or_404(
        db.session.get(SubmissionEvent, event_id),
        lambda step: step.submission_id == submission.id and step.audio_key is not None,
    )


def teachers_of(learner: User) -> list[User]:
    """Return every teacher with the learner in one of their classes."""
    return list(
        db.session.scalars(
            db.select(User)
            .join(Classroom, Classroom.teacher_id == User.id)
            .join(Enrolment, Enrolment.classroom_id == Classroom.id)
            .where(Enrolment.learner_id == learner.id, User.role == Role.TEACHER.value)
            .distinct()
            .order_by(User.id)
        )
    )


def reviewers_of(submission: Submission) -> list[User]:
    """Return the teachers to tell about a submission: the learner's teachers in the badge's issuer."""
    return [
        teacher
        for teacher in teachers_of(submission.learner)
        if is_member(teacher, submission.achievement.issuer_id)
    ]


def submittable_achievements(learner: User) -> list[Achievement]:
    """Return the badges a learner may send evidence for: those of issuers their teachers belong to."""
    teacher_ids = (
        db.select(Classroom.teacher_id)
        .join(Enrolment, Enrolment.classroom_id == Classroom.id)
        .where(Enrolment.learner_id == learner.id)
    )
    issuer_ids = db.select(issuer_members.c.issuer_id).where(issuer_members.c.user_id.in_(teacher_ids))
    return list(
        db.session.scalars(
            db.select(Achievement)
            .where(Achievement.issuer_id.in_(issuer_ids))
            .order_by(Achievement.name, Achievement.id)
        )
    )


def submittable_achievement(learner: User, public_id: str) -> Achievement:
    """Return a badge the learner may send evidence for, or 404."""
    return _or_404(
        _by_public_id(Achievement, public_id),
        lambda found: learner.is_learner and found in submittable_achievements(learner),
    )


def evidence_for(user, public_id: str) -> Evidence:
    """Return evidence the user may see: anonymous people sign in, everyone else gets 404."""
    if not user.is_authenticated:
        abort(401)
    return _or_404(_by_public_id(Evidence, public_id), lambda item: can_view_evidence(user, item))


def own_evidence(user: User, public_id: str) -> Evidence:
    """Return one of the learner's own evidence items (to change or delete it), or 404."""
    return _or_404(_by_public_id(Evidence, public_id), lambda item: item.owner_id == user.id)


def learners_of(teacher: User) -> list[User]:
    """Return every learner in the teacher's classes, by name."""
    return list(
        db.session.scalars(
            db.select(User)
            .join(Enrolment, Enrolment.learner_id == User.id)
            .join(Classroom)
            .where(Classroom.teacher_id == teacher.id)
            .distinct()
            .order_by(User.display_name)
        )
    )
