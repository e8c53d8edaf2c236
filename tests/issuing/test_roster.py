"""Teachers build classes, add learners and hand them invites."""
import re

from backpack.extensions import db
from backpack.models import Enrolment, Invite, Role, User
from tests.conftest import Actor, new_client


def test_teacher_creates_class_adds_learner_and_gets_an_invite_qr(app, signed_in):
    teacher = signed_in(Role.TEACHER)
    created = teacher.client.post("/classes", data={"csrf_token": teacher.csrf("/classes"), "name": "Morning ESL"})
    class_url = created.headers["Location"]
    added = teacher.client.post(
        class_url + "/learners",
        data={"csrf_token": teacher.csrf(class_url), "display_name": "Nguyễn Thị Lan", "phone": "+1 555 0100"},
    )
    assert added.status_code == 302
    page = teacher.client.get(added.headers["Location"]).get_data(as_text=True)

    link = re.search(r'data-invite-link>([^<]+)<', page).group(1)
    assert link.startswith("https://localhost/invite/")
    assert "<svg" in page and "<script" not in page.split("<main")[1]
    learner = db.session.scalar(db.select(User).where(User.role == Role.LEARNER.value))
    assert learner.display_name == "Nguyễn Thị Lan" and learner.phone == "+1 555 0100"
    # The link works once, for this learner.
    token = link.rsplit("/", 1)[1]
    assert Actor(new_client(app), learner).register_with_invite(token).status_code == 200


def test_invite_token_is_shown_only_to_the_session_that_made_it(app, signed_in, make_classroom, make_user):
    teacher = signed_in(Role.TEACHER)
    learner = make_user(Role.LEARNER, "Omar")
    make_classroom(teacher.user, learner)
    page = teacher.client.get(f"/learners/{learner.id}/invite").get_data(as_text=True)
    assert "data-invite-link" not in page
    teacher.client.post(f"/learners/{learner.id}/invites", data={"csrf_token": teacher.csrf("/classes")})
    page = teacher.client.get(f"/learners/{learner.id}/invite").get_data(as_text=True)
    assert "data-invite-link" in page
    # Only a hash is stored: the token shown is not in the database.
    token = re.search(r"/invite/([A-Za-z0-9_-]+)", page).group(1)
    assert db.session.scalar(db.select(Invite.token_hash)) != token
    assert len(token) >= 43  # 256 bits, base64url


def test_new_invite_replaces_the_old_one(app, signed_in, make_classroom, make_user):
    teacher = signed_in(Role.TEACHER)
    learner = make_user(Role.LEARNER, "Omar")
    make_classroom(teacher.user, learner)
    for _ in range(2):
        teacher.client.post(f"/learners/{learner.id}/invites", data={"csrf_token": teacher.csrf("/classes")})
    rows = db.session.scalars(db.select(Invite).where(Invite.user_id == learner.id).order_by(Invite.id)).all()
    assert rows[0].revoked_at is not None and rows[1].revoked_at is None


def test_move_learner_between_own_classes(app, signed_in, make_classroom, make_user):
    teacher = signed_in(Role.TEACHER)
    learner = make_user(Role.LEARNER, "Omar")
    first = make_classroom(teacher.user, learner, name="First")
    second = make_classroom(teacher.user, name="Second")
    response = teacher.client.post(
        f"/learners/{learner.id}/move/{first.id}",
        data={"csrf_token": teacher.csrf("/classes"), "classroom": second.id},
    )
    assert response.status_code == 302
    assert [e.classroom_id for e in db.session.scalars(db.select(Enrolment))] == [second.id]


def test_cannot_move_a_learner_into_another_teachers_class(app, signed_in, make_classroom, make_user):
    teacher = signed_in(Role.TEACHER)
    learner = make_user(Role.LEARNER, "Omar")
    first = make_classroom(teacher.user, learner, name="First")
    foreign = make_classroom(make_user(Role.TEACHER, "Other"), name="Foreign")
    response = teacher.client.post(
        f"/learners/{learner.id}/move/{first.id}",
        data={"csrf_token": teacher.csrf("/classes"), "classroom": foreign.id},
    )
    assert response.status_code == 400
    assert [e.classroom_id for e in db.session.scalars(db.select(Enrolment))] == [first.id]


def test_learner_form_rejects_bad_input(app, signed_in, make_classroom):
    teacher = signed_in(Role.TEACHER)
    classroom = make_classroom(teacher.user)
    response = teacher.client.post(
        f"/classes/{classroom.id}/learners",
        data={"csrf_token": teacher.csrf("/classes"), "display_name": "x" * 121, "email": "not-an-email", "phone": "call me"},
    )
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(User.id)).where(User.role == "learner")) == 0
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
