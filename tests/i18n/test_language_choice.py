"""Which language a page speaks: the person's choice, the cookie, the browser; never an error."""
import re

import pytest

from backpack.extensions import db
from backpack.models import Role
from tests.conftest import Actor, csrf_from, new_client


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]*)" dir="(ltr|rtl)">', response.get_data(as_text=True)).group(1)


def test_pages_name_simplified_chinese_in_bcp47_everywhere(client):
    client.set_cookie("lang", "zh_Hans")
    for path in ("/signin", "/language", "/offline", "/no-such-page"):
        response = client.get(path)
        assert html_lang(response) == "zh-Hans", path
        assert response.headers["Content-Language"] == "zh-Hans", path
        assert "zh_Hans" not in re.sub(r'value="zh_Hans"', "", response.get_data(as_text=True)), path


def test_each_language_button_has_its_own_bcp47_lang_and_direction(client):
    html = client.get("/language").get_data(as_text=True)
    buttons = dict(re.findall(r'value="([^"]+)" lang="([^"]+)" dir="(?:ltr|rtl)"', html))
    assert buttons == {"en": "en", "es": "es", "zh_Hans": "zh-Hans", "vi": "vi", "ar": "ar", "ht": "ht"}
    assert 'lang="ar" dir="rtl"' in html


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh", "zh-Hans"),
        ("zh-CN,zh;q=0.9", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("zh-Hans-HK", "zh-Hans"),
        ("zh-TW,zh-Hant;q=0.9", "en"),
        ("zh-TW,vi;q=0.5", "vi"),
        ("vi-VN,vi;q=0.9,en;q=0.8", "vi"),
        ("ht-HT", "ht"),
        ("ar-EG,ar;q=0.9", "ar"),
        ("es-419", "es"),
        ("fr-FR,de;q=0.5", "en"),
        (";;;q=x,,, ==", "en"),
        ("ar;q=0", "en"),
    ],
)
def test_the_browsers_languages_map_to_the_offered_ones(client, header, expected):
    response = client.get("/signin", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert html_lang(response) == expected


@pytest.mark.parametrize("cookie", ["klingon", "zh_Hant", "", "ar/../../en", "x" * 300, "<b>"])
def test_an_unknown_cookie_falls_back_to_the_browser_then_english(client, cookie):
    client.set_cookie("lang", cookie)
    assert html_lang(client.get("/signin", headers={"Accept-Language": "vi-VN"})) == "vi"
    assert html_lang(client.get("/signin")) == "en"


def test_a_cookie_may_hold_a_bcp47_tag(client):
    client.set_cookie("lang", "ar-EG")
    assert html_lang(client.get("/signin")) == "ar"


def _choose(client, value, **headers):
    csrf = csrf_from(client.get("/language").get_data(as_text=True))
    return client.post("/language", data={"csrf_token": csrf, "language": value}, headers=headers)


@pytest.mark.parametrize(("value", "header", "kept"), [
    ("zh-CN", None, "zh_Hans"),
    ("ht", None, "ht"),
    ("klingon", "vi-VN", "vi"),
    ("", "ar-EG", "ar"),
    ("<script>", None, "en"),
])
def test_an_unknown_form_value_falls_back_instead_of_failing(client, value, header, kept):
    headers = {"Accept-Language": header} if header else {}
    response = _choose(client, value, **headers)
    assert response.status_code == 302
    assert client.get_cookie("lang").value == kept


def test_sign_in_remembers_the_language_and_sign_out_keeps_it(app, make_user, enrol):
    learner = make_user(Role.LEARNER, "Amina", preferred_language="ar")
    first = enrol(learner)
    # A second phone that never chose a language: signing in sets the cookie to the person's.
    phone = Actor(new_client(app), learner)
    phone.passkey = first.passkey
    assert phone.client.get_cookie("lang") is None
    assert phone.sign_in().status_code == 200
    assert phone.client.get_cookie("lang").value == "ar"

    phone.client.post("/signout", data={"csrf_token": phone.csrf("/account/")})
    assert phone.client.get_cookie("lang").value == "ar"
    assert phone.client.get("/").headers["Location"].endswith("/signin")
    choose = phone.client.get("/language")
    html = choose.get_data(as_text=True)
    assert html_lang(choose) == "ar"
    assert re.search(r'value="ar" lang="ar" dir="rtl"\s+class="button button-language is-current"', html)
    assert html.count("<h1") == 1


def test_a_changed_preference_reaches_the_cookie_on_the_next_page(app, make_user, enrol):
    learner = make_user(Role.LEARNER, "Lan", preferred_language="vi")
    actor = enrol(learner)
    assert actor.client.get_cookie("lang").value == "vi"
    learner.preferred_language = "es"  # changed on another phone
    db.session.commit()
    actor.client.get("/account/")
    assert actor.client.get_cookie("lang").value == "es"


def test_the_choose_page_shows_its_heading_once(client):
    html = client.get("/language").get_data(as_text=True)
    assert html.count("Choose your language</span>") + html.count("Choose your language</h1>") == 1
    assert html.count("<h1") == 1
