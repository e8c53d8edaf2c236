"""Sessions: signing out on one device, or on all of them at once."""
from backpack.extensions import db
from backpack.models import Role
from tests.conftest import new_client


def test_sign_out_everywhere_ends_other_devices(app, signed_in):
    phone = signed_in(Role.LEARNER)
    # The same person signed in on a second device.
    tablet_client = new_client(app)
    phone.client, original = tablet_client, phone.client
    assert phone.sign_in().status_code == 200
    phone.client = original
    assert tablet_client.get("/account/").status_code == 200

    response = phone.client.post("/signout/everywhere", data={"csrf_token": phone.csrf("/account/")})

    assert response.status_code == 302
    assert tablet_client.get("/account/").status_code == 302
    assert phone.client.get("/account/").status_code == 302
    # The passkey itself still works: signing in again is allowed.
    assert phone.sign_in().status_code == 200
    assert phone.client.get("/account/").status_code == 200


def test_sign_in_marks_last_seen(app, signed_in):
    actor = signed_in(Role.LEARNER)
    actor.client.get("/account/")
    db.session.refresh(actor.user)
    assert actor.user.last_seen_at is not None


def test_language_choice_is_stored_on_the_user(app, signed_in):
    actor = signed_in(Role.LEARNER)
    actor.client.post("/language", data={"csrf_token": actor.csrf("/account/"), "language": "ar"})
    db.session.refresh(actor.user)
    assert actor.user.preferred_language == "ar"
    assert 'dir="rtl"' in actor.client.get("/account/").get_data(as_text=True)


def test_language_cookie_before_sign_in_becomes_the_users_choice(app, make_user):
    from backpack.auth import invites
    from tests.conftest import Actor

    user = make_user(Role.LEARNER, "Carlos")
    token = invites.issue(user, created_by=None)
    db.session.commit()
    client = new_client(app)
    csrf = Actor(client).csrf("/language")
    client.post("/language", data={"csrf_token": csrf, "language": "es"})
    assert Actor(client, user).register_with_invite(token).status_code == 200
    db.session.refresh(user)
    assert user.preferred_language == "es"
