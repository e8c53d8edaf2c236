"""A platform connects to a learner's backpack through the Open Badges 3.0 API, end to end:
discovery, registration, the learner's consent, the code with PKCE, then badges and profile."""
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from backpack.account.deletion import delete_account
from backpack.api import scopes
from backpack.extensions import db
from backpack.issuing import awarding
from backpack.models import ImportedCredential, OAuthClient, OAuthConnection, OAuthToken, Role, User
from tests.api.platform import (
    API,
    CALLBACK,
    VERIFIER,
    authorization_url,
    code_from,
    connect,
    consent,
    http,
    oauth_session,
    png_logo,
    register,
    serve_logo,
    sha256,
)
from tests.conftest import ORIGIN, build_app, csrf_from, with_tables
from tests.learner.imports import elsewhere_award
from tests.support.ob_schemas import profile_errors


@pytest.fixture
def local_app(tmp_path):
    """The app as tests run it, allowing platforms on http://localhost (and 127.0.0.1)."""
    yield from with_tables(build_app(tmp_path, API_ALLOW_LOCAL_REDIRECTS=True))


@pytest.fixture
def learner(signed_in):
    return signed_in(Role.LEARNER, "Amina Yusuf")


def own_award(learner, make_user, make_issuer, make_achievement):
    teacher = make_user(Role.TEACHER, "Ms Rivera")
    issuer = make_issuer(teacher)
    badge = make_achievement(issuer, by=teacher, name="Safe welding")
    award = awarding.award(badge, [learner.user], by=teacher).created[0]
    db.session.commit()
    return award


def test_discovery_is_public_and_built_from_the_configured_origin(tmp_path):
    app_iter = with_tables(build_app(tmp_path, BACKPACK_PREVIOUS_ORIGINS=["https://old-badges.example"]))
    app = next(app_iter)
    client = app.test_client()
    answer = client.get("/ims/ob/v3p0/discovery", base_url="https://old-badges.example")
    assert answer.status_code == 200
    document = answer.get_json()
    assert document["openapi"].startswith("3.0")
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    flow = scheme["flows"]["authorizationCode"]
    assert scheme["type"] == "oauth2"
    assert scheme["x-imssf-registrationUrl"] == f"{API}/oauth/register"
    assert flow["authorizationUrl"] == f"{API}/oauth/authorize"
    assert flow["tokenUrl"] == flow["refreshUrl"] == f"{API}/oauth/token"
    assert set(flow["scopes"]) == set(scopes.ALL) and len(scopes.ALL) == 4
    assert set(document["paths"]["/credentials"]) == {"get", "post"}
    assert set(document["paths"]["/profile"]) == {"get", "put"}
    assert document["servers"] == [{"url": API}]
    # Asked through the old host name, every URL still names the configured origin.
    assert "old-badges" not in answer.get_data(as_text=True)
    next(app_iter, None)


