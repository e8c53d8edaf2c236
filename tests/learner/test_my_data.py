"""My data: the export ZIP, and deleting a learner's account."""
import hashlib
import io
import json
import uuid
import zipfile

import pytest

from backpack.evidence import capture, submissions
from backpack.extensions import db
from backpack.issuing import awarding, status
from backpack.issuing.verification import verify_award
from backpack.models import (
    Award,
    Enrolment,
    Evidence,
    Invite,
    Passkey,
    PushSubscription,
    Role,
    ShareLink,
    Submission,
    User,
    submission_evidence,
)
from backpack.sharing import links
from backpack.storage import media_store
from tests.conftest import csrf_from, new_client
from tests.evidence import samples
from tests.support.push_service import fake_subscription
from tests.support.sign_ins import live_handle

NASTY = '<script>alert("x")</script>'


@pytest.fixture
def setup(app, make_user, make_classroom, enrol, make_issuer, make_achievement):
    teacher = make_user(Role.TEACHER, "Teacher")
    learner_user = make_user(Role.LEARNER, "Lena " + NASTY)
    other_user = make_user(Role.LEARNER, "Omar")
    make_classroom(teacher, learner_user, other_user)
    learner = enrol(learner_user)
    other = enrol(other_user)
    issuer = make_issuer(teacher)
    first = make_achievement(issuer, by=teacher, name="Safe welding")
    second = make_achievement(issuer, by=teacher, name="First aid " + NASTY)
    third = make_achievement(issuer, by=teacher, name="Reviewed badge")
    awards = [awarding.award(badge, [learner_user], by=teacher).created[0] for badge in (first, second)]
    other_award = awarding.award(first, [other_user], by=teacher).created[0]
    photo, _ = capture.save_evidence(
        learner_user, samples.jpeg(), idempotency_key=str(uuid.uuid4()), title="Weld " + NASTY, reflection="It held."
    )
    db.session.commit()
    video, _ = capture.save_evidence(
        learner_user, samples.mp4(), idempotency_key=str(uuid.uuid4()), title="Video", reflection="Slow motion"
    )
    db.session.commit()
    other_photo, _ = capture.save_evidence(other_user, samples.jpeg(), idempotency_key=str(uuid.uuid4()))
    db.session.commit()
    submissions.save(learner_user, third, evidence_ids=[photo.public_id], reflection="I did it", send=True)
    links.create(awards[0], owner=learner_user, expiry="week", include_evidence=True)
    endpoint = "https://93.184.216.34/push/lena"
    db.session.add(
        PushSubscription(
            user_id=learner_user.id, endpoint=endpoint, label="Phone",
            session_hash=live_handle(learner_user), **fake_subscription(endpoint)["keys"],
        )
    )
    db.session.commit()
    return {
        "teacher": enrol(teacher),
        "learner": learner,
        "other": other,
        "awards": awards,
        "other_award": other_award,
        "evidence": [photo, video],
        "other_evidence": other_photo,
    }


def _zip(actor) -> zipfile.ZipFile:
    response = actor.client.get("/my/data.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    response.close()
    return zipfile.ZipFile(io.BytesIO(body))


def test_export_holds_every_credential_and_evidence_file(setup):
    archive = _zip(setup["learner"])
    names = set(archive.namelist())
    for award in setup["awards"]:
        assert archive.read(f"credentials/{award.public_id}.json") == award.credential_json.encode()
        assert archive.read(f"images/{award.public_id}.png").startswith(b"\x89PNG")
        assert b"<svg" in archive.read(f"images/{award.public_id}.svg")
    store = media_store()
    for item in setup["evidence"]:
        media = [n for n in names if n.startswith(f"evidence/{item.public_id}.") and not n.endswith(".txt")]
        assert len(media) == 1
        assert archive.read(media[0]) == store.read(item.object_key)
        text = archive.read(f"evidence/{item.public_id}.txt").decode()
        assert item.title in text and item.reflection in text
    assert f"evidence/{setup['other_evidence'].public_id}.jpg" not in names
    assert f"credentials/{setup['other_award'].public_id}.json" not in names


def test_manifest_checksums_match_files_and_stored_evidence(setup):
    archive = _zip(setup["learner"])
    manifest = json.loads(archive.read("manifest.json"))
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(archive.namelist()) - {"manifest.json"}
    for path, entry in listed.items():
        data = archive.read(path)
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    for item in setup["evidence"]:
        (path,) = [p for p in listed if p.startswith(f"evidence/{item.public_id}.") and not p.endswith(".txt")]
        assert listed[path]["sha256"] == item.sha256
        assert listed[path]["size"] == item.size


def test_index_is_static_escaped_and_links_every_file(setup):
    archive = _zip(setup["learner"])
    index = archive.read("index.html").decode()
    assert "<script" not in index.lower()
    assert "&lt;script&gt;" in index
    for path in archive.namelist():
        if path.startswith(("credentials/", "images/", "evidence/")):
            assert f'href="{path}"' in index


@pytest.mark.parametrize("role", [Role.TEACHER, Role.ADMIN])
def test_export_is_for_learners_only(setup, signed_in, role):
    response = signed_in(role).client.get("/my/data.zip")
    assert response.status_code == 403


def test_anonymous_export_is_sent_to_sign_in(app):
    response = new_client(app).get("/my/data.zip")
    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]


