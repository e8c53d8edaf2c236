"""The teacher's badge pages and the learner's badge pages, through HTTP."""
import io
import json
import re

from flask_babel import force_locale
from markupsafe import escape
from PIL import Image

from backpack.credentials import baking
from backpack.credentials.verify import verify_credential
from backpack.extensions import db
from backpack.issuing import badge_image, claims
from backpack.issuing.verification import local_status_list
from backpack.models import Achievement, Award, Issuer, Role
from tests.conftest import tiny_png


def create_issuer_and_badge(teacher, **badge_fields):
    csrf = teacher.csrf("/issuers/new")
    teacher.client.post("/issuers/new", data={"csrf_token": csrf, "name": "Riverside Adult School", "url": "https://riverside.example"})
    data = {
        "csrf_token": teacher.csrf("/badges/new"),
        "issuer": str(db.session.scalar(db.select(Issuer.id))),
        "name": "Everyday conversation",
        "description": "Talks about daily life.",
        "criteria": "Hold a five-minute conversation.",
        "image_source": "design",
        "design_icon": next(iter(badge_image.ICONS)),
        "design_colour": next(iter(badge_image.COLOURS)),
        "design_label": "ESL 2",
        "alignments-0-name": "A2 spoken interaction",
        "alignments-0-framework": "CEFR",
        "alignments-0-url": "https://example.org/cefr/a2",
        "alignments-0-code": "A2",
        "tags": "ESL, speaking",
        "validity_days": "730",
        "translations-es-name": "Conversación diaria",
    }
    data.update(badge_fields)
    return teacher.client.post("/badges/new", data=data, content_type="multipart/form-data")


def test_teacher_without_an_organisation_is_asked_to_create_one(signed_in):
    teacher = signed_in(Role.TEACHER)
    assert teacher.client.get("/badges/new").headers["Location"].endswith("/issuers/new")


def test_teacher_creates_a_designed_badge(app, signed_in):
    teacher = signed_in(Role.TEACHER)
    response = create_issuer_and_badge(teacher)
    assert response.status_code == 302, response.get_data(as_text=True)
    badge = db.session.scalar(db.select(Achievement))
    assert badge.alignments[0]["framework"] == "CEFR"
    assert badge.tags == ["ESL", "speaking"]
    assert badge.validity_days == 730
    assert badge.text_in("es")["name"] == "Conversación diaria"
    with Image.open(io.BytesIO(badge.image_png)) as image:
        assert image.size == (512, 512) and image.format == "PNG"
    public = teacher.client.get(f"/badges/{badge.public_id}/image.png")
    assert public.status_code == 200 and public.mimetype == "image/png"


def test_uploaded_badge_image_is_normalised(app, signed_in):
    teacher = signed_in(Role.TEACHER)
    response = create_issuer_and_badge(teacher, image_source="upload", image=(io.BytesIO(tiny_png()), "badge.png"))
    assert response.status_code == 302
    with Image.open(io.BytesIO(db.session.scalar(db.select(Achievement)).image_png)) as image:
        assert image.size == (512, 512)


def test_fake_image_upload_is_refused_and_nothing_is_created(app, signed_in):
    teacher = signed_in(Role.TEACHER)
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    response = create_issuer_and_badge(teacher, image_source="upload", image=(fake, "photo.jpg"))
    assert response.status_code == 400
    assert "not an image" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Achievement.id))) == 0


def test_over_long_text_is_refused(app, signed_in):
    teacher = signed_in(Role.TEACHER)
    response = create_issuer_and_badge(teacher, name="x" * 201)
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Achievement.id))) == 0


