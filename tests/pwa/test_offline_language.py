"""One offline page per language: the worker keeps the learner's, named by Content-Language."""
import re

import pytest
from flask_babel import force_locale, gettext


def heading(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html).group(1)


def offline_heading(app, code: str) -> str:
    with app.test_request_context(), force_locale(code):
        return gettext("You are offline")


@pytest.mark.parametrize(("tag", "code", "direction"), [("ar", "ar", "rtl"), ("zh-Hans", "zh_Hans", "ltr"), ("vi", "vi", "ltr")])
def test_the_offline_page_of_a_language_speaks_it_whatever_the_cookie(app, client, tag, code, direction):
    client.set_cookie("lang", "es")
    response = client.get(f"/offline/{tag}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Content-Language"] == tag
    assert f'<html lang="{tag}" dir="{direction}">' in html
    assert heading(html) == offline_heading(app, code)


def test_the_plain_offline_page_is_in_the_visitors_language(app, client):
    client.set_cookie("lang", "ar")
    response = client.get("/offline")
    assert response.headers["Content-Language"] == "ar"
    assert heading(response.get_data(as_text=True)) == offline_heading(app, "ar") != "You are offline"


@pytest.mark.parametrize("tag", ["zh-TW", "klingon", "%3Cscript%3E", "x" * 80])
def test_a_language_not_offered_gives_the_visitors_own_never_an_error(client, tag):
    response = client.get(f"/offline/{tag}", headers={"Accept-Language": "vi-VN"})
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "vi"

