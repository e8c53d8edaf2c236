"""Demo data: an admin, a teacher and a class of learners, safe to load again."""
from backpack.auth import invites
from backpack.extensions import db
from backpack.models import Classroom, Enrolment, Role, User

ADMIN = "Demo Admin"
TEACHER = "Ms Rivera (demo teacher)"
CLASSROOM = "ESL Level 2 (demo)"
LEARNERS = [
    ("Amina Yusuf", "ar"),
    ("Carlos Mendoza", "es"),
    ("Nguyễn Thị Lan", "en"),
    ("李伟 (Li Wei)", "en"),
    ("Fatima Al-Sayed", "ar"),
]


def _person(name: str, role: Role, language: str | None = None) -> User:
    user = db.session.scalar(db.select(User).where(User.display_name == name, User.role == role))
    if user is None:
        user = User(display_name=name, role=role.value, preferred_language=language)
        db.session.add(user)
        db.session.flush()
    return user


def load_demo() -> list[tuple[str, str]]:
    """Create what is missing and return (label, invite token) for everyone demo."""
    admin = _person(ADMIN, Role.ADMIN)
    teacher = _person(TEACHER, Role.TEACHER)
    classroom = db.session.scalar(
        db.select(Classroom).where(Classroom.name == CLASSROOM, Classroom.teacher_id == teacher.id)
    )
    if classroom is None:
        classroom = Classroom(name=CLASSROOM, teacher=teacher)
        db.session.add(classroom)
    learners = []
    for name, language in LEARNERS:
        learner = _person(name, Role.LEARNER, language)
        if not any(e.learner_id == learner.id for e in classroom.enrolments):
            db.session.add(Enrolment(classroom=classroom, learner=learner))
        learners.append(learner)
    db.session.flush()
    people = [("Admin", admin), ("Teacher", teacher)] + [
        (f"Learner {learner.display_name}", learner) for learner in learners
    ]
    tokens = [(label, invites.issue(user, created_by=None)) for label, user in people]
    db.session.commit()
    return tokens
