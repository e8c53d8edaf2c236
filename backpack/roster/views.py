from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from backpack import i18n
from backpack.auth import invites
from backpack.auth.forms import PlainForm
from backpack.auth.invite_card import render_invite_card
from backpack.auth.policy import Action, classroom_for, learner_for, require
from backpack.extensions import db
from backpack.i18n.forms import InviteLanguageForm
from backpack.roster import bp, classrooms
from backpack.roster.forms import ClassroomForm, MoveLearnerForm, PersonForm


@bp.get("/classes")
@require(Action.MANAGE_CLASSES)
def classes():
    return render_template(
        "roster/classes.html", classes=classrooms.classes_of(current_user), form=ClassroomForm()
    )


@bp.post("/classes")
@require(Action.MANAGE_CLASSES)
def create_classroom():
    form = ClassroomForm()
    if not form.validate_on_submit():
        return render_template(
            "roster/classes.html", classes=classrooms.classes_of(current_user), form=form
        ), 400
    classroom = classrooms.create_classroom(current_user, form.name.data)
    db.session.commit()
    return redirect(url_for("roster.classroom", classroom_id=classroom.id))


@bp.get("/classes/<int:classroom_id>")
@require(Action.MANAGE_CLASSES)
def classroom(classroom_id: int):
    found = classroom_for(current_user, classroom_id)
    form = PersonForm(language=_class_language(found))
    return render_template("roster/classroom.html", classroom=found, form=form)


def _class_language(classroom) -> str:
    """The language a new learner's invite opens in unless the teacher picks another: the class's, else the teacher's."""
    return classrooms.usual_language(classroom, i18n.supported()) or str(get_locale())


@bp.post("/classes/<int:classroom_id>/learners")
@require(Action.MANAGE_CLASSES)
def add_learner(classroom_id: int):
    found = classroom_for(current_user, classroom_id)
    form = PersonForm()
    if not form.validate_on_submit():
        return render_template("roster/classroom.html", classroom=found, form=form), 400
    learner, token = classrooms.add_learner(
        found,
        form.display_name.data,
        by=current_user,
        email=form.email.data,
        phone=form.phone.data,
        language=i18n.offered(form.language.data) or _class_language(found),
    )
    invites.remember_for_display(learner, token)
    db.session.commit()
    return redirect(url_for("roster.learner_invite", learner_id=learner.id))


def _move_form(learner) -> MoveLearnerForm:
    form = MoveLearnerForm()
    form.classroom.choices = [SelectChoice(c.id, c.name) for c in classrooms.classes_of(current_user)]
    return form


@bp.get("/learners/<int:learner_id>")
@require(Action.MANAGE_CLASSES)
def learner(learner_id: int):
    found = learner_for(current_user, learner_id)
    return render_template(
        "roster/learner.html",
        learner=found,
        classes=classrooms.classes_of_learner(current_user, found),
        move_form=_move_form(found),
        form=PlainForm(),
        open_invite=invites.open_invite_of(found),
    )


@bp.post("/learners/<int:learner_id>/invites")
@require(Action.MANAGE_CLASSES)
def new_learner_invite(learner_id: int):
    found = learner_for(current_user, learner_id)
    form = InviteLanguageForm()
    if not form.validate_on_submit():
        abort(400)
    invites.issue_again(found, by=current_user, chosen_language=form.language.data)
    db.session.commit()
    return redirect(url_for("roster.learner_invite", learner_id=found.id))


@bp.get("/learners/<int:learner_id>/invite")
@require(Action.MANAGE_CLASSES)
def learner_invite(learner_id: int):
    found = learner_for(current_user, learner_id)
    return render_invite_card(
        found,
        new_invite_url=url_for("roster.new_learner_invite", learner_id=found.id),
        back_url=url_for("roster.learner", learner_id=found.id),
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
    classrooms.move_learner(found, source, target)
    db.session.commit()
    flash(_("%(name)s is now in %(class_name)s.", name=found.display_name, class_name=target.name), "success")
    return redirect(url_for("roster.classroom", classroom_id=target.id))
