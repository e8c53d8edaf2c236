"""Teacher accounts, made by an admin (or `flask create-teacher`); callers commit."""
from backpack.auth import invites
from backpack.extensions import db
from backpack.models import Role, User


def create_teacher(
    display_name: str, *, by: User | None, email=None, phone=None, language: str | None = None
) -> tuple[User, str]:
    """Create a teacher account and return it with its first invite token (its page in `language`)."""
    teacher = User(
        display_name=display_name.strip(), role=Role.TEACHER.value, email=email, phone=phone
    )
    db.session.add(teacher)
    db.session.flush()
    return teacher, invites.issue(teacher, created_by=by, language=language)


def all_teachers() -> list[User]:
    """Return every teacher account, by name."""
    return list(
        db.session.scalars(
            db.select(User).where(User.role == Role.TEACHER.value).order_by(User.display_name)
        )
    )
