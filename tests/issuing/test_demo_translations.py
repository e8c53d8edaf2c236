"""The demo's badges read in every language the app offers."""
from backpack.demo import load_demo
from backpack.extensions import db
from backpack.models import Achievement, User


def test_every_demo_badge_is_translated_into_every_other_language(app):
    load_demo()
    load_demo()  # safe to load again
    badges = db.session.scalars(db.select(Achievement)).all()
    others = set(app.config["LANGUAGES"]) - {"en"}
    assert len(badges) == 4
    for badge in badges:
        assert badge.language == "en"
        assert set(badge.translations) == others, badge.name
        for language, words in badge.translations.items():
            assert set(words) == {"name", "description", "criteria"}, (badge.name, language)
            shown = badge.shown_in(language)
            assert shown.untranslated == () and shown.name != badge.name
    learners = {user.preferred_language for user in db.session.scalars(db.select(User).where(User.role == "learner"))}
    assert {"vi", "zh_Hans", "ar", "es"} <= learners
