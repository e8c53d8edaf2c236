"""Teachers' badge pages: issuers, badges, awarding, claim codes, revocation."""
from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from backpack.auth import invites
from backpack.auth.policy import (
    Action,
    achievement_for,
    award_for,
    award_job_for,
    claim_code_for,
    classroom_for,
    learners_of,
    require,
)
from backpack.extensions import db, limiter
from backpack.issuing import achievements, award_jobs, awarding, badge_preview, bp, claims, issuers, status
from backpack.issuing.badge_forms import (
    AchievementForm,
    AwardForm,
    BadgeTranslationsForm,
    ClaimCodeForm,
    DesignChoicesForm,
    IssuerForm,
    RevokeForm,
)
from backpack.issuing.badge_image import BadgeImageError
from backpack.issuing.badge_making import (
    achievement_fields,
    image_error_message,
    prepare_achievement_form,
    read_logo,
    reader_languages,
    translations_from,
)
from backpack.models import Award
from backpack.roster import classrooms
from backpack.web.origin import public_url

# A teacher flicking through colours and icons asks for a few pictures a second at most;
# counted per teacher, as a school's teachers may share one address.
PREVIEW_LIMIT = "120 per minute"
PLAIN_TEXT = {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/badges")
@require(Action.ISSUE_BADGES)
def badges():
    return render_template(
        "issuing/badges.html",
        badges=achievements.achievements_of(current_user),
        issuers=issuers.issuers_of(current_user),
    )


@bp.route("/issuers/new", methods=["GET", "POST"])
@require(Action.ISSUE_BADGES)
def new_issuer():
    form = IssuerForm()
    if form.validate_on_submit():
        try:
            logo = read_logo(form.logo.data)
        except BadgeImageError as error:
            form.logo.errors.append(image_error_message(error))
        else:
            issuers.create_issuer(
                form.name.data,
                members=[current_user],
                url=form.url.data,
                email=form.email.data,
                description=form.description.data,
                logo_png=logo,
            )
            db.session.commit()
            flash(_("Organisation created. Now create your first badge."), "success")
            return redirect(url_for("issuing.new_badge"))
    status_code = 400 if request.method == "POST" else 200
    return render_template("issuing/issuer_form.html", form=form), status_code


@bp.route("/badges/new", methods=["GET", "POST"])
@require(Action.ISSUE_BADGES)
def new_badge():
    mine = issuers.issuers_of(current_user)
    if not mine:
        return redirect(url_for("issuing.new_issuer"))
    available = achievements.achievements_of(current_user)
    form = prepare_achievement_form(AchievementForm(), mine, available, learners_of(current_user))
    if form.validate_on_submit():
        try:
            fields = achievement_fields(form, available, str(get_locale()))
        except BadgeImageError as error:
            target = form.image if form.image_source.data == "upload" else form.design_label
            target.errors.append(image_error_message(error))
        except achievements.AchievementError as error:
            form.required.errors.append(str(error.message))
        else:
            issuer = next(i for i in mine if i.id == form.issuer.data)
            required = fields.pop("required")
            badge = achievements.create_achievement(issuer, by=current_user, **fields)
            achievements.set_requirements(badge, required)
            db.session.commit()
            flash(_("Badge created. You can award it now."), "success")
            return redirect(url_for("issuing.badge", achievement_id=badge.id))
    status_code = 400 if request.method == "POST" else 200
    return render_template(
        "issuing/badge_form.html", form=form, icon_pictures=badge_preview.icon_pictures()
    ), status_code


@bp.get("/badges/design/preview.png")
@require(Action.ISSUE_BADGES)
@limiter.limit(PREVIEW_LIMIT, key_func=lambda: f"designer:{current_user.get_id()}")
def design_preview():
    """Draw the teacher's current design choices exactly as the badge would be stored; stores nothing."""
    choices = DesignChoicesForm(request.args)
    if not choices.validate():
        return _("Choose an icon and a colour."), 400, PLAIN_TEXT
    try:
        png = badge_preview.designed_image(choices.icon.data, choices.colour.data, choices.label.data or "")
    except BadgeImageError as error:
        return image_error_message(error), 422, PLAIN_TEXT
    response = current_app.response_class(png, mimetype="image/png")
    response.cache_control.private = True
    response.cache_control.max_age = 3600
    return response


def _award_form() -> AwardForm:
    form = AwardForm()
    form.learners.choices = [
        SelectChoice(learner.id, learner.display_name) for learner in learners_of(current_user)
    ]
    form.whole_class.choices = [SelectChoice(0, "—")] + [
        SelectChoice(c.id, c.name) for c in classrooms.classes_of(current_user)
    ]
    return form


def _badge_page(badge, award_form=None, status_code=200):
    awards = db.session.scalars(
        db.select(Award).where(Award.achievement_id == badge.id).order_by(Award.issued_at.desc())
    ).all()
    return render_template(
        "issuing/badge.html",
        badge=badge,
        awards=awards,
        jobs=award_jobs.unfinished(badge),
        award_form=award_form or _award_form(),
        claim_form=ClaimCodeForm(),
        image_url=awarding.image_url(badge),
    ), status_code


@bp.get("/badges/<int:achievement_id>")
@require(Action.ISSUE_BADGES)
def badge(achievement_id: int):
    return _badge_page(achievement_for(current_user, achievement_id))


@bp.post("/badges/<int:achievement_id>/awards")
@require(Action.ISSUE_BADGES)
def award_badge(achievement_id: int):
    found = achievement_for(current_user, achievement_id)
    form = _award_form()
    if not form.validate_on_submit():
        return _badge_page(found, form, 400)
    chosen = set(form.learners.data or [])
    if form.whole_class.data:
        chosen |= {learner.id for learner in classroom_for(current_user, form.whole_class.data).learners}
    if not chosen:
        form.learners.errors.append(_("Choose at least one learner or a class."))
        return _badge_page(found, form, 400)
    learners = [learner for learner in learners_of(current_user) if learner.id in chosen]
    if award_jobs.needs_job(learners):
        return _start_award_job(found, learners, form)
    for _attempt in range(3):
        try:
            outcome = awarding.award(
                found, learners, by=current_user, note=form.note.data, evidence_url=form.evidence_url.data
            )
            db.session.commit()
            break
        except IntegrityError:
            # Another award committed first: a second tap, or (rarely, and not on PostgreSQL, where
            # indexes are drawn under the list's lock) the same status index. Award again: the
            # retry sees what is stored, so "already held" is said only of those who hold it.
            db.session.rollback()
    else:
        flash(_("The badge could not be awarded just now. Please try again."), "error")
        return redirect(url_for("issuing.badge", achievement_id=found.id))
    if outcome.created:
        flash(
            ngettext("Badge awarded to %(num)d learner.", "Badge awarded to %(num)d learners.", len(outcome.created)),
            "success",
        )
    if outcome.already_held:
        names = ", ".join(learner.display_name for learner in outcome.already_held)
        flash(_("Already held, not issued again: %(names)s", names=names), "info")
    return redirect(url_for("issuing.badge", achievement_id=found.id))


def _start_award_job(found, learners, form):
    """A big class: queue one job (a double tap finds the same one) and show its progress."""
    note, link = form.note.data, form.evidence_url.data
    try:
        job, _new = award_jobs.start(found, learners, by=current_user, note=note, evidence_url=link)
        db.session.commit()
    except IntegrityError:
        # The other tap queued it at the same moment.
        db.session.rollback()
        job = award_jobs.active(award_jobs.key_for(found, current_user, [learner.id for learner in learners], note, link))
        if job is None:
            flash(_("The badge could not be awarded just now. Please try again."), "error")
            return redirect(url_for("issuing.badge", achievement_id=found.id))
    award_jobs.wake_work()
    return redirect(url_for("issuing.award_job", job_id=job.id))


@bp.get("/award-jobs/<int:job_id>")
@require(Action.ISSUE_BADGES)
def award_job(job_id: int):
    job = award_job_for(current_user, job_id)
    return render_template("issuing/award_job.html", job=job, progress=award_jobs.progress(job))


@bp.get("/award-jobs/<int:job_id>/progress.json")
@require(Action.ISSUE_BADGES)
def award_job_progress(job_id: int):
    progress = award_jobs.progress(award_job_for(current_user, job_id))
    progress["label"] = _("%(done)d of %(total)d learners done", done=progress["done"], total=progress["total"])
    response = jsonify(progress)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/award-jobs/<int:job_id>/retry")
@require(Action.ISSUE_BADGES)
def retry_award_job(job_id: int):
    job = award_job_for(current_user, job_id)
    if award_jobs.retry(job):
        db.session.commit()
        award_jobs.wake_work()
        flash(_("Trying again. Nobody gets the badge twice."), "success")
    return redirect(url_for("issuing.award_job", job_id=job.id))


@bp.post("/badges/<int:achievement_id>/claim-codes")
@require(Action.ISSUE_BADGES)
def open_claim_code(achievement_id: int):
    found = achievement_for(current_user, achievement_id)
    form = ClaimCodeForm()
    if not form.validate_on_submit():
        return _badge_page(found, status_code=400)
    claim = claims.open_code(found, by=current_user, minutes=form.minutes.data, max_uses=form.max_uses.data)
    db.session.commit()
    return redirect(url_for("issuing.claim_code", claim_id=claim.id))


@bp.get("/claim-codes/<int:claim_id>")
@require(Action.ISSUE_BADGES)
def claim_code(claim_id: int):
    claim = claim_code_for(current_user, claim_id)
    link = public_url("learner.claim_from_link", code=claim.code)
    return render_template("issuing/claim_code.html", claim=claim, link=link, qr=invites.qr_svg(link))


@bp.post("/claim-codes/<int:claim_id>/close")
@require(Action.ISSUE_BADGES)
def close_claim_code(claim_id: int):
    claim = claim_code_for(current_user, claim_id)
    claims.close(claim)
    db.session.commit()
    flash(_("The code is closed. Nobody else can use it."), "success")
    return redirect(url_for("issuing.badge", achievement_id=claim.achievement_id))


@bp.route("/awards/<int:award_id>/revoke", methods=["GET", "POST"])
@require(Action.ISSUE_BADGES)
def revoke_award(award_id: int):
    found = award_for(current_user, award_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            status.revoke(found, form.reason.data, by=current_user)
        except status.RevocationError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return _badge_page(found.achievement, status_code=409)
        db.session.commit()
        flash(_("The badge is revoked. Verifiers see this at once."), "success")
        return redirect(url_for("issuing.badge", achievement_id=found.achievement_id))
    if found.is_revoked:
        abort(409)
    status_code = 400 if request.method == "POST" else 200
    return render_template("issuing/revoke.html", award=found, form=form), status_code


@bp.route("/badges/<int:achievement_id>/translations", methods=["GET", "POST"])
@require(Action.ISSUE_BADGES)
def badge_translations(achievement_id: int):
    """Add or change a badge's translations; credentials already issued keep the words they were signed with."""
    found = achievement_for(current_user, achievement_id)
    existing = dict(found.translations or {})
    form = BadgeTranslationsForm(translations={"own_language": found.language, **existing})
    form.translations.form.wanted = reader_languages(learners_of(current_user))
    if form.validate_on_submit():
        achievements.set_translations(found, translations_from(form.translations, existing))
        db.session.commit()
        flash(_("Translations saved. Learners see them at once."), "success")
        return redirect(url_for("issuing.badge", achievement_id=found.id))
    status_code = 400 if request.method == "POST" else 200
    return render_template(
        "issuing/badge_translations.html", badge=found, form=form, existing=existing
    ), status_code
