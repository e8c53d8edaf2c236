"""Demo data: an admin, a teacher, a class, an issuer, badges, awards and evidence to review;
safe to load again."""
import io

from PIL import Image, ImageDraw

from backpack.auth import invites
from backpack.evidence import capture, submissions
from backpack.extensions import db
from backpack.issuing import achievements, awarding, badge_image, issuers, status
from backpack.models import Achievement, Award, Classroom, Enrolment, Issuer, Role, User

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


ISSUER = "Riverside Adult School (demo)"
BADGES = [
    ("Everyday conversation", "chat", "Talks about daily life in simple English.",
     "Hold a five-minute conversation about your week with your teacher.", "CEFR", "A2 spoken interaction"),
    ("Reading forms", "book", "Reads and fills in everyday forms.",
     "Fill in a clinic registration form and a job application form correctly.", "CEFR", "A2 reading"),
    ("Writing a short e-mail", "pencil", "Writes a short, polite e-mail.",
     "Write an e-mail to a landlord about a repair, with greeting, request and closing.", "CEFR", "A2 writing"),
]
STACK = ("ESL Level 2 complete", "trophy", "Completed every ESL Level 2 skill.",
         "Earn the three ESL Level 2 badges.")


def _badge(issuer, teacher, name, icon, description, criteria, alignment=None) -> Achievement:
    badge = db.session.scalar(
        db.select(Achievement).where(Achievement.issuer_id == issuer.id, Achievement.name == name)
    )
    if badge is None:
        colours = list(badge_image.COLOURS)
        badge = achievements.create_achievement(
            issuer,
            by=teacher,
            name=name,
            description=description,
            criteria=criteria,
            image_png=badge_image.design_badge(icon, colours[len(name) % len(colours)], "ESL 2"),
            alignments=[alignment] if alignment else [],
            tags=["ESL", "A2"],
        )
        db.session.flush()
    return badge


def _demo_badges(teacher: User, learners: list[User]) -> None:
    """An issuer, three badges and a stack of them, awards, and one revoked award."""
    issuer = db.session.scalar(db.select(Issuer).where(Issuer.name == ISSUER))
    if issuer is None:
        issuer = issuers.create_issuer(
            ISSUER, members=[teacher], url="https://riverside.example", email="badges@riverside.example"
        )
        db.session.flush()
    skills = []
    for name, icon, description, criteria, framework, skill in BADGES:
        alignment = {
            "name": skill,
            "framework": framework,
            "url": "https://www.coe.int/en/web/common-european-framework-reference-languages",
            "code": skill.split()[0],
        }
        skills.append(_badge(issuer, teacher, name, icon, description, criteria, alignment))
    stack = _badge(issuer, teacher, *STACK)
    if not stack.required:
        achievements.set_requirements(stack, skills)
    if db.session.scalar(db.select(Award.id).where(Award.issuer_id == issuer.id)) is not None:
        return
    awarding.award(skills[0], learners[:4], by=teacher, note="Great conversation about cooking.")
    awarding.award(skills[1], learners[:2], by=teacher)
    awarding.award(skills[2], learners[:1], by=teacher)  # completes the stack for the first learner
    mistaken = awarding.award(skills[2], learners[2:3], by=teacher).created[0]
    db.session.flush()
    status.revoke(mistaken, "Awarded to the wrong learner by mistake.", by=teacher)


DEMO_EVIDENCE_KEY = "00000000-0000-4000-8000-00000000de70"
DEMO_EMAIL = ["Dear Mr Lee,", "The kitchen tap is leaking.", "Could you repair it this week?", "Thank you,", "Carlos"]


def _email_photo() -> bytes:
    """A photo of handwritten work, drawn here so the demo needs no files."""
    picture = Image.new("RGB", (900, 600), (250, 246, 232))
    pen = ImageDraw.Draw(picture)
    for number, line in enumerate(DEMO_EMAIL):
        pen.line([(40, 110 + number * 90), (860, 110 + number * 90)], fill=(170, 200, 230), width=2)
        pen.text((50, 70 + number * 90), line, fill=(30, 40, 110), font_size=40)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def _demo_submission(learner: User, badge: Achievement) -> None:
    """A photo of written work sent for a badge, waiting in the teacher's review queue."""
    if submissions.find(learner, badge) is not None:
        return
    photo, _created = capture.save_evidence(
        learner,
        _email_photo(),
        idempotency_key=DEMO_EVIDENCE_KEY,
        title="My e-mail to the landlord",
        reflection="I wrote it at home and checked the spelling with my friend.",
    )
    db.session.commit()
    submissions.save(
        learner, badge, evidence_ids=[photo.public_id], reflection="I practised polite requests.", send=True
    )


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
    _demo_badges(teacher, learners)
    email_badge = db.session.scalar(db.select(Achievement).where(Achievement.name == BADGES[2][0]))
    _demo_submission(learners[1], email_badge)
    people = [("Admin", admin), ("Teacher", teacher)] + [
        (f"Learner {learner.display_name}", learner) for learner in learners
    ]
    tokens = [(label, invites.issue(user, created_by=None)) for label, user in people]
    db.session.commit()
    return tokens
