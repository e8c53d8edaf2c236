"""Error pages and flash messages speak the person's language: from the cookie, or their account."""
import re

import pytest
from flask_babel import force_locale, gettext

from backpack.models import Role
from tests.conftest import csrf_from


def say(app, language: str, message: str) -> str:
    with app.test_request_context(), force_locale(language):
        return gettext(message)


def page(response) -> tuple[str, str]:
    """Return the page's language and its first heading."""
    html = response.get_data(as_text=True)
    lang = re.search(r'<html lang="([^"]*)"', html).group(1)
    return lang, re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()


MESSAGES = {
    403: "You do not have access to this page.",
    404: "We could not find this page.",
    405: "This action is not allowed here.",
    413: "This file is too large.",
    429: "Too many attempts. Please wait a minute and try again.",
    500: "Something went wrong on our side. Please try again later.",
    "csrf": "This form has expired or was sent twice. Please go back, reload and try again.",
}


def assert_in_arabic(app, response, status: int, key) -> None:
    assert response.status_code == status
    lang, heading = page(response)
    expected = say(app, "ar", MESSAGES[key])
    assert (lang, heading) == ("ar", expected)
    assert expected != MESSAGES[key]


@pytest.fixture
def arabic(client):
    """A signed-out phone that chose Arabic, whose browser asks for English."""
    client.set_cookie("lang", "ar")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    return client


def test_not_found_not_allowed_and_csrf_pages_are_in_arabic(app, arabic):
    assert_in_arabic(app, arabic.get("/no-such-page"), 404, 404)
    assert_in_arabic(app, arabic.get("/signout"), 405, 405)
    assert_in_arabic(app, arabic.post("/language", data={"language": "es", "csrf_token": "stale"}), 400, "csrf")


def test_too_large_is_in_arabic(app, arabic):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    assert_in_arabic(app, arabic.post("/language", data={"language": "x" * 4096}), 413, 413)


def test_too_many_attempts_is_in_arabic(app, arabic):
    statuses = [arabic.get("/invite/not-a-token").status_code for _ in range(40)]
    assert 429 in statuses
    assert_in_arabic(app, arabic.get("/invite/not-a-token"), 429, 429)


def test_a_server_fault_is_in_arabic(app, arabic):
    def broken():
        raise RuntimeError("a bug")

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert_in_arabic(app, arabic.get("/broken-for-test"), 500, 500)


def test_a_signed_in_learner_gets_errors_and_flashes_in_her_account_language(app, make_user, enrol):
    learner = enrol(make_user(Role.LEARNER, "Amina", preferred_language="ar"))
    learner.client.delete_cookie("lang")  # another phone: only her account says Arabic
    learner.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-US"
    assert_in_arabic(app, learner.client.get("/classes"), 403, 403)
    assert_in_arabic(app, learner.client.get("/no-such-page"), 404, 404)

    csrf = csrf_from(learner.client.get("/my/collections").get_data(as_text=True))
    made = learner.client.post("/my/collections", data={"csrf_token": csrf, "name": "عمل"}, follow_redirects=True)
    html = made.get_data(as_text=True)
    flashed = re.search(r"data-flash[^>]*>(.*?)</p>", html, re.S).group(1)
    english = "Collection made. Everything you add stays private until you mark it shareable."
    assert flashed == say(app, "ar", english) != english
