"""Bad input at the door: each gets a clear message, the right status, and changes nothing."""
import json
from datetime import timedelta

from backpack.auth import invites
from backpack.extensions import db
from backpack.models import Classroom, Invite, Passkey, Role, WebAuthnChallenge
from backpack.models.time import utcnow
from tests.conftest import Actor, csrf_from, new_client


def passkey_count() -> int:
    return db.session.scalar(db.select(db.func.count(Passkey.id)))


def invite_for(make_user, role=Role.LEARNER):
    user = make_user(role, "Invited")
    token = invites.issue(user, created_by=None)
    db.session.commit()
    return user, token


def test_forged_invite_token_is_404(client):
    response = client.get("/invite/" + "A" * 43)
    assert response.status_code == 404
    assert "not valid" in response.get_data(as_text=True)


def test_expired_invite_is_410_and_cannot_start_a_ceremony(app, client, make_user):
    user, token = invite_for(make_user)
    invite = db.session.scalar(db.select(Invite))
    invite.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    page = client.get(f"/invite/{token}")
    assert page.status_code == 410
    assert "expired" in page.get_data(as_text=True)
    csrf = Actor(client).csrf()
    refused = client.post("/auth/register/options", json={"invite": token}, headers={"X-CSRFToken": csrf})
    assert refused.status_code == 410
    assert "expired" in refused.get_json()["error"]


def test_used_invite_is_410(app, make_user):
    user, token = invite_for(make_user)
    assert Actor(new_client(app), user).register_with_invite(token).status_code == 200

    again = new_client(app).get(f"/invite/{token}")

    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)
    assert passkey_count() == 1


def test_replaced_invite_is_410(app, client, make_user):
    user, old = invite_for(make_user)
    invites.issue(user, created_by=None)
    db.session.commit()
    response = client.get(f"/invite/{old}")
    assert response.status_code == 410
    assert "replaced" in response.get_data(as_text=True)


def test_invite_used_by_a_racing_ceremony_adds_nothing(app, make_user):
    user, token = invite_for(make_user)
    first, second = Actor(new_client(app), user), Actor(new_client(app), user)
    csrf_1 = csrf_from(first.client.get(f"/invite/{token}").get_data(as_text=True))
    csrf_2 = csrf_from(second.client.get(f"/invite/{token}").get_data(as_text=True))
    options_1 = first.post_json("/auth/register/options", {"invite": token}, csrf_1).get_json()
    options_2 = second.post_json("/auth/register/options", {"invite": token}, csrf_2).get_json()

    ok = first.post_json("/auth/register/verify", {"credential": json.dumps(first.passkey.create(options_1))}, csrf_1)
    late = second.post_json("/auth/register/verify", {"credential": json.dumps(second.passkey.create(options_2))}, csrf_2)

    assert ok.status_code == 200
    assert late.status_code == 410
    assert passkey_count() == 1


def test_replayed_registration_is_refused(app, make_user):
    user, token = invite_for(make_user)
    actor = Actor(new_client(app), user)
    csrf = csrf_from(actor.client.get(f"/invite/{token}").get_data(as_text=True))
    options = actor.post_json("/auth/register/options", {"invite": token}, csrf).get_json()
    body = {"credential": json.dumps(actor.passkey.create(options)), "invite": token}
    assert actor.post_json("/auth/register/verify", body, csrf).status_code == 200

    replay = actor.post_json("/auth/register/verify", body, actor.csrf("/account/"))

    assert replay.status_code == 400
    assert "timed out" in replay.get_json()["error"]
    assert passkey_count() == 1


def test_wrong_origin_registration_is_refused(app, make_user):
    user, token = invite_for(make_user)
    response = Actor(new_client(app), user).register_with_invite(token, origin="https://evil.example")
    assert response.status_code == 400
    assert "could not be checked" in response.get_json()["error"]
    assert passkey_count() == 0
    assert db.session.get(Invite, 1).used_at is None


def test_wrong_origin_sign_in_is_refused(app, signed_in):
    actor = signed_in(Role.LEARNER)
    actor.client.post("/signout", data={"csrf_token": actor.csrf("/account/")})
    response = actor.sign_in(origin="https://evil.example")
    assert response.status_code == 401
    assert actor.client.get("/account/").status_code == 302


def test_replayed_sign_in_is_refused(app, signed_in):
    actor = signed_in(Role.LEARNER)
    actor.client.post("/signout", data={"csrf_token": actor.csrf("/account/")})
    csrf = actor.csrf("/signin")
    options = actor.post_json("/auth/signin/options", {}, csrf).get_json()
    body = {"credential": json.dumps(actor.passkey.get(options))}
    assert actor.post_json("/auth/signin/verify", body, csrf).status_code == 200
    actor.client.post("/signout", data={"csrf_token": actor.csrf("/account/")})

    replay = actor.post_json("/auth/signin/verify", body, actor.csrf("/signin"))

    assert replay.status_code == 400
    assert actor.client.get("/account/").status_code == 302


