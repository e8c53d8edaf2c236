"""Adding, renaming and removing passkeys: a new phone, a lost phone."""
import json

from backpack.auth import invites
from backpack.extensions import db
from backpack.models import Passkey, Role
from tests.conftest import Actor, new_client
from tests.support.authenticator import SoftPasskey


def add_passkey_while_signed_in(actor: Actor) -> tuple[SoftPasskey, object]:
    second = SoftPasskey(actor.passkey.origin)
    csrf = actor.csrf("/account/")
    options = actor.post_json("/auth/register/options", {}, csrf).get_json()
    assert [c["id"] for c in options["excludeCredentials"]], "existing passkeys must be excluded"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    response = actor.post_json("/auth/register/verify", {"credential": json.dumps(second.create(options))}, csrf)
    return second, response


def test_add_rename_and_remove_a_passkey(app, signed_in):
    actor = signed_in(Role.LEARNER)
    second, response = add_passkey_while_signed_in(actor)
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count(Passkey.id))) == 2

    new_id = db.session.scalars(db.select(Passkey.id).order_by(Passkey.id)).all()[1]
    renamed = actor.client.post(
        f"/account/passkeys/{new_id}/rename", data={"csrf_token": actor.csrf("/account/"), "name": "Work phone"}
    )
    assert renamed.status_code == 302
    assert "Work phone" in actor.client.get("/account/").get_data(as_text=True)

    old_id = db.session.scalars(db.select(Passkey.id).order_by(Passkey.id)).all()[0]
    removed = actor.client.post(f"/account/passkeys/{old_id}/remove", data={"csrf_token": actor.csrf("/account/")})
    assert removed.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Passkey.id))) == 1
    # This device was signed in with the removed passkey, so it is signed out too, and says so.
    assert removed.headers["Location"] == "/signin"
    assert "so it is signed out too" in actor.client.get("/signin").get_data(as_text=True)
    assert actor.client.get("/account/").status_code == 302
    # The removed phone can no longer sign in; the new one can.
    assert actor.sign_in().status_code == 401
    actor.passkey = second
    assert actor.sign_in().status_code == 200


def test_rename_refuses_empty_names(app, signed_in):
    actor = signed_in(Role.LEARNER)
    passkey_id = db.session.scalar(db.select(Passkey.id))
    response = actor.client.post(
        f"/account/passkeys/{passkey_id}/rename", data={"csrf_token": actor.csrf("/account/"), "name": ""}
    )
    assert response.status_code == 400
    assert db.session.get(Passkey, passkey_id).name != ""


def test_adding_a_passkey_needs_a_session_or_an_invite(client):
    csrf = Actor(client).csrf()
    response = client.post("/auth/register/options", json={}, headers={"X-CSRFToken": csrf})
    assert response.status_code == 401


def test_lost_phone_invite_adds_a_passkey_to_the_same_account(app, signed_in):
    actor = signed_in(Role.LEARNER)
    token = invites.issue(actor.user, created_by=None)
    db.session.commit()
    new_phone = Actor(new_client(app), actor.user)

    assert new_phone.register_with_invite(token).status_code == 200

    passkeys = db.session.scalars(db.select(Passkey)).all()
    assert len(passkeys) == 2 and {p.user_id for p in passkeys} == {actor.user.id}
    assert "add-passkey" == db.session.scalars(db.select(invites.Invite)).all()[-1].purpose