def test_award_whole_class_then_double_tap_issues_nothing_twice(app, signed_in, make_user, make_classroom):
    teacher = signed_in(Role.TEACHER)
    learners = [make_user(Role.LEARNER, name) for name in ("Amina", "Carlos")]
    classroom = make_classroom(teacher.user, *learners)
    create_issuer_and_badge(teacher)
    badge = db.session.scalar(db.select(Achievement))
    form = {"csrf_token": teacher.csrf("/badges"), "whole_class": str(classroom.id), "note": "Well done"}

    first = teacher.client.post(f"/badges/{badge.id}/awards", data=form)
    second = teacher.client.post(f"/badges/{badge.id}/awards", data=form)

    assert first.status_code == second.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Award.id))) == 2
    page = teacher.client.get(f"/badges/{badge.id}").get_data(as_text=True)
    assert "Already held, not issued again" in page


def test_award_to_a_learner_outside_the_class_is_ignored(app, signed_in, make_user, make_classroom):
    teacher = signed_in(Role.TEACHER)
    stranger = make_user(Role.LEARNER, "Stranger")
    make_classroom(teacher.user, make_user(Role.LEARNER, "Mine"))
    create_issuer_and_badge(teacher)
    badge = db.session.scalar(db.select(Achievement))
    response = teacher.client.post(f"/badges/{badge.id}/awards", data={"csrf_token": teacher.csrf("/badges"), "learners": str(stranger.id)})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Award.id))) == 0


def test_claim_code_page_shows_a_qr_and_the_code_and_can_be_closed(app, signed_in, make_user, make_classroom):
    teacher = signed_in(Role.TEACHER)
    create_issuer_and_badge(teacher)
    badge = db.session.scalar(db.select(Achievement))
    opened = teacher.client.post(
        f"/badges/{badge.id}/claim-codes", data={"csrf_token": teacher.csrf("/badges"), "minutes": "5", "max_uses": "3"}
    )
    page = teacher.client.get(opened.headers["Location"]).get_data(as_text=True)
    code = db.session.scalar(db.select(claims.ClaimCode)).code
    assert f"{code[:3]} {code[3:]}" in page and "<svg" in page
    closed = teacher.client.post(opened.headers["Location"] + "/close", data={"csrf_token": teacher.csrf("/badges")})
    assert closed.status_code == 302
    assert db.session.scalar(db.select(claims.ClaimCode)).closed_at is not None


def test_learner_claims_reads_and_downloads_a_badge(app, signed_in, enrol, make_user, make_classroom):
    teacher = signed_in(Role.TEACHER)
    learner_user = make_user(Role.LEARNER, "Amina")
    make_classroom(teacher.user, learner_user)
    learner = enrol(learner_user)
    create_issuer_and_badge(teacher)
    badge = db.session.scalar(db.select(Achievement))
    teacher.client.post(f"/badges/{badge.id}/claim-codes", data={"csrf_token": teacher.csrf("/badges"), "minutes": "5", "max_uses": "3"})
    code = db.session.scalar(db.select(claims.ClaimCode)).code

    confirm = learner.client.get(f"/claim/{code.lower()}")
    assert code in confirm.get_data(as_text=True)
    claimed = learner.client.post("/claim", data={"csrf_token": learner.csrf("/claim"), "code": code})
    assert claimed.status_code == 302

    page = learner.client.get(claimed.headers["Location"]).get_data(as_text=True)
    assert "Everyday conversation" in page and 'data-verification="valid"' in page
    award = db.session.scalar(db.select(Award))
    raw = learner.client.get(f"/my/badges/{award.public_id}/credential.json")
    assert raw.mimetype == "application/vc+ld+json"
    assert raw.get_data(as_text=True) == award.credential_json
    png = learner.client.get(f"/my/badges/{award.public_id}/badge.png").get_data()
    assert json.loads(baking.unbake_png(png)) == json.loads(award.credential_json)
    svg = learner.client.get(f"/my/badges/{award.public_id}/badge.svg")
    assert "sandbox" in svg.headers["Content-Security-Policy"]
    baked = json.loads(baking.unbake_svg(svg.get_data()))
    assert verify_credential(baked, fetch_status_list=local_status_list).status == "valid"
    home = learner.client.get("/").get_data(as_text=True)
    assert len(re.findall(r"data-badge-card", home)) == 1


