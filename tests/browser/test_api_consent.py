"""A job site asks for Amina's backpack: her phone takes her to sign in, back to the consent page
with the site's name and what it asks for, and after "Allow" back to the site. With the token it
got, the site adds a badge another college's software signed, reads it back exactly as it sent it,
and reads her name; the badge is then on her phone too. The whole Open Badges 3.0 API chain,
through the real routes of a live server, driven by Authlib's client."""
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from playwright.sync_api import expect

from backpack.api import scopes
from tests.browser.accessibility import assert_accessible
from tests.browser.steps import join
from tests.support.ob_schemas import profile_errors
from tests.support.signer_db import badge, signed_by_db

pytestmark = pytest.mark.browser

CALLBACK = "https://jobs.example/callback"
VERIFIER = "browser-test-verifier-" + "x" * 30
ASKED = (scopes.CREDENTIAL_READ, scopes.CREDENTIAL_UPSERT, scopes.PROFILE_READ)


def test_learner_signs_in_allows_a_platform_which_adds_a_badge_and_reads_it_back(phones, live_server):
    api = live_server.url + "/ims/ob/v3p0"
    discovery = requests.get(api + "/discovery", timeout=5).json()
    flow = discovery["components"]["securitySchemes"]["OAuth2ACG"]["flows"]["authorizationCode"]
    registered = requests.post(
        discovery["components"]["securitySchemes"]["OAuth2ACG"]["x-imssf-registrationUrl"],
        json={"client_name": "Harbour Jobs", "client_uri": "https://jobs.example/", "redirect_uris": [CALLBACK],
              "token_endpoint_auth_method": "client_secret_basic", "grant_types": ["authorization_code", "refresh_token"],
              "response_types": ["code"], "scope": " ".join(scopes.ALL)},
        timeout=5,
    ).json()
    platform = OAuth2Session(registered["client_id"], registered["client_secret"], scope=" ".join(ASKED),
                             redirect_uri=CALLBACK, code_challenge_method="S256")
    url, state = platform.create_authorization_url(flow["authorizationUrl"], code_verifier=VERIFIER)

    amina = live_server.make_person(name="Amina Diallo")
    phone = phones()
    page = phone.page
    join(phone, amina)
    phone.context.clear_cookies()  # signed out on this phone; her passkey stays on it

    arrived = []
    phone.context.route("https://jobs.example/**", lambda route: (arrived.append(route.request.url),
                                                                   route.fulfill(body="<title>Harbour Jobs</title>ok",
                                                                                 content_type="text/html")))
    page.goto(url)
    page.wait_for_url(re.compile(r"/signin\?next="))
    phone.press_passkey_button("Sign in with a passkey", lands_on=r"/ims/ob/v3p0/oauth/authorize\?")

    expect(page.get_by_role("heading", level=1)).to_have_text("Connect Harbour Jobs to your backpack?")
    expect(page.locator("[data-consent-scopes] li")).to_have_text(
        ["See the badges in your backpack", "Add badges to your backpack", "See your name"])
    assert_accessible(page, "consent page")
    page.get_by_role("button", name="Allow", exact=True).click()
    page.wait_for_url(re.compile(r"^https://jobs\.example/callback\?"))

    query = parse_qs(urlsplit(arrived[-1]).query)
    assert query["state"] == [state]
    token = platform.fetch_token(flow["tokenUrl"], authorization_response=arrived[-1], code_verifier=VERIFIER)
    assert token["expires_in"] == 3600 and set(token["scope"].split()) == set(ASKED)

    # Signed just now by Digital Bazaar's `vc`; sent as the platform has it, with its own spacing, not ours.
    [genuine] = signed_by_db([badge(8)])["credentials"]
    sent = json.dumps(genuine, indent=1, ensure_ascii=False).encode()
    added = platform.post(api + "/credentials", data=sent, headers={"Content-Type": "application/vc+ld+json"})
    assert added.status_code == 201 and added.content == sent

    listed = platform.get(api + "/credentials")
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "1"
    assert sent in listed.content
    assert listed.json() == {"credential": [genuine], "compactJwsString": []}

    profile = platform.get(api + "/profile")
    assert profile.status_code == 200 and profile.json()["name"] == "Amina Diallo"
    assert profile_errors(profile.json()) == []

    phone.open("/")
    expect(page.locator("[data-imported-card]", has_text="Food hygiene level 2")).to_be_visible()

    phone.open("/account/platforms")
    expect(page.locator("[data-platform]")).to_contain_text("Harbour Jobs")
    assert_accessible(page, "connected platforms")
    page.get_by_role("button", name="Disconnect").click()
    expect(page.locator("[data-flash]")).to_contain_text("Harbour Jobs is disconnected")
    assert platform.get(api + "/credentials").status_code == 401
