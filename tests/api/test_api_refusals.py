"""What the Open Badges 3.0 API refuses: bad tokens, missing scopes, broken PKCE, foreign redirect
URIs, replayed codes and refresh tokens, insecure registrations, floods, and bad credentials."""
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from backpack.api import scopes
from backpack.extensions import db
from backpack.models import ImportedCredential, OAuthToken, Role
from backpack.models.time import utcnow
from tests.api.platform import (
    API,
    CALLBACK,
    VERIFIER,
    authorization_url,
    code_from,
    connect,
    consent,
    http,
    imsx_minor,
    oauth_session,
    path_of,
    register,
    registration,
)
from tests.conftest import build_app, csrf_from, with_tables
from tests.credentials import jose_tokens
from tests.learner.imports import elsewhere_award, tampered


@pytest.fixture
def learner(signed_in):
    return signed_in(Role.LEARNER, "Amina")


def token_request(app, registered, **data):
    return http(app).post(f"{API}/oauth/token", data=data, auth=(registered["client_id"], registered["client_secret"]))


def code_exchange(app, registered, location, **changes):
    data = {"grant_type": "authorization_code", "code": code_from(location), "redirect_uri": CALLBACK, "code_verifier": VERIFIER}
    data.update(changes)
    return token_request(app, registered, **{k: v for k, v in data.items() if v is not None})


def approved(app, learner, registered=None):
    registered = registered or register(app)
    location = consent(learner, authorization_url(oauth_session(app, registered))).headers["Location"]
    return registered, location


# --- bearer tokens ----------------------------------------------------------------------


def test_no_token_forged_token_and_a_cookie_open_nothing(app, learner):
    connect(app, learner)
    bare = http(app).get(f"{API}/credentials")
    assert bare.status_code == 401 and imsx_minor(bare) == "unauthorizedrequest"
    assert bare.headers["WWW-Authenticate"].startswith("Bearer")
    forged = http(app).get(f"{API}/credentials", headers={"Authorization": "Bearer " + "A" * 43})
    assert forged.status_code == 401 and imsx_minor(forged) == "unauthorizedrequest"
    assert 'error="invalid_token"' in forged.headers["WWW-Authenticate"]
    # The learner's own signed-in browser is no API client.
    assert learner.client.get(f"{API}/credentials").status_code == 401


def test_an_expired_token_is_refused(app, learner):
    session, _token = connect(app, learner)
    assert session.get(f"{API}/profile").status_code == 200
    row = db.session.scalar(db.select(OAuthToken))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    answer = session.get(f"{API}/profile")
    assert answer.status_code == 401 and imsx_minor(answer) == "unauthorizedrequest"


def test_each_endpoint_needs_its_own_scope(app, learner):
    session, token = connect(app, learner, scope=scopes.PROFILE_READ)
    assert token["scope"] == scopes.PROFILE_READ
    assert session.get(f"{API}/profile").status_code == 200
    for answer in (
        session.get(f"{API}/credentials"),
        session.post(f"{API}/credentials", json={"type": ["VerifiableCredential"]}),
        session.put(f"{API}/profile", json={"type": "Profile", "name": "X"}),
    ):
        assert answer.status_code == 403 and imsx_minor(answer) == "forbidden"
    assert db.session.scalar(db.select(ImportedCredential)) is None


def test_a_platform_gets_no_scope_it_did_not_register(app, learner):
    registered = register(app, scope=scopes.CREDENTIAL_READ)
    _session, token = connect(app, learner, registered)
    assert token["scope"] == scopes.CREDENTIAL_READ


# --- PKCE, redirect URIs, codes ---------------------------------------------------------


def test_pkce_is_required_and_only_s256(app, learner):
    registered = register(app)
    session = oauth_session(app, registered)
    url, _state = session.create_authorization_url(f"{API}/oauth/authorize")  # no verifier: no challenge
    plain = url + "&code_challenge=" + VERIFIER + "&code_challenge_method=plain"
    for bad in (url, plain):
        answer = learner.client.get(path_of(bad))
        assert answer.status_code == 302
        query = parse_qs(urlsplit(answer.headers["Location"]).query)
        assert answer.headers["Location"].startswith(CALLBACK) and query["error"] == ["invalid_request"]


