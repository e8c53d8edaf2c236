"""“Share → Backpack” on a phone: the manifest's share_target opens the import page with the
shared file, link or text filled in; the learner then adds it with the page's own form (and token).

A share is posted to its own address, /my/imported/shared, where the service worker keeps it on the
phone (tests/browser/test_share_target_files.py); one that reaches the server (no worker yet) is
refused by the CSRF check, answered with a page, and never imported."""
import html
import io
import json
import re
from urllib.parse import urlencode

import pytest
from flask import url_for

from backpack import ROOT
from backpack.extensions import csrf
from backpack.learner.badge_reading import MAX_FILE_BYTES
from backpack.models import Role
from tests.learner.imports import baked, elsewhere_award
from tests.learner.test_import_pages import post, rows


@pytest.fixture
def amina(signed_in):
    return signed_in(Role.LEARNER, "Amina")


@pytest.fixture
def award(app, make_user, make_issuer, make_achievement):
    return elsewhere_award(make_user, make_issuer, make_achievement)


def field_value(page: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


def textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    return html.unescape(found.group(1)).strip() if found else ""


def test_the_manifest_shares_files_links_and_text_to_the_import_page(app, client):
    response = client.get("/manifest.json")
    manifest = json.loads(response.get_data())
    response.close()
    target = manifest["share_target"]
    with app.test_request_context():
        assert target["action"] == url_for("learner.receive_share")
    assert (target["method"], target["enctype"]) == ("POST", "multipart/form-data")
    params = target["params"]
    assert (params["title"], params["url"], params["text"]) == ("title", "url", "text")
    (files,) = params["files"]
    assert files["name"] == "badge"
    for kind in ("image/png", "image/svg+xml", ".svg", "application/json", "application/ld+json", ".json",
                 "application/vc+jwt", "text/plain", ".jwt"):
        assert kind in files["accept"], kind


def test_the_worker_keeps_no_shared_file_larger_than_the_server_takes():
    source = (ROOT / "service_worker" / "sw.js").read_text()
    assert f"const SHARED_FILE_MAX = {MAX_FILE_BYTES // (1024 * 1024)} * 1024 * 1024;" in source
    assert 'const SHARE_ACTION = "/my/imported/shared";' in source
    assert 'const IMPORT_PAGE = "/my/imported/new";' in source


def share_post(client, **fields):
    """POST what a phone's share sheet sends when no service worker answers it: no CSRF token."""
    return client.post("/my/imported/shared", data=fields, content_type="multipart/form-data")


def test_a_share_that_reaches_the_server_asks_to_open_backpack_once_and_stores_nothing(award, amina):
    png = baked(award)["png"]
    response = share_post(amina.client, title="My badge", text="", badge=(io.BytesIO(png), "forklift.png"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "Open Backpack once, then share again" in page and "data-import-form" not in page
    assert rows() == []


def test_a_shared_link_that_reaches_the_server_is_not_fetched_either(amina, client):
    for who in (amina.client, client):  # signed in, and a phone not signed in yet
        response = share_post(who, url="https://issuer.example/assertions/1.json")
        assert response.status_code == 200
        assert "Open Backpack once, then share again" in response.get_data(as_text=True)
    assert rows() == []


def test_the_share_address_is_not_exempt_from_the_csrf_check(app):
    view = app.view_functions["learner.receive_share"]
    assert f"{view.__module__}.{view.__name__}" not in csrf._exempt_views
    assert "learner" not in csrf._exempt_blueprints


def test_the_share_address_read_again_or_posted_with_a_token_says_the_same_and_stores_nothing(award, amina, client):
    png = baked(award)["png"]
    response = post(amina, "/my/imported/shared", badge=(io.BytesIO(png), "forklift.png"))
    assert (response.status_code, response.headers["Cache-Control"]) == (200, "no-store")
    assert "Open Backpack once, then share again" in response.get_data(as_text=True)
    for who in (amina.client, client):  # a reload of that page, signed in or not
        response = who.get("/my/imported/shared")
        assert response.status_code == 200 and "Open Backpack once, then share again" in response.get_data(as_text=True)
    assert rows() == []


def test_a_share_from_a_phone_whose_manifest_names_the_import_page_gets_the_same_answer(award, amina):
    """Until the phone renews its copy of the manifest, its shares still go to the import page."""
    png = baked(award)["png"]
    response = amina.client.post("/my/imported/new", data={"title": "Badge", "badge": (io.BytesIO(png), "forklift.png")},
                                 content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Open Backpack once, then share again" in response.get_data(as_text=True)
    assert rows() == []


def test_the_import_form_with_a_stale_token_still_gets_the_usual_answer(award, amina):
    png = baked(award)["png"]
    response = post(amina, "/my/imported/new", csrf_token="stale", badge_file=(io.BytesIO(png), "forklift.png"))
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert rows() == []


def test_a_share_kept_on_the_phone_is_named_to_the_page_script(amina):
    share = "0f8fad5b-d9cb-469f-a165-70867728950e"
    page = amina.client.get(f"/my/imported/new?shared={share}").get_data(as_text=True)
    box = re.search(r"<div data-shared-files[^>]*>", page).group(0)
    assert f'data-shared-id="{share}"' in box and f'data-max-bytes="{MAX_FILE_BYTES}"' in box
    assert 'data-kind-png="Badge picture (PNG)"' in box and 'data-kind-json="Badge file (JSON)"' in box
    # The script says which message applies: none is shown before it has looked.
    assert re.search(r"data-shared-expired hidden", page) and "data-import-shared hidden" in page


def test_a_malformed_share_id_says_the_share_has_expired(amina):
    page = amina.client.get("/my/imported/new?shared=../../etc").get_data(as_text=True)
    assert re.search(r'role="alert" data-shared-expired>This share has expired\. Share it again\.', page)
    assert 'data-shared-id=""' in page


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
