"""An invite opens in the language its maker chose for the person, until they choose their own."""
import re

from flask_babel import force_locale, gettext

from backpack.auth import invites
from backpack.extensions import db
from backpack.models import Invite, Role, User
from tests.conftest import Actor, new_client


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]*)"', html).group(1)


def chosen(html: str) -> str:
    """The language selected in the page's invite-language menu."""
    select = re.search(r'<select[^>]*name="language".*?</select>', html, re.S).group(0)
    option = re.search(r"<option[^>]*\bselected\b[^>]*>", select).group(0)
    return re.search(r'value="([^"]+)"', option).group(1)


def add_learner(teacher, classroom, name="Amina", **fields):
    url = f"/classes/{classroom.id}"
    response = teacher.client.post(
        url + "/learners", data={"csrf_token": teacher.csrf(url), "display_name": name, **fields}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    learner = db.session.scalar(db.select(User).where(User.display_name == name))
    card = teacher.client.get(response.headers["Location"]).get_data(as_text=True)
    return learner, card


def latest_invite(user) -> Invite:
    return db.session.scalar(db.select(Invite).where(Invite.user_id == user.id).order_by(Invite.id.desc()))


def test_the_invite_page_opens_in_the_language_the_teacher_chose(app, signed_in, make_classroom):
    teacher = signed_in(Role.TEACHER, "Ms Rivera")
    classroom = make_classroom(teacher.user)
    learner, card = add_learner(teacher, classroom, language="ar")
    assert latest_invite(learner).language == "ar"
    token = re.search(r"/invite/([A-Za-z0-9_-]+)", card).group(1)

    person = Actor(new_client(app), learner)
    page = person.client.get(f"/invite/{token}", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert html_lang(page) == "ar"
    # Every language is still offered, and none is marked chosen: the person has not chosen yet.
    assert len(re.findall(r'name="language" value="', page)) == len(app.config["LANGUAGES"])
    assert "is-current" not in page

    # Their own choice wins over the teacher's.
    person.client.set_cookie("lang", "vi")
    page = person.client.get(f"/invite/{token}").get_data(as_text=True)
    assert html_lang(page) == "vi" and 'value="vi" lang="vi" dir="ltr"\n        class="button button-language is-current"' in page

    # Registered without ever choosing: they keep the invite's language (push texts use it).
    fresh = Actor(new_client(app), learner)
    fresh.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-US"
    assert fresh.register_with_invite(token).status_code == 200
    db.session.refresh(learner)
    assert learner.preferred_language == "ar"
    assert fresh.client.get_cookie("lang").value == "ar"


def test_the_card_speaks_to_the_person_in_their_language_and_to_the_teacher_in_theirs(signed_in, make_classroom):
    teacher = signed_in(Role.TEACHER, "Ms Rivera")
    _learner, card = add_learner(teacher, make_classroom(teacher.user), language="ar")
    assert html_lang(card) == "en"
    text = re.search(r'<div class="invite-card" lang="ar" dir="rtl">(.*?)</div>', card, re.S).group(1)
    assert "Scan this code" not in text and re.search(r"[\u0600-\u06ff]{3}", text)
    assert "data-invite-link" in text
    assert "Invite for Amina" in card  # the teacher's own page stays in the teacher's language


def test_the_default_is_the_class_usual_language_else_the_teachers(app, signed_in, make_classroom, make_user):
    teacher = signed_in(Role.TEACHER, "Ms Rivera")
    empty = make_classroom(teacher.user, name="New class")
    assert chosen(teacher.client.get(f"/classes/{empty.id}").get_data(as_text=True)) == "en"

    readers = [make_user(Role.LEARNER, f"L{i}", preferred_language=code) for i, code in enumerate(["vi", "es", "vi"])]
    classroom = make_classroom(teacher.user, *readers, make_user(Role.LEARNER, "No choice yet"))
    assert chosen(teacher.client.get(f"/classes/{classroom.id}").get_data(as_text=True)) == "vi"
    # Sent without a language (an old form) or with one not offered: the default, not an error.
    learner, _card = add_learner(teacher, classroom, "Bao")
    assert latest_invite(learner).language == "vi"
    learner, _card = add_learner(teacher, classroom, "Chen", language="tlh")
    assert latest_invite(learner).language == "vi"
    learner, _card = add_learner(teacher, classroom, "Dara", language="zh-CN")
    assert latest_invite(learner).language == "zh_Hans"


def test_a_new_invite_link_can_change_the_language(signed_in, make_classroom, make_user):
    teacher = signed_in(Role.TEACHER, "Ms Rivera")
    learner = make_user(Role.LEARNER, "Omar")
    make_classroom(teacher.user, learner)
    url = f"/learners/{learner.id}/invites"
    teacher.client.post(url, data={"csrf_token": teacher.csrf("/classes"), "language": "ht"})
    assert latest_invite(learner).language == "ht"
    card = teacher.client.get(f"/learners/{learner.id}/invite").get_data(as_text=True)
    assert chosen(card) == "ht"  # the next link defaults to the same language
    # The learner page's plain button sends no language: the last invite's is kept.
    teacher.client.post(url, data={"csrf_token": teacher.csrf("/classes")})
    assert latest_invite(learner).language == "ht"


def test_an_admin_chooses_a_new_teachers_invite_language(app, signed_in):
    admin = signed_in(Role.ADMIN, "Admin")
    response = admin.client.post(
        "/admin/teachers",
        data={"csrf_token": admin.csrf("/admin/teachers"), "display_name": "Mr Haddad", "language": "ar"},
    )
    assert response.status_code == 302
    teacher = db.session.scalar(db.select(User).where(User.display_name == "Mr Haddad"))
    assert latest_invite(teacher).language == "ar"
    card = admin.client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<div class="invite-card" lang="ar" dir="rtl">' in card


def test_an_invite_made_without_a_choice_opens_in_the_language_the_person_reads(app, make_user):
    learner = make_user(Role.LEARNER, "Lan", preferred_language="vi")
    token = invites.issue(learner, created_by=None)  # as `flask demo` and commands do
    db.session.commit()
    assert latest_invite(learner).language == "vi"
    page = new_client(app).get(f"/invite/{token}").get_data(as_text=True)
    assert html_lang(page) == "vi"


def test_the_teacher_is_told_which_language_the_invite_opens_in(signed_in, make_classroom):
    teacher = signed_in(Role.TEACHER, "Ms Rivera")
    _learner, card = add_learner(teacher, make_classroom(teacher.user), language="zh_Hans")
    told = re.search(r"<p[^>]*data-invite-language>(.*?)</p>", card, re.S).group(1)
    assert '<bdi lang="zh-Hans">中文（简体）</bdi>' in told and "&lt;bdi" not in told


def test_a_used_or_expired_invite_says_so_in_its_language(app, make_user):
    learner = make_user(Role.LEARNER, "Omar")
    token = invites.issue(learner, created_by=None, language="ar")
    invite = latest_invite(learner)
    invite.expires_at = invite.created_at
    db.session.commit()
    response = new_client(app).get(f"/invite/{token}", headers={"Accept-Language": "en-US"})
    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert html_lang(html) == "ar"
    english = "This invite link has expired. Please ask your teacher for a new one."
    with app.test_request_context(), force_locale("ar"):
        assert f"<h1>{gettext(english)}</h1>" in html
    assert english not in html
