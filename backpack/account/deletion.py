"""Deleting a learner's account.

Everything personal goes; the awards stay (without their learner) with their status-list
entries, so the credentials already handed out stay verifiable and can still be revoked.
"""
from backpack.evidence import voice_feedback
from backpack.evidence.capture import evidence_of
from backpack.extensions import db
from backpack.models import (
    Award,
    Collection,
    Enrolment,
    Evidence,
    ImportedCredential,
    Invite,
    Outbox,
    Passkey,
    PushSubscription,
    ShareLink,
    SignIn,
    Submission,
    SubmissionEvent,
    User,
    WebAuthnChallenge,
    issuer_members,
    submission_evidence,
)
from backpack.storage import media_store


def delete_account(learner: User) -> None:
    """Delete the learner and everything personal; keep their awards, without them (caller commits).

    Media files go first: if one can't be removed the error stops everything, and the
    learner can try again, rather than their files staying behind with no row to find them.
    """
    store = media_store()
    items = evidence_of(learner)
    for item in items:
        for key in (item.object_key, item.thumbnail_key):
            if key:
                store.delete(key)
    for step in voice_feedback.voice_messages_of(learner):
        store.delete(step.audio_key)

    user_id = learner.id
    submission_ids = db.select(Submission.id).where(Submission.learner_id == user_id)
    evidence_ids = db.select(Evidence.id).where(Evidence.owner_id == user_id)
    session = db.session
    session.execute(
        db.delete(submission_evidence).where(
            submission_evidence.c.submission_id.in_(submission_ids)
            | submission_evidence.c.evidence_id.in_(evidence_ids)
        )
    )
    session.execute(db.delete(SubmissionEvent).where(SubmissionEvent.submission_id.in_(submission_ids)))
    session.execute(db.delete(Submission).where(Submission.learner_id == user_id))
    session.execute(db.delete(Evidence).where(Evidence.owner_id == user_id))
    session.execute(db.delete(ShareLink).where(ShareLink.owner_id == user_id))
    session.execute(db.delete(ImportedCredential).where(ImportedCredential.owner_id == user_id))
    session.execute(db.delete(Collection).where(Collection.owner_id == user_id))  # items go with them
    session.execute(db.delete(Outbox).where(Outbox.user_id == user_id))
    session.execute(db.delete(PushSubscription).where(PushSubscription.user_id == user_id))
    session.execute(db.delete(WebAuthnChallenge).where(WebAuthnChallenge.user_id == user_id))
    session.execute(db.delete(SignIn).where(SignIn.user_id == user_id))
    session.execute(db.delete(Invite).where(Invite.user_id == user_id))
    session.execute(db.delete(Enrolment).where(Enrolment.learner_id == user_id))
    session.execute(db.delete(issuer_members).where(issuer_members.c.user_id == user_id))
    session.execute(db.delete(Passkey).where(Passkey.user_id == user_id))
    # Awards stay, with their status-list entries, so revocation keeps working.
    session.execute(
        db.update(Award).where(Award.learner_id == user_id).values(learner_id=None),
        execution_options={"synchronize_session": False},
    )
    session.execute(db.delete(User).where(User.id == user_id))
    session.expire_all()
