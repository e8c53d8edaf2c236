"""A teacher's voice message when returning a submission: checked, stored, kept in step with its row.

The recording goes through the same media checks and caps as a learner's sound recording,
and must really be one. Like capture.save_evidence, the file is written only after the
checks passed and is tied to the transaction: it is deleted again unless the caller commits.
"""
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from backpack.evidence import submissions
from backpack.evidence.media_checks import Limits, check_media
from backpack.evidence.refusals import NoRoom, Unsupported
from backpack.extensions import db
from backpack.models import EvidenceKind, Submission, SubmissionEvent, User
from backpack.storage import MediaStoreUnavailable, keep_with_transaction, media_store, new_key

NO_ROOM_NOW = _l("There is no space to keep voice messages right now. Please try again later.")
NOT_A_VOICE = _l("Please record a voice message, or choose a sound recording (M4A, MP3, Ogg or WebM).")


def return_submission(
    submission: Submission, teacher: User, feedback: str, audio: bytes | BinaryIO | None = None
) -> None:
    """Return the submission with written feedback, a voice message or both (caller commits).

    Raises MediaRefused (nothing stored) for a file that is not a sound recording within
    the caps, and SubmissionRefused if someone reviewed it first (the file is removed again).
    """
    checked = check_media(audio, Limits.from_config()) if audio is not None else None
    if checked is not None and checked.kind != EvidenceKind.AUDIO:
        raise Unsupported(NOT_A_VOICE)
    voice = None
    if checked is not None:
        try:
            stored = media_store().put(checked.body, new_key())
        except MediaStoreUnavailable:
            raise NoRoom(NO_ROOM_NOW) from None
        keep_with_transaction(db.session(), stored.key)
        voice = {
            "audio_key": stored.key,
            "audio_mimetype": checked.mimetype,
            "audio_size": stored.size,
            "audio_sha256": stored.sha256,
            "audio_seconds": checked.duration,
        }
    submissions.return_with_feedback(submission, teacher, feedback, voice=voice)
    db.session.flush()


def voice_messages_of(learner: User) -> list[SubmissionEvent]:
    """Return the returns with a voice message on the learner's submissions, oldest first."""
    return list(
        db.session.scalars(
            db.select(SubmissionEvent)
            .join(Submission, Submission.id == SubmissionEvent.submission_id)
            .where(Submission.learner_id == learner.id, SubmissionEvent.audio_key.is_not(None))
            .order_by(SubmissionEvent.id)
        )
    )
