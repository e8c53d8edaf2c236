"""The admin's side: creating teacher accounts."""
from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from backpack.auth import invites
from backpack.auth.forms import PlainForm
from backpack.auth.policy import Action, require, teacher_for
from backpack.auth.views import render_invite_card
from backpack.extensions import db
from backpack.issuing.forms import LearnerForm as PersonForm
from backpack.models import Role, User

bp = Blueprint("admin", __name__, url_prefix="/admin")


def create_teacher(display_name: str, *, by: User | None, email=None, phone=None) -> tuple[User, str]:
    """Create a teacher account and return it with its first invite token."""
    teacher = User(
        display_name=display_name.strip(), role=Role.TEACHER.value, email=email, phone=phone
    )
    db.session.add(teacher)
    db.session.flush()
    return teacher, invites.issue(teacher, created_by=by)


def _teachers() -> list[User]:
    return list(
        db.session.scalars(
            db.select(User).where(User.role == Role.TEACHER.value).order_by(User.display_name)
        )
    )


@bp.get("/teachers")
@require(Action.MANAGE_TEACHERS)
def teachers():
    return render_template("admin/teachers.html", teachers=_teachers(), form=PersonForm())


@bp.post("/teachers")
@require(Action.MANAGE_TEACHERS)
def add_teacher():
    form = PersonForm()
    if not form.validate_on_submit():
        return render_template("admin/teachers.html", teachers=_teachers(), form=form), 400
    teacher, token = create_teacher(
        form.display_name.data, by=current_user, email=form.email.data, phone=form.phone.data
    )
    db.session.commit()
    invites.remember_for_display(teacher, token)
    return redirect(url_for("admin.teacher_invite", teacher_id=teacher.id))


@bp.post("/teachers/<int:teacher_id>/invites")
@require(Action.MANAGE_TEACHERS)
def new_teacher_invite(teacher_id: int):
    teacher = teacher_for(current_user, teacher_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    token = invites.issue(teacher, created_by=current_user)
    db.session.commit()
    invites.remember_for_display(teacher, token)
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
