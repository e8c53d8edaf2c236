"""A badge shared with "show my evidence": the employer sees the items it was awarded for."""
import uuid

import pytest

from backpack.evidence import capture, submissions
from backpack.extensions import db
from backpack.models import Role
from backpack.sharing import links
from tests.conftest import new_client
from tests.evidence import samples


def keep(learner, data: bytes, title: str):
    item = capture.save_evidence(learner, data, idempotency_key=str(uuid.uuid4()), title=title)[0]
    db.session.commit()
    return item


@pytest.fixture
def awarded(app, signed_in, make_classroom, make_issuer, make_achievement):
    """Lan sent a photo and a voice clip for a badge, and her teacher awarded it."""
    lan = signed_in(Role.LEARNER, "Lan")
    teacher = signed_in(Role.TEACHER, "Ms Rivera")
    make_classroom(teacher.user, lan.user)
    badge = make_achievement(make_issuer(teacher.user), by=teacher.user, name="Reading forms")
    photo = keep(lan.user, samples.jpeg(), "The clinic form")
    voice = keep(lan.user, samples.ogg_opus(), "Reading it aloud")
    other = keep(lan.user, samples.jpeg(), "Holiday")
    sent = submissions.save(lan.user, badge, evidence_ids=[photo.public_id, voice.public_id], reflection="", send=True)
    db.session.commit()
    award = submissions.award_submission(sent, teacher.user)
    db.session.commit()
    return lan, award, photo, voice, other


def share(lan, award, include_evidence):
    _link, token = links.create(award, owner=lan.user, expiry="week", include_evidence=include_evidence)
    db.session.commit()
    return token


def test_the_employer_sees_and_opens_the_evidence_the_badge_was_awarded_for(app, awarded):
    lan, award, photo, voice, other = awarded
    token = share(lan, award, include_evidence=True)
    employer = new_client(app)
    page = employer.get(f"/s/{token}").get_data(as_text=True)
    assert "The clinic form" in page and "Reading it aloud" in page and "Holiday" not in page
    for item, kind in [(photo, "image/jpeg"), (voice, "audio/ogg")]:
        path = f"/s/{token}/evidence/{item.public_id}"
        assert path in page
        answer = employer.get(path)
        assert answer.status_code == 200 and answer.mimetype == kind
        answer.close()
        ranged = employer.get(path, headers={"Range": "bytes=0-9"})
        assert ranged.status_code == 206 and len(ranged.get_data()) == 10
        ranged.close()
    # The learner's other evidence, even with a share link in hand, stays hers.
    assert employer.get(f"/s/{token}/evidence/{other.public_id}").status_code == 404


def test_without_show_my_evidence_nothing_is_shown_or_served(app, awarded):
    lan, award, photo, _voice, _other = awarded
    token = share(lan, award, include_evidence=False)
    employer = new_client(app)
    assert "The clinic form" not in employer.get(f"/s/{token}").get_data(as_text=True)
    assert employer.get(f"/s/{token}/evidence/{photo.public_id}").status_code == 404


def test_deleted_evidence_and_stopped_links_serve_nothing(app, awarded):
    lan, award, photo, voice, _other = awarded
    token = share(lan, award, include_evidence=True)
    employer = new_client(app)
    capture.delete_evidence(photo)
    db.session.commit()
    page = employer.get(f"/s/{token}").get_data(as_text=True)
    assert "The clinic form" not in page and "Reading it aloud" in page
    assert employer.get(f"/s/{token}/evidence/{photo.public_id}").status_code == 404
    links.revoke(links.find_live(token))
    db.session.commit()
    assert employer.get(f"/s/{token}/evidence/{voice.public_id}").status_code == 410
