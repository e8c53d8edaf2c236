"""Passkey registration and sign-in through the real ceremonies, with a software authenticator."""

from backpack.auth import invites
from backpack.extensions import db
from backpack.models import Passkey, Role
from tests.conftest import Actor


def test_invite_creates_passkey_and_signs_in(app, client, make_user):
    learner = make_user(Role.LEARNER, "Amina")
    token = invites.issue(learner, created_by=None)
    db.session.commit()
    actor = Actor(client, learner)

    response = actor.register_with_invite(token)

    assert response.status_code == 200
    assert response.get_json()["redirect"] == "/account/welcome"
    assert db.session.scalar(db.select(db.func.count(Passkey.id))) == 1
    assert client.get("/").status_code == 200
    assert "My badges" in client.get("/").get_data(as_text=True)


def test_sign_out_then_sign_in_again(app, client, signed_in):
    actor = signed_in(Role.LEARNER)
    csrf = actor.csrf("/account/")
    assert actor.client.post("/signout", data={"csrf_token": csrf}).status_code == 302
    assert actor.client.get("/account/").status_code == 302

    response = actor.sign_in()

    assert response.status_code == 200, response.get_data(as_text=True)
    assert actor.client.get("/account/").status_code == 200
    passkey = db.session.scalar(db.select(Passkey))
    assert passkey.sign_count == 1
    assert passkey.last_used_at is not None
