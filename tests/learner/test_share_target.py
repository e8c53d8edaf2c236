"""“Share → Backpack” on a phone: the manifest's share_target opens the import page with the
shared link or text filled in; the learner then adds it with the page's own form (and token)."""
import html
import json
import re
from urllib.parse import urlencode

import pytest
from flask import url_for

from backpack.models import Role
from tests.learner.test_import_pages import post


@pytest.fixture
def amina(signed_in):
    return signed_in(Role.LEARNER, "Amina")


def field_value(page: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


def textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    return html.unescape(found.group(1)).strip() if found else ""


def test_the_manifest_shares_links_and_text_to_the_import_page(app, client):
    response = client.get("/manifest.json")
    manifest = json.loads(response.get_data())
    response.close()
    target = manifest["share_target"]
    with app.test_request_context():
        assert target["action"] == url_for("learner.new_import")
    assert target["method"] == "GET"
    assert (target["params"]["url"], target["params"]["text"]) == ("url", "text")


def test_a_shared_link_is_filled_in(amina):
    page = amina.client.get("/my/imported/new?" + urlencode({"url": "https://issuer.example/assertions/1.json"}))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "data-import-shared" in text
    assert field_value(text, "url") == "https://issuer.example/assertions/1.json"


def test_a_link_inside_shared_text_is_found(amina):
    shared = "My new badge! https://issuer.example/badges/42 #proud"
    text = amina.client.get("/my/imported/new?" + urlencode({"title": "Badge", "text": shared})).get_data(as_text=True)
    assert field_value(text, "url") == "https://issuer.example/badges/42"


def test_shared_badge_text_goes_to_the_paste_box_and_can_be_added(amina):
    token = "eyJhbGciOiJFZERTQSJ9.e30.AAAA"
    text = amina.client.get("/my/imported/new?" + urlencode({"text": token})).get_data(as_text=True)
    assert textarea(text, "pasted") == token
    # Adding goes through the ordinary form, with its CSRF token: here a clear refusal.
    response = post(amina, "/my/imported/new", pasted=token)
    assert response.status_code in (400, 422)


def test_plain_http_links_are_not_filled_in_and_a_plain_visit_says_nothing(amina):
    text = amina.client.get("/my/imported/new?" + urlencode({"url": "http://issuer.example/a"})).get_data(as_text=True)
    assert not field_value(text, "url")
    assert "data-import-shared" not in amina.client.get("/my/imported/new").get_data(as_text=True)
