"""Who may do what: every access decision of the app is made here."""
from enum import StrEnum
from functools import wraps

from flask import abort
from flask_login import current_user

from backpack.extensions import db
from backpack.models import Classroom, Enrolment, Role, User


class Action(StrEnum):
    USE_BACKPACK = "use-backpack"
    MANAGE_CLASSES = "manage-classes"
    MANAGE_TEACHERS = "manage-teachers"
    MANAGE_ACCOUNT = "manage-account"


ROLE_RULES: dict[Action, set[str]] = {
    Action.USE_BACKPACK: {Role.LEARNER},
    Action.MANAGE_CLASSES: {Role.TEACHER},
    Action.MANAGE_TEACHERS: {Role.ADMIN},
    Action.MANAGE_ACCOUNT: {Role.LEARNER, Role.TEACHER, Role.ADMIN},
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


def classroom_for(user: User, classroom_id: int) -> Classroom:
    """Return one of the user's own classes, or 404 so others cannot learn it exists."""
    classroom = db.session.get(Classroom, classroom_id)
    if classroom is None or classroom.teacher_id != user.id:
        abort(404)
    return classroom


def learner_for(user: User, learner_id: int) -> User:
    """Return a learner the teacher teaches, or 404."""
    learner = db.session.get(User, learner_id)
    if learner is None or not teaches(user, learner):
        abort(404)
    return learner


def teacher_for(user: User, teacher_id: int) -> User:
    """Return a teacher account the admin may manage, or 404."""
    teacher = db.session.get(User, teacher_id)
    if teacher is None or not can(user, Action.MANAGE_TEACHERS) or not teacher.is_teacher:
        abort(404)
    return teacher