def _delete(actor, word):
    csrf = csrf_from(actor.client.get("/account/").get_data(as_text=True))
    return actor.client.post("/account/delete", data={"csrf_token": csrf, "confirm": word})


def _counts(user_id):
    return {
        model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model).where(column == user_id))
        for model, column in (
            (Evidence, Evidence.owner_id),
            (Submission, Submission.learner_id),
            (ShareLink, ShareLink.owner_id),
            (PushSubscription, PushSubscription.user_id),
            (Passkey, Passkey.user_id),
            (Enrolment, Enrolment.learner_id),
            (Invite, Invite.user_id),
            (Award, Award.learner_id),
            (User, User.id),
        )
    }


def test_account_page_offers_download_and_delete(setup):
    page = setup["learner"].client.get("/account/").get_data(as_text=True)
    assert "/my/data.zip" in page and "/account/delete" in page
    teacher_page = setup["teacher"].client.get("/account/").get_data(as_text=True)
    assert "/account/delete" not in teacher_page


def test_deleting_the_account_removes_personal_data_and_keeps_awards(app, setup):
    learner = setup["learner"]
    user_id = learner.user.id
    award_ids = [award.id for award in setup["awards"]]
    paths = [media_store().path(k) for item in setup["evidence"] for k in (item.object_key, item.thumbnail_key) if k]
    assert all(path.exists() for path in paths)
    other_before = _counts(setup["other"].user.id)

    response = _delete(learner, "delete")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/language")

    db.session.expire_all()
    assert not any(path.exists() for path in paths)
    after = _counts(user_id)
    assert set(after.values()) == {0}, after
    assert db.session.scalar(db.select(db.func.count()).select_from(submission_evidence)) == 0
    for award_id in award_ids:
        award = db.session.get(Award, award_id)
        assert award is not None and award.learner_id is None
        assert verify_award(award).valid
    assert _counts(setup["other"].user.id) == other_before
    assert media_store().exists(setup["other_evidence"].object_key)
    # Signed out: the old session no longer opens the backpack.
    again = learner.client.get("/account/")
    assert again.status_code == 302 and "/signin" in again.headers["Location"]


def test_revocation_still_works_after_deletion(app, setup):
    award_id = setup["awards"][0].id
    assert _delete(setup["learner"], "DELETE").status_code == 302
    award = db.session.get(Award, award_id)
    status.revoke(award, "test", by=setup["teacher"].user)
    db.session.commit()
    assert verify_award(db.session.get(Award, award_id)).status == "revoked"


@pytest.mark.parametrize("word", ["", "yes", "DELET"])
def test_wrong_confirmation_word_deletes_nothing(app, setup, word):
    learner = setup["learner"]
    before = _counts(learner.user.id)
    response = _delete(learner, word)
    assert response.status_code == 400
    db.session.expire_all()
    assert _counts(learner.user.id) == before
    assert all(media_store().exists(item.object_key) for item in setup["evidence"])
    response = learner.client.get("/my/data.zip")
    response.close()
    assert response.status_code == 200


def test_delete_needs_csrf(app, setup):
    learner = setup["learner"]
    response = learner.client.post("/account/delete", data={"confirm": "DELETE"})
    assert response.status_code == 400
    assert db.session.get(User, learner.user.id) is not None


def test_other_roles_cannot_delete_through_the_learner_route(setup):
    response = _delete(setup["teacher"], "DELETE")
    assert response.status_code == 403


@pytest.mark.parametrize("typed", ["XÓA", "xoá", "Xo\u0301a", " XOÁ "])
def test_the_confirmation_word_is_accepted_however_the_phone_places_and_composes_accents(typed):
    from backpack.account.forms import _plain

    assert _plain(typed) == _plain("XÓA") == "xoa"