def test_the_code_needs_the_right_verifier(app, learner):
    registered, location = approved(app, learner)
    missing = code_exchange(app, registered, location, code_verifier=None)
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    wrong = code_exchange(app, registered, location, code_verifier="w" * 50)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert db.session.scalar(db.select(OAuthToken)) is None
    assert code_exchange(app, registered, location).status_code == 200


def test_an_unregistered_redirect_uri_is_never_followed(app, learner):
    registered = register(app)
    session = oauth_session(app, registered, redirect_uri="https://evil.example/steal")
    answer = learner.client.get(path_of(authorization_url(session)))
    assert answer.status_code == 400 and "Location" not in answer.headers
    assert "This connection cannot be made" in answer.get_data(as_text=True)
    # A code asked for one redirect URI is not exchanged with another.
    registered, location = approved(app, learner, registered)
    other = code_exchange(app, registered, location, redirect_uri="https://jobs.example/other")
    assert other.status_code == 400 and other.json()["error"] == "invalid_grant"


def test_a_replayed_code_is_refused_and_revokes_its_tokens(app, learner):
    registered, location = approved(app, learner)
    first = code_exchange(app, registered, location)
    assert first.status_code == 200
    tokens = first.json()
    replay = code_exchange(app, registered, location)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert http(app).get(f"{API}/profile", headers=bearer).status_code == 401
    refresh = token_request(app, registered, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert refresh.status_code == 400


def test_a_code_of_another_platform_or_a_wrong_secret_gets_nothing(app, learner):
    registered, location = approved(app, learner)
    other = register(app, client_name="Someone else")
    stolen = code_exchange(app, other, location)
    assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant"
    guessed = code_exchange(app, {**registered, "client_secret": "not-the-secret"}, location)
    assert guessed.status_code == 401 and guessed.json()["error"] == "invalid_client"
    assert code_exchange(app, registered, location).status_code == 200


def test_a_rotated_refresh_token_used_again_revokes_the_family(app, learner):
    session, token = connect(app, learner)
    registered = {"client_id": session.client_id, "client_secret": session.client_secret}
    fresh = token_request(app, registered, grant_type="refresh_token", refresh_token=token["refresh_token"]).json()
    again = token_request(app, registered, grant_type="refresh_token", refresh_token=token["refresh_token"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    bearer = {"Authorization": f"Bearer {fresh['access_token']}"}
    assert http(app).get(f"{API}/profile", headers=bearer).status_code == 401


# --- consent ----------------------------------------------------------------------------


def test_only_a_signed_in_learner_can_consent(app, learner, signed_in):
    session = oauth_session(app, register(app))
    path = path_of(authorization_url(session))
    anonymous = http(app).get(f"https://localhost{path}", allow_redirects=False)
    assert anonymous.status_code == 302 and "/signin?next=" in anonymous.headers["Location"]
    teacher = signed_in(Role.TEACHER, "Ms Rivera")
    refused = teacher.client.get(path)
    assert refused.status_code == 403 and "Only learners can connect" in refused.get_data(as_text=True)
    page = learner.client.get(path).get_data(as_text=True)
    forged = learner.client.post(path, data={"decision": "allow"})  # no CSRF token
    assert forged.status_code == 400 and "Location" not in forged.headers
    odd = learner.client.post(path, data={"decision": "maybe", "csrf_token": csrf_from(page)})
    assert odd.status_code == 400


# --- registration -----------------------------------------------------------------------


def test_registration_refuses_plain_http_redirect_uris(app, tmp_path):
    plain = http(app).post(f"{API}/oauth/register", json=registration(redirect_uris=["http://jobs.example/callback"]))
    assert plain.status_code == 400 and plain.json()["error"] == "invalid_redirect_uri"
    local = http(app).post(f"{API}/oauth/register", json=registration(redirect_uris=["http://localhost:8400/callback"]))
    assert local.status_code == 400 and local.json()["error"] == "invalid_redirect_uri"
    logo = http(app).post(f"{API}/oauth/register", json=registration(logo_uri="http://jobs.example/logo.png"))
    assert logo.status_code == 400 and logo.json()["error"] == "invalid_client_metadata"
    for bad in (registration(redirect_uris=[]), registration(client_name=None), registration(token_endpoint_auth_method="none"),
                registration(scope="https://example.org/everything"), registration(grant_types=["client_credentials"])):
        assert http(app).post(f"{API}/oauth/register", json=bad).status_code == 400
    not_json = http(app).post(f"{API}/oauth/register", data="client_name=x", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400 and not_json.json()["error"] == "invalid_client_metadata"


def test_the_test_flag_allows_localhost_redirect_uris_only(tmp_path):
    running = with_tables(build_app(tmp_path, API_ALLOW_LOCAL_REDIRECTS=True))
    app = next(running)
    local = http(app).post(f"{API}/oauth/register", json=registration(redirect_uris=["http://localhost:8400/callback"], logo_uri=None))
    assert local.status_code == 201
    other = http(app).post(f"{API}/oauth/register", json=registration(redirect_uris=["http://jobs.example/callback"]))
    assert other.status_code == 400
    next(running, None)


def test_eleven_registrations_a_minute_from_one_address_are_too_many(app):
    answers = [http(app).post(f"{API}/oauth/register", json=registration(logo_uri=None)) for _ in range(11)]
    assert [a.status_code for a in answers] == [201] * 10 + [429]


# --- credentials sent by platforms ------------------------------------------------------


@pytest.fixture
def platform(app, learner):
    session, _token = connect(app, learner)
    return session


def test_a_tampered_credential_is_kept_and_shown_as_not_genuine(app, learner, platform, make_user, make_issuer, make_achievement):
    bad = tampered(elsewhere_award(make_user, make_issuer, make_achievement))
    answer = platform.post(f"{API}/credentials", data=bad, headers={"Content-Type": "application/json"})
    assert answer.status_code == 201
    kept = db.session.scalar(db.select(ImportedCredential))
    assert kept.raw == bad and kept.status == "invalid"
    page = learner.client.get(f"/my/imported/{kept.public_id}").get_data(as_text=True)
    assert "Crane operator" in page


def test_a_changed_credential_with_the_same_id_replaces_the_old_one(app, learner, platform, make_user, make_issuer, make_achievement):
    award = elsewhere_award(make_user, make_issuer, make_achievement)
    assert platform.post(f"{API}/credentials", data=award.credential_json, headers={"Content-Type": "application/json"}).status_code == 201
    first = db.session.scalar(db.select(ImportedCredential))
    public_id = first.public_id
    changed = tampered(award)
    replaced = platform.post(f"{API}/credentials", data=changed, headers={"Content-Type": "application/json"})
    assert replaced.status_code == 200 and replaced.content == changed
    db.session.expire_all()
    rows = db.session.scalars(db.select(ImportedCredential)).all()
    assert len(rows) == 1 and rows[0].raw == changed and rows[0].public_id == public_id
    assert platform.get(f"{API}/credentials").headers["X-Total-Count"] == "1"


@pytest.mark.parametrize(
    "body, content_type, status, minor",
    [
        (b'{"@context": ["https://www.w3.org/ns/credentials/v2"], "id": ', "application/json", 400, "invalid_data"),
        (b'{"a": 1, "a": 2}', "application/json", 400, "invalid_data"),
        (b'{"type": ["VerifiableCredential"], "name": "Not a badge"}', "application/json", 400, "invalid_data"),
        (b"[1, 2, 3]", "application/json", 400, "invalid_data"),
        (b'{"pad": "' + b"x" * (600 * 1024) + b'"}', "application/json", 413, "invalid_data"),
        (b"eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln", "text/plain", 400, "invalid_data"),
        (b'{"type": ["VerifiableCredential"]}', "text/plain", 400, "invalid_data"),
        (b"<credential/>", "application/xml", 415, "invalid_data"),
    ],
    ids=["malformed", "duplicate-keys", "not-a-badge", "not-an-object", "oversized", "jwt-without-a-badge", "json-as-jwt", "xml"],
)
def test_bad_bodies_get_a_clear_imsx_error_and_nothing_is_stored(app, platform, body, content_type, status, minor):
    answer = platform.post(f"{API}/credentials", data=body, headers={"Content-Type": content_type})
    assert answer.status_code == status
    info = answer.json()
    assert imsx_minor(answer) == minor and info["imsx_severity"] == "error" and info["imsx_description"]
    assert db.session.scalar(db.select(ImportedCredential)) is None


def test_a_credential_without_an_id_cannot_be_upserted(app, platform, make_user, make_issuer, make_achievement):
    credential = json.loads(elsewhere_award(make_user, make_issuer, make_achievement).credential_json)
    del credential["id"]
    answer = platform.post(f"{API}/credentials", json=credential)
    assert answer.status_code == 400 and "'id'" in answer.json()["imsx_description"]
    assert db.session.scalar(db.select(ImportedCredential)) is None


def test_bad_paging_and_profiles_are_refused(app, platform):
    for query in ("limit=0", "limit=x", "offset=-1", "since=yesterday"):
        answer = platform.get(f"{API}/credentials?{query}")
        assert answer.status_code == 400 and imsx_minor(answer) == "invalid_query_parameter", query
    for body in ({"type": "Profile", "name": ""}, {"type": "Person", "name": "X"}, {"type": "Profile", "name": "X", "id": "urn:uuid:other"},
                 {"type": "Profile", "name": "a\u0000b"}, {"type": "Profile", "name": "x" * 121}):
        answer = platform.put(f"{API}/profile", json=body)
        assert answer.status_code == 400 and imsx_minor(answer) == "invalid_data", body
    assert platform.get(f"{API}/profile").json()["name"] == "Amina"


def vc_jwt_of(award, issuer_key: dict, **changes) -> bytes:
    """The award's credential as another platform would send it: a VC-JWT (OB 3.0 §8) signed by npm jose."""
    did = jose_tokens.did_key(issuer_key["publicJwk"])
    document = {key: value for key, value in json.loads(award.credential_json).items() if key not in ("proof", "credentialStatus")}
    document["issuer"] = {**document["issuer"], "id": did}
    document.update(changes)
    claims = {"iss": did, "jti": document["id"], "sub": document["credentialSubject"].get("id"), "vc": document,
              "nbf": int(award.issued_at.timestamp())}
    return jose_tokens.sign(issuer_key["privateJwk"], {"alg": "EdDSA", "kid": f"{did}#{did[8:]}"}, claims).encode()


def test_a_vc_jwt_sent_as_text_plain_is_added_genuine_listed_as_a_jws_and_replaced_by_id(
    app, learner, platform, make_user, make_issuer, make_achievement
):
    [key] = jose_tokens.generate("EdDSA")
    award = elsewhere_award(make_user, make_issuer, make_achievement)
    token = vc_jwt_of(award, key)

    added = platform.post(f"{API}/credentials", data=token, headers={"Content-Type": "text/plain"})
    assert added.status_code == 201 and added.content == token and added.headers["Content-Type"].startswith("text/plain")
    kept = db.session.scalar(db.select(ImportedCredential))
    assert kept.status == "valid" and kept.format == "ob3"
    public_id = kept.public_id
    listed = platform.get(f"{API}/credentials").json()
    assert listed == {"credential": [], "compactJwsString": [token.decode()]}

    again = platform.post(f"{API}/credentials", data=token, headers={"Content-Type": "text/plain"})
    assert again.status_code == 200
    renamed = vc_jwt_of(award, key, name="Forklift safety, renewed")
    replaced = platform.post(f"{API}/credentials", data=renamed, headers={"Content-Type": "text/plain"})
    assert replaced.status_code == 200
    db.session.expire_all()
    [row] = db.session.scalars(db.select(ImportedCredential)).all()
    assert row.raw == renamed and row.public_id == public_id


def test_a_vc_jwt_signed_by_someone_else_is_kept_as_not_genuine(app, platform, make_user, make_issuer, make_achievement):
    issuer_key, stranger = jose_tokens.generate("EdDSA", "EdDSA")
    token = vc_jwt_of(elsewhere_award(make_user, make_issuer, make_achievement), issuer_key)
    header, payload, _signature = token.split(b".")
    forged = b".".join([header, payload, vc_jwt_of(elsewhere_award(make_user, make_issuer, make_achievement), stranger).split(b".")[2]])
    answer = platform.post(f"{API}/credentials", data=forged, headers={"Content-Type": "text/plain"})
    assert answer.status_code == 201
    assert db.session.scalar(db.select(ImportedCredential)).status == "invalid"
