"""Which responses the service worker may keep on the phone: the learner's own pages only."""
import pytest

from backpack.extensions import db
from backpack.issuing import awarding
from backpack.models import Role
from backpack.pwa.offline import HEADER
from backpack.sharing import links
from tests.conftest import new_client


@pytest.fixture
def held(app, signed_in, make_issuer, make_achievement):
    """A learner holding a badge that is shared, and the teacher who awarded it."""
    learner = signed_in(Role.LEARNER, "Amina")
    teacher = signed_in(Role.TEACHER, "Ms Rivera")
    badge = make_achievement(make_issuer(teacher.user), by=teacher.user)
    award = awarding.award(badge, [learner.user], by=teacher.user).created[0]
    _link, token = links.create(award, owner=learner.user, expiry="week")
    db.session.commit()
    return learner, teacher, award, badge, token


def kept(client, path: str) -> bool:
    response = client.get(path)
    response.close()
    return response.headers.get(HEADER) == "keep"


def test_the_learners_own_pages_and_badge_pictures_are_kept(held):
    learner, _teacher, award, badge, _token = held
    for path in ["/", f"/my/badges/{award.public_id}", "/evidence", "/my/collections",
                 f"/badges/{badge.public_id}/image.png"]:
        assert kept(learner.client, path), path


def test_forms_downloads_teachers_and_public_pages_are_not_kept(app, held):
    learner, teacher, award, _badge, token = held
    for path in ["/my/submissions", "/account/", f"/my/badges/{award.public_id}/credential.json", "/my/data.zip"]:
        assert not kept(learner.client, path), path
    for path in ["/", "/classes", "/badges"]:
        assert not kept(teacher.client, path), path
    anonymous = new_client(app)
    assert not kept(anonymous, "/") and not kept(anonymous, f"/s/{token}")
    assert not kept(learner.client, f"/my/badges/{'0' * 8}-0000-4000-8000-{'0' * 12}")