def test_a_platform_registers_gets_consent_and_moves_badges(app, learner, make_user, make_issuer, make_achievement):
    mine = own_award(learner, make_user, make_issuer, make_achievement)
    elsewhere = elsewhere_award(make_user, make_issuer, make_achievement)

    # Discovery, then RFC 7591 registration: the platform gets its id and secret.
    registered = register(app)
    assert registered["client_name"] == "Harbour Jobs" and registered["client_secret"]
    platform = db.session.scalar(db.select(OAuthClient).filter_by(client_id=registered["client_id"]))
    assert platform.client_secret_hash == sha256(registered["client_secret"])
    assert platform.logo_uri == "https://jobs.example/logo.png" and platform.tos_uri == "https://jobs.example/terms"

    # The platform sends the learner to the consent page, with PKCE (S256) and a state.
    session = oauth_session(app, registered)
    url = authorization_url(session)
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"]
    page = learner.client.get(url.removeprefix(ORIGIN))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Harbour Jobs" in html and "See the badges in your backpack" in html and "Change your name" in html
    assert "form-action 'self' https://jobs.example" in page.headers["Content-Security-Policy"]

    answer = consent(learner, url, "allow")
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(CALLBACK + "?") and parse_qs(urlsplit(location).query)["state"] == query["state"]

    # The code and the PKCE verifier buy a one-hour access token and a refresh token.
    token = session.fetch_token(f"{API}/oauth/token", authorization_response=location, code_verifier=VERIFIER)
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600 and token["refresh_token"]
    assert set(token["scope"].split()) == set(scopes.ALL)
    stored = db.session.scalar(db.select(OAuthToken))
    assert stored.access_token_hash == sha256(token["access_token"])
    assert stored.refresh_token_hash == sha256(token["refresh_token"])

    # The platform adds a badge the learner earned elsewhere: checked and kept, byte for byte.
    sent = elsewhere.credential_json.encode()
    added = session.post(f"{API}/credentials", data=sent, headers={"Content-Type": "application/vc+ld+json"})
    assert added.status_code == 201 and added.content == sent
    kept = db.session.scalar(db.select(ImportedCredential))
    assert kept.raw == sent and kept.owner_id == learner.user.id and kept.status == "valid"
    assert session.post(f"{API}/credentials", data=sent, headers={"Content-Type": "application/json"}).status_code == 200

    # Reading them back: the learner's own award as signed, and the one added, byte for byte.
    listed = session.get(f"{API}/credentials")
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "2"
    assert sent in listed.content and mine.credential_json.encode() in listed.content
    body = listed.json()
    assert body["compactJwsString"] == []
    assert sorted(c["id"] for c in body["credential"]) == sorted(
        json.loads(text)["id"] for text in (mine.credential_json, elsewhere.credential_json)
    )
    assert 'rel="first"' in listed.headers["Link"] and 'rel="last"' in listed.headers["Link"]

    # The profile: read, then renamed.
    profile = session.get(f"{API}/profile").json()
    connection = db.session.scalar(db.select(OAuthConnection))
    assert profile == {
        "@context": ["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": f"urn:uuid:{connection.subject_id}",
        "type": ["Profile"],
        "name": "Amina Yusuf",
    }
    assert profile_errors(profile) == []
    renamed = session.put(f"{API}/profile", json={**profile, "name": "Amina Y."})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Amina Y."
    db.session.expire_all()
    assert db.session.get(User, learner.user.id).display_name == "Amina Y."

    # Refreshing rotates both tokens; the old access token stops working.
    fresh = session.refresh_token(f"{API}/oauth/token")
    assert fresh["access_token"] != token["access_token"] and fresh["refresh_token"] != token["refresh_token"]
    assert session.get(f"{API}/profile").status_code == 200
    old = http(app).get(f"{API}/profile", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert old.status_code == 401

    # RFC 7009: the platform revokes its token, which then opens nothing.
    revoked = session.revoke_token(f"{API}/oauth/revoke", token=fresh["access_token"], token_type_hint="access_token")
    assert revoked.status_code == 200
    assert session.get(f"{API}/credentials").status_code == 401


def test_paging_with_limit_offset_and_since(app, learner, make_user, make_issuer, make_achievement):
    teacher = make_user(Role.TEACHER, "Ms Rivera")
    issuer = make_issuer(teacher)
    for name in ("One", "Two", "Three"):
        awarding.award(make_achievement(issuer, by=teacher, name=name), [learner.user], by=teacher)
    db.session.commit()
    registered = register(app)
    session = oauth_session(app, registered, scope=scopes.CREDENTIAL_READ)
    location = consent(learner, authorization_url(session)).headers["Location"]
    session.fetch_token(f"{API}/oauth/token", authorization_response=location, code_verifier=VERIFIER)

    first = session.get(f"{API}/credentials?limit=2")
    assert first.headers["X-Total-Count"] == "3" and len(first.json()["credential"]) == 2
    links = first.headers["Link"]
    assert f'<{API}/credentials?limit=2&offset=2>; rel="next"' in links
    assert f'<{API}/credentials?limit=2&offset=2>; rel="last"' in links
    assert f'<{API}/credentials?limit=2&offset=0>; rel="first"' in links and 'rel="prev"' not in links

    second = session.get(f"{API}/credentials?limit=2&offset=2")
    assert len(second.json()["credential"]) == 1 and 'rel="next"' not in second.headers["Link"]
    assert f'<{API}/credentials?limit=2&offset=0>; rel="prev"' in second.headers["Link"]
    names = [c["credentialSubject"]["achievement"]["name"] for c in first.json()["credential"] + second.json()["credential"]]
    assert sorted(names) == ["One", "Three", "Two"]

    later = session.get(f"{API}/credentials", params={"since": "2999-01-01T00:00:00Z"})
    assert later.headers["X-Total-Count"] == "0" and later.json() == {"credential": [], "compactJwsString": []}
    earlier = session.get(f"{API}/credentials", params={"since": "2000-01-01T00:00:00Z"})
    assert earlier.headers["X-Total-Count"] == "3"


def test_the_consent_page_shows_the_logo_fetched_at_registration(local_app, enrol, make_user):
    learner = enrol(make_user(Role.LEARNER, "Lan"))
    logo_url, stop = serve_logo(png_logo())
    try:
        registered = register(local_app, logo_uri=logo_url, redirect_uris=["http://localhost:8400/callback"])
    finally:
        stop()
    session = oauth_session(local_app, registered, redirect_uri="http://localhost:8400/callback")
    page = learner.client.get(authorization_url(session).removeprefix(ORIGIN)).get_data(as_text=True)
    logo = f"/ims/ob/v3p0/oauth/clients/{registered['client_id']}/logo.png"
    assert logo in page
    image = learner.client.get(logo)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.get_data().startswith(b"\x89PNG") and len(image.get_data()) < 20_000


def test_a_learner_who_says_no_sends_the_platform_away_with_nothing(app, learner):
    session = oauth_session(app, register(app))
    answer = consent(learner, authorization_url(session), "deny")
    assert answer.status_code == 302
    assert parse_qs(urlsplit(answer.headers["Location"]).query)["error"] == ["access_denied"]
    assert db.session.scalar(db.select(OAuthConnection)) is None


def test_connected_platforms_are_listed_and_disconnected_at_once(app, learner):
    registered = register(app)
    session = oauth_session(app, registered)
    location = consent(learner, authorization_url(session)).headers["Location"]
    token = session.fetch_token(f"{API}/oauth/token", authorization_response=location, code_verifier=VERIFIER)
    # A second, pending consent: its code must die with the disconnection too.
    pending = oauth_session(app, registered)
    pending_location = consent(learner, authorization_url(pending)).headers["Location"]

    page = learner.client.get("/account/platforms")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Harbour Jobs" in html and "Disconnect" in html
    connection = db.session.scalar(db.select(OAuthConnection))
    gone = learner.client.post(f"/account/platforms/{connection.id}/disconnect", data={"csrf_token": csrf_from(html)})
    assert gone.status_code == 302
    assert session.get(f"{API}/credentials").status_code == 401
    refreshed = http(app).post(
        f"{API}/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        auth=(registered["client_id"], registered["client_secret"]),
    )
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"
    late = http(app).post(
        f"{API}/oauth/token",
        data={"grant_type": "authorization_code", "code": code_from(pending_location), "redirect_uri": CALLBACK,
              "code_verifier": VERIFIER},
        auth=(registered["client_id"], registered["client_secret"]),
    )
    assert late.status_code == 400 and late.json()["error"] == "invalid_grant"
    after = learner.client.get("/account/platforms").get_data(as_text=True)
    assert "Harbour Jobs is disconnected" in after and "data-platform>" not in after
    assert "No other website or app can use your backpack." in after


def test_deleting_the_account_takes_its_platform_connections_and_tokens_along(app, learner):
    session, _token = connect(app, learner)
    delete_account(learner.user)
    db.session.commit()
    assert db.session.scalar(db.select(OAuthConnection)) is None
    assert db.session.scalar(db.select(OAuthToken)) is None
    assert session.get(f"{API}/credentials").status_code == 401


def test_the_consent_page_speaks_the_learners_language(app, learner):
    learner.user.preferred_language = "ar"
    db.session.commit()
    session = oauth_session(app, register(app))
    page = learner.client.get(authorization_url(session).removeprefix(ORIGIN)).get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in page
    assert "هل تريد ربط Harbour Jobs بحقيبتك؟" in page and "رؤية الشارات في حقيبتك" in page and "لا تسمح" in page
