"""Submissions: a learner sends evidence for a badge; a teacher awards it or returns it.

Every change here is made in the caller's transaction (the caller commits), with the
notification written into the outbox in the same transaction. A review is a conditional
UPDATE from "submitted", so a double tap (or two teachers at once) acts exactly once.

Decisions: a learner who holds the badge (even expired, as awarding would not issue it
again) or from whom it was revoked cannot submit for it: a withdrawn badge is given back
only by a teacher's direct decision, not through a new submission.
"""
from flask_babel import lazy_gettext as _l

from backpack.auth.policy import reviewers_of
from backpack.credentials import openbadge
from backpack.extensions import db
from backpack.issuing import awarding
from backpack.models import (
    Achievement,
    Award,
    Classroom,
    Enrolment,
    Evidence,
    Submission,
    SubmissionEvent,
    SubmissionState,
    User,
    issuer_members,
)
from backpack.models.time import utcnow
from backpack.models.transactions import take_write_lock
from backpack.notify import enqueue_for
from backpack.web.origin import public_url
from backpack.web.refusal import Refusal

MAX_ITEMS = 20


class SubmissionRefused(Refusal):
    """A submission or review that cannot be done; nothing of it is stored."""


ALREADY_HELD = _l("You already have this badge, so there is nothing to send.")
REVOKED = _l("This badge was withdrawn from you, so evidence cannot be sent for it. Please talk to your teacher.")
NOT_YOURS = _l("One of the chosen items is not in your evidence any more. Nothing was sent. Please choose again.")
NO_ITEMS = _l("Choose at least one evidence item to send.")
TOO_MANY = _l("Choose at most %(num)d evidence items.", num=MAX_ITEMS)
NOT_EDITABLE = _l("This was sent already and is waiting for your teacher.")
ALREADY_REVIEWED = _l("Someone has already reviewed this. Nothing was changed.")
CHANGES_MET = _l("Two changes met; nothing was saved. Please try again.")


def refusal_for(learner: User, achievement: Achievement):
    """Return why the learner cannot submit for this badge, or None if they can."""
    awards = db.session.scalars(
        db.select(Award).where(Award.learner_id == learner.id, Award.achievement_id == achievement.id)
    ).all()
    if any(not award.is_revoked for award in awards):
        return ALREADY_HELD
    if awards:
        return REVOKED
    return None


def find(learner: User, achievement: Achievement) -> Submission | None:
    return db.session.scalar(
        db.select(Submission).where(
            Submission.learner_id == learner.id, Submission.achievement_id == achievement.id
        )
    )


def submissions_of(learner: User) -> list[Submission]:
    return list(
        db.session.scalars(
            db.select(Submission)
            .where(Submission.learner_id == learner.id)
            .order_by(Submission.updated_at.desc(), Submission.id.desc())
        )
    )


def pending_of(learner: User) -> list[Submission]:
    """Return the learner's submissions still on their way to a badge, for the home page."""
    return [s for s in submissions_of(learner) if s.state != SubmissionState.AWARDED]


def _own_items(learner: User, public_ids: list[str]) -> list[Evidence]:
    wanted = list(dict.fromkeys(public_ids))
    if len(wanted) > MAX_ITEMS:
        raise SubmissionRefused(TOO_MANY)
    if not wanted:
        return []
    items = list(
        db.session.scalars(
            db.select(Evidence).where(Evidence.public_id.in_(wanted), Evidence.owner_id == learner.id)
        )
    )
    if len(items) != len(wanted):
        raise SubmissionRefused(NOT_YOURS)
    return items


def save(
    learner: User, achievement: Achievement, *, evidence_ids: list[str], reflection: str, send: bool
) -> Submission:
    """Keep the learner's draft, or send it to their teachers; refuse without storing anything."""
    refusal = refusal_for(learner, achievement)
    if refusal is not None:
        raise SubmissionRefused(refusal, status=409)
    items = _own_items(learner, evidence_ids)
    if send and not items:
        raise SubmissionRefused(NO_ITEMS)
    submission = find(learner, achievement)
    if submission is not None and not submission.is_editable:
        raise SubmissionRefused(NOT_EDITABLE, status=409)
    now = utcnow()
    if submission is None:
        submission = Submission(learner=learner, achievement=achievement, rounds=0)
        db.session.add(submission)
    submission.evidence = items
    submission.reflection = reflection
    submission.updated_at = now
    if send:
        submission.state = SubmissionState.SUBMITTED.value
        submission.rounds = (submission.rounds or 0) + 1
        submission.submitted_at = now
        _record(submission, "submitted", learner, reflection, items)
        db.session.flush()
        for teacher in reviewers_of(submission):
            enqueue_for(teacher, "evidence-submitted", submission=submission, recipient=teacher)
    elif submission.state != SubmissionState.RETURNED:
        submission.state = SubmissionState.DRAFT.value
    return submission


