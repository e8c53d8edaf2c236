"""A badge's translations: the teacher's form offers every language but the badge's own, and keeps what it had."""
import re

from flask_babel import force_locale

from backpack.extensions import db
from backpack.issuing.badge_forms import AchievementForm, BadgeTranslationsForm
from backpack.issuing.badge_making import reader_languages, translations_from
from backpack.models import Achievement, Award, Role
from tests.issuing.test_badge_routes import create_issuer_and_badge

ORIGINAL = {"name": "Safe welding", "description": "Welds safely.", "criteria": "Weld a joint."}


def badge_credential(badge) -> list[str]:
    """The credentials issued for the badge, as stored."""
    return [award.credential_json for award in db.session.scalars(db.select(Award).where(Award.achievement_id == badge.id))]


def posted(app, form_class, data: dict, **kwargs):
    """Build a form from posted fields, as a request would."""
    with app.test_request_context("/", method="POST", data=data):
        return form_class(meta={"csrf": False}, **kwargs)


def test_every_offered_language_but_the_badges_own_gets_a_block(app):
    with app.test_request_context("/"), force_locale("vi"):
        form = AchievementForm(meta={"csrf": False})
        offered = [sub.short_name for sub in form.translations]
    assert offered == [code for code in app.config["LANGUAGES"] if code != "vi"]


def test_a_language_added_to_the_settings_is_offered_without_code_changes(app):
    app.config["LANGUAGES"] = {**app.config["LANGUAGES"], "so": "Soomaali"}
    form = posted(app, BadgeTranslationsForm, {}, translations={"own_language": "en"})
    assert [sub.short_name for sub in form.translations] == ["es", "zh_Hans", "vi", "ar", "ht", "so"]
    assert form.translations["so"].label.text == "Soomaali"


def test_empty_boxes_mean_the_original_and_are_not_stored(app):
    form = posted(
        app,
        BadgeTranslationsForm,
        {
            "translations-vi-name": "  Hàn an toàn ",
            "translations-vi-description": "",
            "translations-ar-name": "",
            "translations-ar-description": "   ",
            "translations-ar-criteria": "",
        },
        translations={"own_language": "en"},
    )
    assert form.validate()
    assert translations_from(form.translations) == {"vi": {"name": "Hàn an toàn"}}


def test_saving_keeps_languages_the_form_does_not_show_and_drops_cleared_ones(app):
    existing = {"es": {"name": "Soldadura segura"}, "so": {"name": "Alxanka"}, "vi": {"name": "Hàn"}}
    form = posted(
        app,
        BadgeTranslationsForm,
        {"translations-es-name": "Soldadura segura", "translations-vi-name": ""},
        translations={"own_language": "en", **existing},
    )
    assert translations_from(form.translations, existing) == {"es": {"name": "Soldadura segura"}, "so": {"name": "Alxanka"}}


def test_the_form_opens_filled_with_the_translations_it_has(app):
    with app.test_request_context("/"):
        form = BadgeTranslationsForm(translations={"own_language": "es", "en": {"name": "Welding"}, "ar": {"name": "لحام"}})
        assert "es" not in form.translations.form and "en" in form.translations.form
        assert form.translations["en"]["name"].data == "Welding"
        assert form.translations["ar"]["name"].data == "لحام"


def test_learners_languages_come_first_and_open_until_translated(app, make_user):
    learners = [
        make_user(Role.LEARNER, "Lan", preferred_language="vi"),
        make_user(Role.LEARNER, "Amina", preferred_language="ar"),
        make_user(Role.LEARNER, "Ana", preferred_language="es"),
        make_user(Role.LEARNER, "New", preferred_language=None),
        make_user(Role.LEARNER, "Old", preferred_language="xx"),
    ]
    assert reader_languages(learners) == {"vi", "ar", "es"}
    existing = {"es": {"name": "Soldadura segura"}}
    with app.test_request_context("/"):
        form = BadgeTranslationsForm(translations={"own_language": "en", **existing})
        form.translations.form.wanted = reader_languages(learners)
        blocks = form.translations.form.blocks(existing)
    assert [block["code"] for block in blocks][:2] == ["vi", "ar"]
    assert {block["code"] for block in blocks if block["needed"]} == {"vi", "ar"}
    assert {block["code"] for block in blocks if block["open"]} == {"vi", "ar"}
    by_code = {block["code"]: block for block in blocks}
    assert (by_code["ar"]["lang"], by_code["ar"]["dir"]) == ("ar", "rtl")
    assert (by_code["zh_Hans"]["lang"], by_code["zh_Hans"]["dir"]) == ("zh-Hans", "ltr")
    assert by_code["es"]["has_text"] and not by_code["es"]["needed"]


def test_shown_in_gives_each_field_its_own_language():
    badge = Achievement(
        **ORIGINAL,
        language="en",
        translations={
            "vi": {"name": "Hàn an toàn"},
            "zh_Hans": {"name": "安全焊接", "description": "安全焊接。", "criteria": "焊一个接头。"},
        },
    )
    partly = badge.shown_in("vi")
    assert (partly.name, partly.description) == ("Hàn an toàn", "Welds safely.")
    assert partly.lang == {"name": "vi", "description": "en", "criteria": "en"}
    assert partly.translated and partly.untranslated == ("description", "criteria")
    whole = badge.shown_in("zh_Hans")
    assert whole.lang["criteria"] == "zh-Hans" and whole.translated and whole.untranslated == ()
    assert whole.original == ORIGINAL and whole.original_lang == "en"
    missing = badge.shown_in("ar")
    assert missing.name == "Safe welding" and not missing.translated and missing.untranslated == ("name", "description", "criteria")
    own = badge.shown_in("en")
    assert not own.translated and own.untranslated == () and own["name"] == "Safe welding"


