"""The signed credential states the language its words are in (the original's), as a BCP 47 tag,
and carries no translations: OB 3.0's Achievement has one `inLanguage` and no place for other languages' words."""
import json

import pytest

from backpack.credentials.openbadge import language_tag
from backpack.credentials.verify import verify_credential
from backpack.extensions import db
from backpack.issuing import awarding
from backpack.issuing.verification import local_status_list
from backpack.models import Achievement, Role
from tests.issuing.test_badge_routes import create_issuer_and_badge
from tests.support.ob_schemas import credential_errors


@pytest.mark.parametrize(("code", "tag"), [("en", "en"), ("zh_Hans", "zh-Hans"), ("ht", "ht"), (None, None)])
def test_locale_codes_become_bcp47_tags(code, tag):
    assert language_tag(code) == tag


def test_a_badge_written_in_chinese_says_zh_hans_and_validates(app, make_user, make_classroom, make_issuer, make_achievement):
    teacher = make_user(Role.TEACHER, "王老师")
    learner = make_user(Role.LEARNER, "Lan")
    make_classroom(teacher, learner)
    badge = make_achievement(
        make_issuer(teacher),
        by=teacher,
        name="日常对话",
        language="zh_Hans",
        translations={"en": {"name": "Everyday conversation"}, "vi": {"name": "Giao tiếp hằng ngày"}},
    )
    award = awarding.award(badge, [learner], by=teacher).created[0]
    db.session.commit()

    credential = json.loads(award.credential_json)
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["inLanguage"] == "zh-Hans"
    assert achievement["name"] == "日常对话"
    assert "Everyday conversation" not in award.credential_json and "Giao tiếp" not in award.credential_json
    assert credential_errors(credential) == []
    assert verify_credential(credential, fetch_status_list=local_status_list).status == "valid"


def test_a_teacher_using_the_app_in_chinese_issues_in_chinese(app, signed_in, make_user, make_classroom):
    teacher = signed_in(Role.TEACHER)
    teacher.user.preferred_language = "zh_Hans"
    db.session.commit()
    learner = make_user(Role.LEARNER, "Lan")
    make_classroom(teacher.user, learner)
    assert create_issuer_and_badge(
        teacher, name="日常对话", **{"translations-en-name": "Everyday conversation", "translations-es-name": ""}
    ).status_code == 302
    badge = db.session.scalar(db.select(Achievement))
    assert badge.language == "zh_Hans" and badge.translations == {"en": {"name": "Everyday conversation"}}

    award = awarding.award(badge, [learner], by=teacher.user).created[0]
    db.session.commit()
    assert json.loads(award.credential_json)["credentialSubject"]["achievement"]["inLanguage"] == "zh-Hans"
