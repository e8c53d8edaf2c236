"""Demo data: an admin, a teacher, a class, an issuer, badges, awards and evidence to review;
safe to load again.

This is the body of the `flask demo` command, so it commits, as CLI commands do.
"""
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
    ("Nguyễn Thị Lan", "vi"),
    ("李伟 (Li Wei)", "zh_Hans"),
    ("Wideline Pierre", "ht"),
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
# The badges are written in English; every other language the app offers has a translation:
# {English name: {language: (name, description, criteria)}}.
TRANSLATIONS = {
    "Everyday conversation": {
        "es": ("Conversación diaria", "Habla de la vida diaria en inglés sencillo.",
               "Mantén una conversación de cinco minutos con tu maestra sobre tu semana."),
        "zh_Hans": ("日常对话", "能用简单的英语谈论日常生活。", "和老师用五分钟谈谈你这一周的生活。"),
        "vi": ("Giao tiếp hằng ngày", "Nói về cuộc sống hằng ngày bằng tiếng Anh đơn giản.",
               "Nói chuyện năm phút với giáo viên về tuần của bạn."),
        "ar": ("محادثة يومية", "يتحدث عن الحياة اليومية بلغة إنجليزية بسيطة.",
               "أجرِ محادثة مدتها خمس دقائق مع معلمتك عن أسبوعك."),
        "ht": ("Konvèsasyon chak jou", "Pale sou lavi chak jou nan yon angle senp.",
               "Fè yon konvèsasyon senk minit ak pwofesè w la sou semèn ou."),
    },
    "Reading forms": {
        "es": ("Leer formularios", "Lee y llena formularios de la vida diaria.",
               "Llena bien un formulario de registro de una clínica y una solicitud de empleo."),
        "zh_Hans": ("阅读表格", "能读懂并填写日常表格。", "正确填写一份诊所登记表和一份工作申请表。"),
        "vi": ("Đọc biểu mẫu", "Đọc và điền các biểu mẫu thường ngày.",
               "Điền đúng một phiếu đăng ký khám bệnh và một đơn xin việc."),
        "ar": ("قراءة الاستمارات", "يقرأ الاستمارات اليومية ويملؤها.",
               "املأ استمارة تسجيل في عيادة وطلب عمل بشكل صحيح."),
        "ht": ("Li fòmilè", "Li epi ranpli fòmilè chak jou.",
               "Ranpli yon fòmilè enskripsyon nan klinik ak yon aplikasyon pou travay san erè."),
    },
    "Writing a short e-mail": {
        "es": ("Escribir un correo corto", "Escribe un correo electrónico corto y amable.",
               "Escribe un correo al dueño de tu vivienda sobre una reparación, con saludo, petición y despedida."),
        "zh_Hans": ("写一封简短的电子邮件", "能写一封简短、礼貌的电子邮件。",
                    "给房东写一封关于维修的电子邮件，要有问候、请求和结尾。"),
        "vi": ("Viết email ngắn", "Viết một email ngắn và lịch sự.",
               "Viết email cho chủ nhà về việc sửa chữa, có lời chào, lời đề nghị và lời kết."),
        "ar": ("كتابة بريد إلكتروني قصير", "يكتب بريدًا إلكترونيًا قصيرًا ومهذبًا.",
               "اكتب بريدًا إلكترونيًا إلى المالك عن إصلاح، فيه تحية وطلب وختام."),
        "ht": ("Ekri yon ti imèl", "Ekri yon imèl kout ki janti.",
               "Ekri mèt kay la yon imèl sou yon reparasyon, avèk bonjou, demann nan ak yon salitasyon pou fini."),
    },
    "ESL Level 2 complete": {
        "es": ("Nivel 2 de inglés completo", "Completó todas las habilidades del nivel 2 de inglés.",
               "Gana las tres insignias del nivel 2 de inglés."),
        "zh_Hans": ("英语二级完成", "已完成英语二级的全部技能。", "获得英语二级的三枚徽章。"),
        "vi": ("Hoàn thành tiếng Anh cấp độ 2", "Đã hoàn thành mọi kỹ năng tiếng Anh cấp độ 2.",
               "Đạt được ba huy hiệu tiếng Anh cấp độ 2."),
        "ar": ("إتمام المستوى الثاني من الإنجليزية", "أتمّ كل مهارات المستوى الثاني من الإنجليزية.",
               "احصل على شارات المستوى الثاني الثلاث."),
        "ht": ("Nivo 2 angle fini", "Fin aprann tout konpetans nivo 2 angle yo.",
               "Genyen twa badj nivo 2 angle yo."),
    },
}


def _translations(name: str) -> dict:
    return {
        language: dict(zip(("name", "description", "criteria"), words, strict=True))
        for language, words in TRANSLATIONS.get(name, {}).items()
    }


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
            translations=_translations(name),
            language="en",
        )
        db.session.flush()
    elif not badge.translations:
        # A demo loaded before the badges had translations gets them now.
        achievements.set_translations(badge, _translations(name))
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