def test_wrong_claim_code_says_so_in_the_learners_language(app, signed_in):
    learner = signed_in(Role.LEARNER)
    learner.client.post("/language", data={"csrf_token": learner.csrf("/account/"), "language": "es"})
    response = learner.client.post("/claim", data={"csrf_token": learner.csrf("/claim"), "code": "ZZZZZZ"})
    assert response.status_code == 404
    with app.test_request_context(), force_locale("es"):
        expected = str(claims.UNKNOWN)
    assert expected != str(claims.UNKNOWN) and "válido" in expected
    assert escape(expected) in response.get_data(as_text=True)


def test_teacher_revokes_with_a_reason_once(app, signed_in, make_user, make_classroom):
    teacher = signed_in(Role.TEACHER)
    learner = make_user(Role.LEARNER, "Amina")
    make_classroom(teacher.user, learner)
    create_issuer_and_badge(teacher)
    badge = db.session.scalar(db.select(Achievement))
    teacher.client.post(f"/badges/{badge.id}/awards", data={"csrf_token": teacher.csrf("/badges"), "learners": str(learner.id)})
    award = db.session.scalar(db.select(Award))

    empty = teacher.client.post(f"/awards/{award.id}/revoke", data={"csrf_token": teacher.csrf("/badges"), "reason": ""})
    assert empty.status_code == 400
    done = teacher.client.post(f"/awards/{award.id}/revoke", data={"csrf_token": teacher.csrf("/badges"), "reason": "Wrong learner"})
    assert done.status_code == 302
    again = teacher.client.post(f"/awards/{award.id}/revoke", data={"csrf_token": teacher.csrf("/badges"), "reason": "Again"})
    assert again.status_code == 409
    db.session.refresh(award)
    assert award.revocation_reason == "Wrong learner"
    status_list = teacher.client.get(f"/status/{award.status_list.public_id}")
    # Minutes, well inside the list's day of validity, so a revocation shows soon.
    assert status_list.headers["Cache-Control"] == "public, no-cache"
    result = verify_credential(json.loads(award.credential_json), fetch_status_list=lambda url: status_list.get_json(force=True))
    assert result.status == "revoked"


def test_a_claim_that_collides_with_another_award_is_retried_not_called_already_held(
    app, signed_in, enrol, make_user, make_classroom, monkeypatch
):
    from sqlalchemy.exc import IntegrityError

    teacher = signed_in(Role.TEACHER)
    learner_user = make_user(Role.LEARNER, "Amina")
    make_classroom(teacher.user, learner_user)
    learner = enrol(learner_user)
    create_issuer_and_badge(teacher)
    badge = db.session.scalar(db.select(Achievement))
    teacher.client.post(f"/badges/{badge.id}/claim-codes", data={"csrf_token": teacher.csrf("/badges"), "minutes": "5", "max_uses": "3"})
    code = db.session.scalar(db.select(claims.ClaimCode)).code
    real_redeem, calls = claims.redeem, []

    def collides_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:  # another award took the same status-list index at that moment
            raise IntegrityError("INSERT INTO awards", {}, Exception("UNIQUE constraint failed"))
        return real_redeem(*args, **kwargs)

    monkeypatch.setattr(claims, "redeem", collides_once)
    claimed = learner.client.post("/claim", data={"csrf_token": learner.csrf("/claim"), "code": code})
    assert claimed.status_code == 302 and "/my/badges/" in claimed.headers["Location"]
    assert len(calls) == 2 and db.session.scalar(db.select(db.func.count(Award.id))) == 1

    monkeypatch.setattr(claims, "redeem", lambda *a, **k: (_ for _ in ()).throw(IntegrityError("x", {}, Exception("busy"))))
    stuck = learner.client.post("/claim", data={"csrf_token": learner.csrf("/claim"), "code": code})
    assert stuck.status_code == 503 and "could not be given just now" in stuck.get_data(as_text=True)
    assert "already have" not in stuck.get_data(as_text=True)
