from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from backpack.auth import invites
from backpack.auth.forms import PlainForm
from backpack.auth.policy import Action, classroom_for, learner_for, require
from backpack.auth.views import render_invite_card
from backpack.extensions import db
from backpack.issuing import bp, roster
from backpack.issuing.forms import ClassroomForm, LearnerForm, MoveLearnerForm


@bp.get("/classes")
@require(Action.MANAGE_CLASSES)
def classes():
    return render_template(
        "issuing/classes.html", classes=roster.classes_of(current_user), form=ClassroomForm()
    )


@bp.post("/classes")
@require(Action.MANAGE_CLASSES)
def create_classroom():
    form = ClassroomForm()
    if not form.validate_on_submit():
        return render_template(
            "issuing/classes.html", classes=roster.classes_of(current_user), form=form
        ), 400
    classroom = roster.create_classroom(current_user, form.name.data)
    db.session.commit()
    return redirect(url_for("issuing.classroom", classroom_id=classroom.id))


@bp.get("/classes/<int:classroom_id>")
@require(Action.MANAGE_CLASSES)
def classroom(classroom_id: int):
    found = classroom_for(current_user, classroom_id)
    return render_template("issuing/classroom.html", classroom=found, form=LearnerForm())


@bp.post("/classes/<int:classroom_id>/learners")
@require(Action.MANAGE_CLASSES)
def add_learner(classroom_id: int):
    found = classroom_for(current_user, classroom_id)
    form = LearnerForm()
    if not form.validate_on_submit():
        return render_template("issuing/classroom.html", classroom=found, form=form), 400
    learner, token = roster.add_learner(
        found, form.display_name.data, by=current_user, email=form.email.data, phone=form.phone.data
    )
    db.session.commit()
    invites.remember_for_display(learner, token)
    return redirect(url_for("issuing.learner_invite", learner_id=learner.id))


def _move_form(learner) -> MoveLearnerForm:
    form = MoveLearnerForm()
    form.classroom.choices = [SelectChoice(c.id, c.name) for c in roster.classes_of(current_user)]
    return form


@bp.get("/learners/<int:learner_id>")
@require(Action.MANAGE_CLASSES)
def learner(learner_id: int):
    found = learner_for(current_user, learner_id)
    return render_template(
        "issuing/learner.html",
        learner=found,
        classes=roster.classes_of_learner(current_user, found),
        move_form=_move_form(found),
        form=PlainForm(),
        open_invite=invites.open_invite_of(found),
    )


@bp.post("/learners/<int:learner_id>/invites")
@require(Action.MANAGE_CLASSES)
def new_learner_invite(learner_id: int):
    found = learner_for(current_user, learner_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    token = invites.issue(found, created_by=current_user)
    db.session.commit()
    invites.remember_for_display(found, token)
    return redirect(url_for("issuing.learner_invite", learner_id=found.id))


@bp.get("/learners/<int:learner_id>/invite")
@require(Action.MANAGE_CLASSES)
def learner_invite(learner_id: int):
    found = learner_for(current_user, learner_id)
    return render_invite_card(
        found,
        new_invite_url=url_for("issuing.new_learner_invite", learner_id=found.id),
        back_url=url_for("issuing.learner", learner_id=found.id),
    )


@bp.post("/learners/<int:learner_id>/move/<int:source_id>")
@require(Action.MANAGE_CLASSES)
def move_learner(learner_id: int, source_id: int):
    found = learner_for(current_user, learner_id)
    source = classroom_for(current_user, source_id)
    form = _move_form(found)
    if not form.validate_on_submit():
        abort(400)
    target = classroom_for(current_user, form.classroom.data)
    roster.move_learner(found, source, target)
    db.session.commit()
    flash(_("%(name)s is now in %(class_name)s.", name=found.display_name, class_name=target.name), "success")
    return redirect(url_for("issuing.classroom", classroom_id=target.id))