def test_a_translation_in_the_badges_own_language_is_ignored():
    badge = Achievement(**ORIGINAL, language="es", translations={"es": {"name": "Otra cosa"}})
    assert badge.shown_in("es").name == "Safe welding" and badge.lang == "es"


def test_teacher_creates_a_badge_with_vietnamese_and_arabic(app, signed_in):
    teacher = signed_in(Role.TEACHER)
    response = create_issuer_and_badge(
        teacher,
        **{
            "translations-es-name": "",
            "translations-vi-name": "Giao tiếp hằng ngày",
            "translations-ar-description": "يتحدث عن الحياة اليومية.",
        },
    )
    assert response.status_code == 302
    badge = db.session.scalar(db.select(Achievement))
    assert badge.language == "en"
    assert badge.translations == {"vi": {"name": "Giao tiếp hằng ngày"}, "ar": {"description": "يتحدث عن الحياة اليومية."}}


def test_the_form_marks_each_box_with_its_language_and_names_the_learners_languages(app, signed_in, make_user, make_classroom):
    teacher = signed_in(Role.TEACHER)
    lan = make_user(Role.LEARNER, "Lan", preferred_language="vi")
    make_classroom(teacher.user, lan, make_user(Role.LEARNER, "Amina", preferred_language="ar"))
    create_issuer_and_badge(teacher, **{"translations-es-name": "Conversación", "translations-ar-name": "محادثة"})
    html = teacher.client.get("/badges/new").get_data(as_text=True)
    arabic = re.search(r'<textarea[^>]*name="translations-ar-description"[^>]*>', html).group(0)
    assert 'lang="ar"' in arabic and 'dir="rtl"' in arabic
    chinese = re.search(r'<input[^>]*name="translations-zh_Hans-name"[^>]*>', html).group(0)
    assert 'lang="zh-Hans"' in chinese and 'dir="ltr"' in chinese
    prompt = re.search(r"data-translation-prompt>(.*?)</p>", html, re.S).group(1)
    assert 'lang="vi"' in prompt and "Tiếng Việt" in prompt and "العربية" in prompt and "Español" not in prompt
    # The badge page's own translations form: Arabic is done, so only Vietnamese is asked for.
    badge = db.session.scalar(db.select(Achievement))
    page = teacher.client.get(f"/badges/{badge.id}/translations").get_data(as_text=True)
    prompt = re.search(r"data-translation-prompt>(.*?)</p>", page, re.S).group(1)
    assert "Tiếng Việt" in prompt and "العربية" not in prompt
    assert 'value="محادثة"' in page
    assert re.search(r'<details class="translation" data-translation="vi" open>', page)
    assert re.search(r'<details class="translation" data-translation="ht">', page)


def test_editing_translations_keeps_the_others_and_the_issued_credential(app, signed_in, make_user, make_classroom):
    teacher = signed_in(Role.TEACHER)
    lan = make_user(Role.LEARNER, "Lan", preferred_language="vi")
    make_classroom(teacher.user, lan)
    create_issuer_and_badge(teacher, **{"translations-es-name": "Conversación diaria"})
    badge = db.session.scalar(db.select(Achievement))
    teacher.client.post(f"/badges/{badge.id}/awards", data={"csrf_token": teacher.csrf(f"/badges/{badge.id}"), "learners": str(lan.id)})
    issued = badge_credential(badge)
    assert len(issued) == 1

    url = f"/badges/{badge.id}/translations"
    response = teacher.client.post(url, data={
        "csrf_token": teacher.csrf(url),
        "translations-es-name": "Conversación diaria",
        "translations-vi-name": "Giao tiếp hằng ngày",
        "translations-vi-criteria": "Nói chuyện năm phút với giáo viên.",
    })
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/badges/{badge.id}")
    db.session.expire_all()
    badge = db.session.get(Achievement, badge.id)
    assert badge.translations == {
        "es": {"name": "Conversación diaria"},
        "vi": {"name": "Giao tiếp hằng ngày", "criteria": "Nói chuyện năm phút với giáo viên."},
    }
    assert badge.name == "Everyday conversation" and badge_credential(badge) == issued


def test_a_too_long_translation_is_refused_and_nothing_typed_is_lost(app, signed_in):
    teacher = signed_in(Role.TEACHER)
    create_issuer_and_badge(teacher)
    badge = db.session.scalar(db.select(Achievement))
    url = f"/badges/{badge.id}/translations"
    response = teacher.client.post(url, data={
        "csrf_token": teacher.csrf(url),
        "translations-vi-name": "x" * 201,
        "translations-ar-criteria": "احمل محادثة",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="translations-vi-name-error"' in html and "احمل محادثة" in html
    assert re.search(r'data-translation="vi" open', html)
    assert re.search(r'data-translation="ar" open', html)  # typed, not saved yet: kept in sight
    assert re.search(r'data-translation="es">', html)  # saved before, untouched: folded
    db.session.expire_all()
    assert db.session.get(Achievement, badge.id).translations == {"es": {"name": "Conversación diaria"}}