def _record(submission: Submission, action: str, actor: User, text: str, items=(), **extra) -> None:
    submission.events.append(
        SubmissionEvent(
            action=action,
            actor_id=actor.id,
            text=text or "",
            evidence_ids=" ".join(item.public_id for item in items),
            **extra,
        )
    )


def _take(submission: Submission, to: SubmissionState, teacher: User) -> None:
    """Move a submitted submission on, once: a second reviewer or tap is refused.

    The review's unit of work writes from here to the commit, so it takes the write lock first.
    """
    take_write_lock()
    now = utcnow()
    result = db.session.execute(
        db.update(Submission)
        .where(Submission.id == submission.id, Submission.state == SubmissionState.SUBMITTED.value)
        .values(state=to.value, reviewer_id=teacher.id, reviewed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise SubmissionRefused(ALREADY_REVIEWED, status=409)
    db.session.refresh(submission)


def after_conflict(submission: Submission):
    """Say truthfully why a review that met another change was rolled back: read the submission again.

    "Already reviewed" only if someone really did review it meanwhile; otherwise the other
    change was something else (an award of the same badge, a status index), and trying again works.
    """
    db.session.refresh(submission)
    return CHANGES_MET if submission.state == SubmissionState.SUBMITTED else ALREADY_REVIEWED


def return_with_feedback(submission: Submission, teacher: User, feedback: str, *, voice: dict | None = None) -> None:
    """Send the submission back to the learner with the teacher's feedback.

    voice holds the audio_* columns of a voice message already in the media store (see
    voice_feedback.return_submission, which stores it).
    """
    _take(submission, SubmissionState.RETURNED, teacher)
    submission.feedback = feedback
    _record(submission, "returned", teacher, feedback, **(voice or {}))
    enqueue_for(submission.learner, "submission-returned", submission=submission)


def credential_evidence(items: list[Evidence]) -> tuple[openbadge.Evidence, ...]:
    """The credential's evidence[]: links to the items that the learner controls."""
    return tuple(
        openbadge.Evidence(
            id=public_url("evidence.media", public_id=item.public_id),
            name=item.title or None,
            narrative=item.reflection or None,
        )
        for item in items
    )


def award_submission(submission: Submission, teacher: User) -> Award:
    """Award the badge with the submission's evidence in the credential."""
    _take(submission, SubmissionState.AWARDED, teacher)
    outcome = awarding.award(
        submission.achievement,
        [submission.learner],
        by=teacher,
        source="submission",
        evidence=credential_evidence(submission.evidence),
    )
    if outcome.created:
        award = outcome.created[0]
    else:  # awarded directly meanwhile: the submission is settled by that award
        award = db.session.scalar(
            db.select(Award).where(
                Award.learner_id == submission.learner_id,
                Award.achievement_id == submission.achievement_id,
                Award.revoked_at.is_(None),
            )
        )
    db.session.flush()
    submission.award_id = award.id if award else None
    _record(submission, "awarded", teacher, "")
    return award


def queue_for(teacher: User, *, classroom_id: int | None = None, achievement_id: int | None = None) -> list[Submission]:
    """Submissions waiting for this teacher, newest first, optionally of one class or badge."""
    learners = db.select(Enrolment.learner_id).join(Classroom).where(Classroom.teacher_id == teacher.id)
    if classroom_id is not None:
        learners = learners.where(Classroom.id == classroom_id)
    issuers = db.select(issuer_members.c.issuer_id).where(issuer_members.c.user_id == teacher.id)
    query = (
        db.select(Submission)
        .join(Achievement, Achievement.id == Submission.achievement_id)
        .where(
            Submission.state == SubmissionState.SUBMITTED.value,
            Submission.learner_id.in_(learners),
            Achievement.issuer_id.in_(issuers),
        )
        .order_by(Submission.submitted_at.desc(), Submission.id.desc())
    )
    if achievement_id is not None:
        query = query.where(Submission.achievement_id == achievement_id)
    return list(db.session.scalars(query))
