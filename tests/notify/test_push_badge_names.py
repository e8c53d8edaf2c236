"""A push names the badge in the learner's language: the teacher's translation, else the original, isolated
when its direction differs from the sentence around it."""
from backpack.extensions import db
from backpack.issuing import achievements, awarding
from backpack.models import Role
from backpack.notify.events import badge_name
from tests.notify.conftest import say

FSI, PDI = "\u2068", "\u2069"


def test_a_vietnamese_learner_is_told_the_vietnamese_name(school, make_user, add_device, push_service, deliver):
    teacher, _issuer, badge = school
    achievements.set_translations(badge, {**badge.translations, "vi": {"name": "Hàn an toàn"}})
    lan = make_user(Role.LEARNER, "Lan", preferred_language="vi")
    add_device(lan)
    awarding.award(badge, [lan], by=teacher)
    db.session.commit()
    deliver()

    [message] = push_service.delivered()
    assert message.payload["title"] == say("vi", "You earned a badge: %(name)s", name="Hàn an toàn")
    assert message.payload["lang"] == "vi"


def test_an_untranslated_name_in_a_right_to_left_message_is_isolated(school, make_user, add_device, push_service, deliver):
    teacher, _issuer, badge = school
    achievements.set_translations(badge, {"es": {"name": "Soldadura segura"}})
    amina = make_user(Role.LEARNER, "Amina", preferred_language="ar")
    add_device(amina)
    awarding.award(badge, [amina], by=teacher)
    db.session.commit()
    deliver()

    [message] = push_service.delivered()
    assert message.payload["title"] == say("ar", "You earned a badge: %(name)s", name=f"{FSI}Safe welding{PDI}")
    assert (message.payload["lang"], message.payload["dir"]) == ("ar", "rtl")


def test_names_are_isolated_only_against_the_sentences_direction(school):
    _teacher, _issuer, badge = school
    assert badge_name(badge, "es") == "Soldadura segura"
    assert badge_name(badge, "ar") == "لحام آمن"
    assert badge_name(badge, "vi") == "Safe welding"
    badge.name, badge.translations = "لحام آمن", {"ar": {}}
    assert badge_name(badge, "en") == f"{FSI}لحام آمن{PDI}"
    assert badge_name(badge, "ar") == "لحام آمن"
    badge.name = "2024 لحام"
    assert badge_name(badge, "en") == f"{FSI}2024 لحام{PDI}"
