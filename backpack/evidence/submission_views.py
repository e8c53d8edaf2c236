"""Pages of submissions: the learner sends evidence for a badge; the teacher reviews it."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import DBAPIError, IntegrityError

from backpack.auth.policy import (
    Action,
    feedback_audio_for,
    require,
    submission_for_review,
    submittable_achievement,
    submittable_achievements,
)
from backpack.evidence import bp, capture, submissions, voice_feedback
from backpack.evidence.refusals import MediaRefused
from backpack.evidence.serving import KIND_NAMES, send_media
from backpack.evidence.submission_forms import FeedbackForm, SubmissionForm
from backpack.evidence.submissions import SubmissionRefused
from backpack.extensions import db
from backpack.models import Achievement, Classroom, SubmissionState, issuer_members
from backpack.models.transactions import met_another


def _locale() -> str:
    return str(get_locale())


@bp.get("/my/submissions")
@require(Action.USE_BACKPACK)
def submissions_index():
    """The learner's submissions and the badges they can send evidence for."""
    mine = submissions.submissions_of(current_user)
    sent_for = {submission.achievement_id for submission in mine}
    open_badges = [
        achievement
        for achievement in submittable_achievements(current_user)
        if achievement.id not in sent_for and submissions.refusal_for(current_user, achievement) is None
    ]
    return render_template(
        "evidence/submissions.html", submissions=mine, open_badges=open_badges, locale=_locale()
    )


@bp.route("/my/submissions/<badge_id>", methods=["GET", "POST"])
@require(Action.USE_BACKPACK)
def submit(badge_id: str):
    achievement = submittable_achievement(current_user, badge_id)
    submission = submissions.find(current_user, achievement)
    form = SubmissionForm()
    items = capture.evidence_of(current_user)
    if request.method == "GET" and submission is not None:
        form.reflection.data = submission.reflection
        form.evidence.data = [item.public_id for item in submission.evidence]
    status = 200
    refusal = None
    if request.method == "POST":
        if form.validate_on_submit():
            send = request.form.get("action", "submit") != "draft"
            try:
                submission = submissions.save(
                    current_user,
                    achievement,
                    evidence_ids=form.evidence.data or [],
                    reflection=(form.reflection.data or "").strip(),
                    send=send,
                )
                db.session.commit()
            except SubmissionRefused as refused:
                db.session.rollback()
                refusal, status = refused.message, refused.status
            except IntegrityError:  # a double tap created it first
                db.session.rollback()
                flash(_("This was saved already."), "info")
                return redirect(url_for("evidence.submit", badge_id=achievement.public_id))
            else:
                flash(
                    _("Sent to your teacher.") if send else _("Saved as a draft. Only you can see it."),
                    "success",
                )
                return redirect(url_for("evidence.submit", badge_id=achievement.public_id))
        else:
            status = 400
    if refusal is None and (submission is None or submission.is_editable):
        refusal = submissions.refusal_for(current_user, achievement)
    return (
        render_template(
            "evidence/submit.html",
            achievement=achievement,
            text=achievement.text_in(_locale()),
            submission=submission,
            form=form,
            items=items,
            kind_names=KIND_NAMES,
            refusal=refusal,
        ),
        status,
    )


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.get("/review")
@require(Action.ISSUE_BADGES)
def review_queue():
    classroom_id, badge_id = _int_arg("classroom"), _int_arg("badge")
    queue = submissions.queue_for(current_user, classroom_id=classroom_id, achievement_id=badge_id)
    classrooms = db.session.scalars(
        db.select(Classroom).where(Classroom.teacher_id == current_user.id).order_by(Classroom.name)
    ).all()
    badges = db.session.scalars(
        db.select(Achievement)
        .join(issuer_members, issuer_members.c.issuer_id == Achievement.issuer_id)
        .where(issuer_members.c.user_id == current_user.id)
        .order_by(Achievement.name)
    ).all()
    return render_template(
        "evidence/review_queue.html",
        queue=queue,
        classrooms=classrooms,
        badges=badges,
        classroom_id=classroom_id,
        badge_id=badge_id,
    )


def _review_page(submission, form: FeedbackForm | None = None, status: int = 200):
    return (
        render_template(
            "evidence/review.html",
            submission=submission,
            text=submission.achievement.text_in(_locale()),
            form=form or FeedbackForm(),
            kind_names=KIND_NAMES,
        ),
        status,
    )


@bp.get("/review/<public_id>")
@require(Action.ISSUE_BADGES)
def review(public_id: str):
    return _review_page(submission_for_review(current_user, public_id))


@bp.get("/review/<public_id>/award")
@require(Action.ISSUE_BADGES)
def review_award_confirm(public_id: str):
    """Ask once before awarding: without script, "Award badge" opens this page to confirm on."""
    submission = submission_for_review(current_user, public_id)
    if submission.state != SubmissionState.SUBMITTED:
        flash(_("Someone has already reviewed this. Nothing was changed."), "info")
        return redirect(url_for("evidence.review", public_id=public_id))
    return render_template(
        "evidence/review_award.html", submission=submission, text=submission.achievement.text_in(_locale())
    )


@bp.post("/review/<public_id>/award")
@require(Action.ISSUE_BADGES)
def review_award(public_id: str):
    submission = submission_for_review(current_user, public_id)
    try:
        submissions.award_submission(submission, current_user)
        db.session.commit()
    except SubmissionRefused as refused:
        db.session.rollback()
        flash(refused.message, "info")
        return redirect(url_for("evidence.review", public_id=public_id))
    except DBAPIError as error:
        return _after_conflict(error, submission)
    flash(_("Badge awarded to %(name)s.", name=submission.learner.display_name), "success")
    return redirect(url_for("evidence.review_queue"))


def _after_conflict(error: DBAPIError, submission):
    """Say truthfully what a write that met another one means (re-read after the rollback); other faults go on."""
    if not met_another(error):
        raise error
    db.session.rollback()
    flash(submissions.after_conflict(submission), "info")
    return redirect(url_for("evidence.review", public_id=submission.public_id))


@bp.post("/review/<public_id>/return")
@require(Action.ISSUE_BADGES)
def review_return(public_id: str):
    submission = submission_for_review(current_user, public_id)
    form = FeedbackForm()
    if not form.validate_on_submit():
        return _review_page(submission, form, 400)
    audio = form.audio.data.stream if form.has_audio else None
    try:
        voice_feedback.return_submission(submission, current_user, form.feedback.data or "", audio)
        db.session.commit()
    except MediaRefused as refusal:
        form.audio.errors.append(str(refusal.message))
        return _review_page(submission, form, refusal.status)
    except SubmissionRefused as refused:
        flash(refused.message, "info")
        return redirect(url_for("evidence.review", public_id=public_id))
    except DBAPIError as error:
        return _after_conflict(error, submission)
    flash(_("Returned to %(name)s with your feedback.", name=submission.learner.display_name), "success")
    return redirect(url_for("evidence.review_queue"))


@bp.get("/submissions/<public_id>/feedback/<int:event_id>/audio")
def feedback_audio(public_id: str, event_id: int):
    """Serve a teacher's voice message, in ranges, to the learner and the submission's reviewers."""
    step = feedback_audio_for(current_user, public_id, event_id)
    return send_media(step.audio_key, step.audio_mimetype, step.audio_size, step.audio_sha256, "inline")
