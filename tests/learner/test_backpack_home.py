"""The learner's home under load: its queries do not grow with her badges, and it reads no badge picture."""
import threading

from sqlalchemy import event

from backpack.extensions import db
from backpack.issuing import awarding
from backpack.models import Issuer, Role, User


def test_the_home_asks_the_same_queries_for_one_badge_or_six_and_reads_no_picture(
    app, signed_in, make_user, make_issuer, make_achievement
):
    teacher = make_user(Role.TEACHER, "Ms Rivera")
    issuer_id, teacher_id = make_issuer(teacher).id, teacher.id
    lan = signed_in(Role.LEARNER, "Lan")
    learner_id = lan.user.id
    lan.client.get("/")  # the first view after sign-in may note the device; measure the ones after it
    queries: dict[int, list[str]] = {}
    here = threading.get_ident()
    for held, new in ((1, 1), (6, 5)):
        for number in range(new):
            issuer, teacher = db.session.get(Issuer, issuer_id), db.session.get(User, teacher_id)
            badge = make_achievement(issuer, by=teacher, name=f"Skill {held}-{number}")
            awarding.award(badge, [db.session.get(User, learner_id)], by=teacher)
            db.session.commit()
        db.session.remove()
        seen = queries[held] = []

        def record(conn, cursor, statement, parameters, context, executemany, seen=seen):
            if threading.get_ident() == here:  # the request's own queries, not a worker thread's
                seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            page = lan.client.get("/").get_data(as_text=True)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        assert page.count("data-badge-card") == held
        assert not any("image_png" in statement for statement in seen)
    assert len(queries[1]) == len(queries[6])
