"""Classes and learners: who a teacher teaches, and how learners get in."""
from collections.abc import Iterable

from backpack.auth import invites
from backpack.extensions import db
from backpack.models import Classroom, Enrolment, Role, User


def classes_of(teacher: User) -> list[Classroom]:
    return list(
        db.session.scalars(
            db.select(Classroom).where(Classroom.teacher_id == teacher.id).order_by(Classroom.name)
        )
    )


def create_classroom(teacher: User, name: str) -> Classroom:
    classroom = Classroom(name=name.strip(), teacher=teacher)
    db.session.add(classroom)
    return classroom


def add_learner(
    classroom: Classroom, display_name: str, *, by: User, email=None, phone=None, language: str | None = None
) -> tuple[User, str]:
    """Create a learner in the class and return them with their first invite token (its page in `language`)."""
    learner = User(
        display_name=display_name.strip(),
        role=Role.LEARNER.value,
        email=email or None,
        phone=phone or None,
    )
    db.session.add(learner)
    db.session.add(Enrolment(classroom=classroom, learner=learner))
    db.session.flush()
    return learner, invites.issue(learner, created_by=by, language=language)


def usual_language(classroom: Classroom, offered: Iterable[str]) -> str | None:
    """Return the offered language most of the class's learners read (the default for a new learner's invite)."""
    count = db.func.count(User.id)
    return db.session.scalar(
        db.select(User.preferred_language)
        .join(Enrolment, Enrolment.learner_id == User.id)
        .where(Enrolment.classroom_id == classroom.id, User.preferred_language.in_(list(offered)))
        .group_by(User.preferred_language)
        .order_by(count.desc(), User.preferred_language)
        .limit(1)
    )


def move_learner(learner: User, source: Classroom, target: Classroom) -> None:
    """Move a learner from one of the teacher's classes to another."""
    enrolment = db.session.scalar(
        db.select(Enrolment).where(
            Enrolment.classroom_id == source.id, Enrolment.learner_id == learner.id
        )
    )
    if enrolment is None or source.id == target.id:
        return
    already = db.session.scalar(
        db.select(Enrolment).where(
            Enrolment.classroom_id == target.id, Enrolment.learner_id == learner.id
        )
    )
    if already:
        db.session.delete(enrolment)
    else:
        enrolment.classroom = target


def classes_of_learner(teacher: User, learner: User) -> list[Classroom]:
    return list(
        db.session.scalars(
            db.select(Classroom)
            .join(Enrolment)
            .where(Classroom.teacher_id == teacher.id, Enrolment.learner_id == learner.id)
        )
    )