def test_a_failed_sign_in_uses_up_its_challenge(app, signed_in):
    """Even though the failed request rolls back, its challenge stays gone: the old cookie brings nothing back."""
    actor = signed_in(Role.LEARNER)
    actor.client.post("/signout", data={"csrf_token": actor.csrf("/account/")})
    csrf = actor.csrf("/signin")
    options = actor.post_json("/auth/signin/options", {}, csrf).get_json()
    cookie = actor.client.get_cookie("session").value
    wrong = {"credential": json.dumps(actor.passkey.get(options, origin="https://evil.example"))}
    assert actor.post_json("/auth/signin/verify", wrong, csrf).status_code == 401

    actor.client.set_cookie("session", cookie, domain="localhost")
    retry = actor.post_json("/auth/signin/verify", {"credential": json.dumps(actor.passkey.get(options))}, csrf)

    assert retry.status_code == 400
    assert "timed out" in retry.get_json()["error"]
    assert actor.client.get("/account/").status_code == 302


def test_a_failed_registration_uses_up_its_challenge(app, make_user):
    user, token = invite_for(make_user)
    actor = Actor(new_client(app), user)
    csrf = csrf_from(actor.client.get(f"/invite/{token}").get_data(as_text=True))
    options = actor.post_json("/auth/register/options", {"invite": token}, csrf).get_json()
    cookie = actor.client.get_cookie("session").value
    wrong = {"credential": json.dumps(actor.passkey.create(options, origin="https://evil.example")), "invite": token}
    assert actor.post_json("/auth/register/verify", wrong, csrf).status_code == 400

    actor.client.set_cookie("session", cookie, domain="localhost")
    right = {"credential": json.dumps(actor.passkey.create(options)), "invite": token}
    retry = actor.post_json("/auth/register/verify", right, csrf)

    assert retry.status_code == 400
    assert "timed out" in retry.get_json()["error"]
    assert passkey_count() == 0
    assert db.session.get(Invite, 1).used_at is None


def test_expired_challenge_is_refused(app, signed_in):
    actor = signed_in(Role.LEARNER)
    actor.client.post("/signout", data={"csrf_token": actor.csrf("/account/")})
    csrf = actor.csrf("/signin")
    options = actor.post_json("/auth/signin/options", {}, csrf).get_json()
    challenge = db.session.scalar(db.select(WebAuthnChallenge))
    challenge.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    response = actor.post_json("/auth/signin/verify", {"credential": json.dumps(actor.passkey.get(options))}, csrf)

    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(WebAuthnChallenge.id))) == 0


def test_removed_passkey_cannot_sign_in(app, signed_in):
    actor = signed_in(Role.LEARNER)
    actor.client.post("/signout", data={"csrf_token": actor.csrf("/account/")})
    db.session.execute(db.delete(Passkey))
    db.session.commit()

    response = actor.sign_in()

    assert response.status_code == 401
    assert "not known here" in response.get_json()["error"]


def test_too_many_sign_in_attempts_are_limited(app, client):
    csrf = Actor(client).csrf()
    statuses = [
        client.post("/auth/signin/options", json={}, headers={"X-CSRFToken": csrf}).status_code
        for _ in range(21)
    ]
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429
    limited = client.post("/auth/signin/options", json={}, headers={"X-CSRFToken": csrf})
    assert "Too many attempts" in limited.get_json()["error"]


def test_too_many_invite_guesses_are_limited(client):
    statuses = [client.get(f"/invite/guess{n}").status_code for n in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429


def test_missing_csrf_token_changes_nothing(app, signed_in):
    teacher = signed_in(Role.TEACHER)
    response = teacher.client.post("/classes", data={"name": "No token"})
    assert response.status_code == 400
    assert "expired or was sent twice" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Classroom.id))) == 0
    json_response = teacher.client.post("/auth/signin/options", json={})
    assert json_response.status_code == 400
    assert "error" in json_response.get_json()


def test_last_passkey_cannot_be_removed(app, signed_in):
    actor = signed_in(Role.LEARNER)
    passkey_id = db.session.scalar(db.select(Passkey.id))
    response = actor.client.post(f"/account/passkeys/{passkey_id}/remove", data={"csrf_token": actor.csrf("/account/")})
    assert response.status_code == 409
    assert "only passkey" in response.get_data(as_text=True)
    assert passkey_count() == 1


def test_language_redirect_stays_on_this_site(client):
    csrf = Actor(client).csrf("/language")
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = client.post("/language", data={"csrf_token": csrf, "language": "es", "next": target})
        assert response.headers["Location"] == "/"


def test_unknown_language_is_never_kept_and_falls_back_to_the_browsers(client):
    csrf = Actor(client).csrf("/language")
    response = client.post("/language", data={"csrf_token": csrf, "language": "xx"}, headers={"Accept-Language": "es-MX"})
    assert response.status_code == 302  # never an error page: the browser's best match instead
    assert "lang=xx" not in response.headers.get("Set-Cookie", "")
    assert client.get_cookie("lang").value == "es"
