"""Push texts are written in the learner's own language, tagged in BCP 47 for the phone."""
import pytest

from backpack.auth import invites
from backpack.extensions import db
from backpack.models import Role
from backpack.notify import enqueue_for
from tests.notify.conftest import say


@pytest.mark.parametrize(
    ("stored", "lang", "direction", "code"),
    [("ar", "ar", "rtl", "ar"), ("zh_Hans", "zh-Hans", "ltr", "zh_Hans"), ("ar-EG", "ar", "rtl", "ar"), ("tlh", "en", "ltr", "en")],
)
def test_the_text_and_its_tag_follow_the_stored_language(make_user, add_device, stored, lang, direction, code):
    learner = make_user(Role.LEARNER, "Amina", preferred_language=stored)
    add_device(learner)
    row = enqueue_for(learner, "test")
    db.session.commit()
    assert (row.payload["lang"], row.payload["dir"]) == (lang, direction)
    assert row.payload["title"] == say(code, "Notifications are on")


def test_a_learner_who_never_chose_gets_their_invites_language(make_user, add_device):
    learner = make_user(Role.LEARNER, "Omar")
    invites.issue(learner, created_by=None, language="ar")
    add_device(learner)
    row = enqueue_for(learner, "test")
    db.session.commit()
    assert (row.payload["lang"], row.payload["dir"]) == ("ar", "rtl")
    assert row.payload["title"] == say("ar", "Notifications are on") != "Notifications are on"
