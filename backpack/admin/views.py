from flask import abort, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user

from backpack import i18n
from backpack.admin import bp, teacher_accounts
from backpack.auth import invites, recovery
from backpack.auth.invite_card import render_invite_card
from backpack.auth.policy import Action, require, teacher_for
from backpack.extensions import db
from backpack.i18n.forms import InviteLanguageForm
from backpack.models.time import utcnow
from backpack.roster.forms import PersonForm


@bp.get("/teachers")
@require(Action.MANAGE_TEACHERS)
def teachers():
    form = PersonForm(language=str(get_locale()))
    return render_template("admin/teachers.html", teachers=teacher_accounts.all_teachers(), form=form)


@bp.post("/teachers")
@require(Action.MANAGE_TEACHERS)
def add_teacher():
    form = PersonForm()
    if not form.validate_on_submit():
        return render_template("admin/teachers.html", teachers=teacher_accounts.all_teachers(), form=form), 400
    teacher, token = teacher_accounts.create_teacher(
        form.display_name.data,
        by=current_user,
        email=form.email.data,
        phone=form.phone.data,
        language=i18n.offered(form.language.data) or str(get_locale()),
    )
    invites.remember_for_display(teacher, token)
    db.session.commit()
    return redirect(url_for("admin.teacher_invite", teacher_id=teacher.id))


@bp.post("/teachers/<int:teacher_id>/invites")
@require(Action.MANAGE_TEACHERS)
def new_teacher_invite(teacher_id: int):
    teacher = teacher_for(current_user, teacher_id)
    form = InviteLanguageForm()
    if not form.validate_on_submit():
        abort(400)
    invites.issue_again(teacher, by=current_user, chosen_language=form.language.data)
    db.session.commit()
    return redirect(url_for("admin.teacher_invite", teacher_id=teacher.id))


@bp.get("/teachers/<int:teacher_id>/invite")
@require(Action.MANAGE_TEACHERS)
def teacher_invite(teacher_id: int):
    teacher = teacher_for(current_user, teacher_id)
    return render_invite_card(
        teacher,
        new_invite_url=url_for("admin.new_teacher_invite", teacher_id=teacher.id),
        back_url=url_for("admin.teachers"),
    )


@bp.get("/recovery")
@require(Action.AUDIT_RECOVERY)
def recovery_links():
    """Every sign-in link made for someone who already had a passkey: by whom, for whom, what came of it."""
    page = db.paginate(recovery.all_links(), per_page=50, error_out=False)
    return render_template("admin/recovery.html", page=page, now=utcnow())
