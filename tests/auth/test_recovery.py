"""Recovery the learner controls: told at once, a labelled passkey held back for 72 hours, "This wasn't me"."""
import json
from datetime import timedelta

import pytest

from backpack.auth import invites
from backpack.extensions import db
from backpack.models import Invite, Outbox, Passkey, PushSubscription, Role, SignIn
from backpack.notify import subscriptions
from tests.auth.test_server_sessions import sign_ins_of
from tests.conftest import Actor, csrf_from, new_client
from tests.support.push_service import fake_subscription
from tests.support.sign_ins import live_handle

NEW_PHONE = "Mozilla/5.0 (Linux; Android 15; SM-A556B) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"
HELD = "cannot do this for 72 hours"


def give_device(user, name: str) -> PushSubscription:
    """A phone of the person that gets notifications (as the settings page would store it)."""
    endpoint = f"https://93.184.216.34/push/{name}"
    device = PushSubscription(
        user_id=user.id, endpoint=endpoint, label=name, session_hash=live_handle(user), **fake_subscription(endpoint)["keys"]
    )
    db.session.add(device)
    db.session.commit()
    return device


def outbox(kind: str) -> list[Outbox]:
    db.session.commit()
    return list(db.session.scalars(db.select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id)))


def export_status(client) -> int:
    """Ask for the data export; close the streamed ZIP at once."""
    with client.get("/my/data.zip") as response:
        return response.status_code


def csrf_of(client, path="/account/") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


@pytest.fixture
def school(app, make_user, make_classroom, signed_in):
    """Ms Okafor teaches Amina, who has a passkey on her old phone and notifications on."""
    teacher = signed_in(Role.TEACHER, "Ms Okafor")
    learner = signed_in(Role.LEARNER, "Amina")
    make_classroom(teacher.user, learner.user)
    give_device(learner.user, "old-phone")
    return teacher, learner


def make_link(teacher: Actor, learner: Actor) -> str:
    """The teacher presses "New invite link (lost phone)"; return the link's token."""
    made = teacher.client.post(f"/learners/{learner.user.id}/invites", data={"csrf_token": csrf_of(teacher.client, "/classes")})
    assert made.status_code == 302
    card = teacher.client.get(made.headers["Location"]).get_data(as_text=True)
    assert "so they were told on their devices" in card
    return card.split("data-invite-link>")[1].split("<")[0].rsplit("/", 1)[1]


def use_link(app, learner: Actor, token: str) -> Actor:
    """Open the link on a new phone and make a passkey there; return that phone."""
    client = new_client(app)
    client.environ_base["HTTP_USER_AGENT"] = NEW_PHONE
    phone = Actor(client, learner.user)
    assert phone.register_with_invite(token).status_code == 200
    return phone


def recovered_passkey(learner: Actor) -> Passkey:
    db.session.commit()
    return db.session.scalar(db.select(Passkey).where(Passkey.user_id == learner.user.id, Passkey.added_via == "recovery"))


def test_a_sign_in_link_tells_the_learner_at_once(app, school):
    teacher, learner = school
    make_link(teacher, learner)

    [message] = outbox("recovery-link-made")
    assert message.user_id == learner.user.id and message.urgency == "high"
    assert message.payload["title"] == "A sign-in link was made for your account"
    assert message.payload["body"] == (
        "Your teacher Ms Okafor made a sign-in link for your account. If you did not ask for it, tell your teacher."
    )
    assert message.payload["url"] == "/account/"

    # On her home page and her account page, until she hides it.
    for path in ("/", "/account/"):
        page = learner.client.get(path).get_data(as_text=True)
        assert "Your teacher Ms Okafor made a sign-in link for your account." in page
        assert "It has not been used yet." in page and "data-recovery-notice" in page
    invite = db.session.scalar(db.select(Invite).where(Invite.user_id == learner.user.id, Invite.purpose == "add-passkey"))
    hidden = learner.client.post(
        f"/account/recovery-links/{invite.id}/dismiss?next=/", data={"csrf_token": csrf_of(learner.client)}
    )
    assert hidden.status_code == 302 and hidden.headers["Location"] == "/"
    for path in ("/", "/account/"):
        assert "data-recovery-notice" not in learner.client.get(path).get_data(as_text=True)
    # Nobody else can hide it.
    teacher_try = teacher.client.post(f"/account/recovery-links/{invite.id}/dismiss", data={"csrf_token": csrf_of(teacher.client)})
    assert teacher_try.status_code == 404


def test_the_learner_is_told_in_her_own_language(app, school):
    teacher, learner = school
    learner.user.preferred_language = "es"
    db.session.commit()
    make_link(teacher, learner)
    [message] = outbox("recovery-link-made")
    assert message.payload["lang"] == "es"
    assert "Ms Okafor" in message.payload["body"] and "sign-in link" not in message.payload["body"]


def test_a_first_invite_for_a_new_learner_is_no_recovery(app, make_user, make_classroom, signed_in):
    teacher = signed_in(Role.TEACHER, "Ms Okafor")
    newcomer = make_user(Role.LEARNER, "Lan")
    make_classroom(teacher.user, newcomer)
    teacher.client.post(f"/learners/{newcomer.id}/invites", data={"csrf_token": csrf_of(teacher.client, "/classes")})
    assert outbox("recovery-link-made") == []


def test_an_admins_link_for_a_teacher_tells_the_teacher(app, signed_in):
    admin = signed_in(Role.ADMIN, "Mr Diaz")
    teacher = signed_in(Role.TEACHER, "Ms Okafor")
    give_device(teacher.user, "teacher-phone")
    admin.client.post(f"/admin/teachers/{teacher.user.id}/invites", data={"csrf_token": csrf_of(admin.client)})
    [message] = outbox("recovery-link-made")
    assert message.payload["body"] == (
        "The administrator Mr Diaz made a sign-in link for your account. If you did not ask for it, tell an administrator."
    )


def test_the_recovered_passkey_is_labelled_and_the_other_devices_told(app, school):
    teacher, learner = school
    use_link(app, learner, make_link(teacher, learner))

    passkey = recovered_passkey(learner)
    assert (passkey.added_by_id, passkey.name) == (teacher.user.id, "Android · Chrome")
    assert db.session.get(Invite, passkey.invite_id).used_at is not None
    [message] = outbox("recovery-passkey-added")
    assert message.user_id == learner.user.id
    assert "It was added on Android · Chrome with a sign-in link." in message.payload["body"]
    new_sign_in = sign_ins_of(learner.user)[-1]
    assert (new_sign_in.method, new_sign_in.passkey_id, new_sign_in.device) == ("recovery", passkey.id, "Chrome · Android")

    page = learner.client.get("/account/").get_data(as_text=True)
    assert "Added with a sign-in link made by Ms Okafor" in page
    assert "With a sign-in link made by Ms Okafor" in page
    assert "It was used on" in page
    assert f"/account/passkeys/{passkey.id}/not-me" in page


def test_a_recovered_device_is_held_back_for_72_hours(app, school):
    teacher, learner = school
    new_phone = use_link(app, learner, make_link(teacher, learner))
    old_passkey_id = learner.user.passkeys[0].id
    invite = db.session.scalar(db.select(Invite).where(Invite.purpose == "add-passkey"))

    page = new_phone.client.get("/account/").get_data(as_text=True)
    assert "For your safety, until" in page and "data-recovery-hold" in page
    assert "/my/data.zip" not in page and f"/account/passkeys/{old_passkey_id}/remove" not in page
    csrf = csrf_of(new_phone.client)
    refusals = [
        new_phone.client.get("/my/data.zip"),
        new_phone.client.post("/account/delete", data={"csrf_token": csrf, "confirm": "DELETE"}),
        new_phone.client.post(f"/account/passkeys/{old_passkey_id}/remove", data={"csrf_token": csrf}),
        new_phone.client.post(f"/account/recovery-links/{invite.id}/dismiss", data={"csrf_token": csrf}),
        new_phone.post_json("/auth/register/options", {}, csrf),
    ]
    for response in refusals:
        assert response.status_code == 403, response.request.path
        text = response.get_data(as_text=True)
        assert HELD in (response.get_json()["error"] if response.is_json else text)
    assert "On this device it becomes possible on" in refusals[0].get_data(as_text=True)
    assert len(learner.user.passkeys) == 2

    # Signing in again with the same passkey is still held back.
    new_phone.client.post("/signout", data={"csrf_token": csrf})
    assert new_phone.sign_in().status_code == 200
    assert export_status(new_phone.client) == 403

    # The old phone, signed in before, is not held back.
    assert export_status(learner.client) == 200

    # 72 hours later the new phone may do everything.
    passkey = recovered_passkey(learner)
    passkey.created_at -= timedelta(hours=72, minutes=1)
    db.session.commit()
    assert export_status(new_phone.client) == 200
    assert "data-recovery-hold" not in new_phone.client.get("/account/").get_data(as_text=True)


def test_this_wasnt_me_removes_the_passkey_ends_its_sessions_and_tells_the_admins(app, school, signed_in):
    teacher, learner = school
    admin = signed_in(Role.ADMIN, "Mr Diaz")
    give_device(admin.user, "admin-phone")
    new_phone = use_link(app, learner, make_link(teacher, learner))
    passkey = recovered_passkey(learner)
    intruder_device = fake_subscription("https://93.184.216.34/push/intruder")
    subscribed = new_phone.client.post(
        "/notifications/subscribe", json={"subscription": json.dumps(intruder_device)},
        headers={"X-CSRFToken": new_phone.csrf("/notifications"), "User-Agent": NEW_PHONE},
    )
    assert subscribed.status_code == 201

    response = learner.client.post(f"/account/passkeys/{passkey.id}/not-me", data={"csrf_token": csrf_of(learner.client)})

    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert "the administrators were told" in learner.client.get("/account/").get_data(as_text=True)
    assert recovered_passkey(learner) is None and len(learner.user.passkeys) == 1
    assert new_phone.client.get("/account/").status_code == 302
    assert new_phone.sign_in().status_code == 401  # that passkey is gone for good
    assert learner.client.get("/account/").status_code == 200
    [report] = outbox("recovery-disowned")
    assert report.user_id == admin.user.id
    assert report.payload["title"] == "Sign-in link reported by Amina"
    assert "made by Ms Okafor was not theirs" in report.payload["body"]
    assert report.payload["url"] == "/admin/recovery"
    invite = db.session.scalar(db.select(Invite).where(Invite.purpose == "add-passkey"))
    assert invite.disowned_at is not None
    # Notifications follow sign-ins: the intruder's phone gets nothing more, Amina's own phone still does.
    db.session.expire_all()
    assert [d.label for d in subscriptions.devices_of(learner.user)] == ["old-phone"]

    audit = admin.client.get("/admin/recovery").get_data(as_text=True)
    assert "For Amina" in audit and "Made by Ms Okafor" in audit and "Used on" in audit and "data-disowned" in audit


def test_this_wasnt_me_on_the_recovered_device_signs_it_out_and_says_so(app, school):
    teacher, learner = school
    new_phone = use_link(app, learner, make_link(teacher, learner))
    passkey = recovered_passkey(learner)

    response = new_phone.client.post(f"/account/passkeys/{passkey.id}/not-me", data={"csrf_token": csrf_of(new_phone.client)})

    assert response.status_code == 302 and response.headers["Location"] == "/signin"
    page = new_phone.client.get("/signin").get_data(as_text=True)
    assert "This device was signed in with that passkey, so it is signed out too." in page
    assert new_phone.client.get("/account/").status_code == 302
    assert learner.client.get("/account/").status_code == 200
    assert db.session.scalar(db.select(SignIn).where(SignIn.passkey_id == passkey.id)) is None


def test_this_wasnt_me_is_only_for_passkeys_a_link_added(app, school):
    teacher, learner = school
    own = learner.user.passkeys[0]
    response = learner.client.post(f"/account/passkeys/{own.id}/not-me", data={"csrf_token": csrf_of(learner.client)})
    assert response.status_code == 404
    other = teacher.client.post(f"/account/passkeys/{own.id}/not-me", data={"csrf_token": csrf_of(teacher.client)})
    assert other.status_code == 404
    assert len(learner.user.passkeys) == 1


def test_the_only_passkey_stays_even_if_a_link_added_it(app, school):
    teacher, learner = school
    new_phone = use_link(app, learner, make_link(teacher, learner))
    db.session.delete(db.session.get(Passkey, learner.user.passkeys[0].id))
    db.session.commit()
    passkey = recovered_passkey(learner)
    response = new_phone.client.post(f"/account/passkeys/{passkey.id}/not-me", data={"csrf_token": csrf_of(new_phone.client)})
    assert response.status_code == 409
    assert "This is your only passkey." in response.get_data(as_text=True)
    assert recovered_passkey(learner) is not None


def test_a_sign_in_link_works_once_and_not_after_it_expires(app, school):
    teacher, learner = school
    token = make_link(teacher, learner)
    use_link(app, learner, token)
    again = Actor(new_client(app), learner.user)
    reused = again.client.get(f"/invite/{token}")
    assert reused.status_code == 410 and "already been used" in reused.get_data(as_text=True)

    token = make_link(teacher, learner)
    invites.find_open(token).expires_at -= timedelta(days=30)
    db.session.commit()
    expired = again.client.get(f"/invite/{token}")
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)


def test_admins_see_every_recovery_link(app, school, signed_in):
    teacher, learner = school
    admin = signed_in(Role.ADMIN, "Mr Diaz")
    make_link(teacher, learner)
    make_link(teacher, learner)  # replaces the first
    audit = admin.client.get("/admin/recovery").get_data(as_text=True)
    assert audit.count("data-recovery-link>") == 2
    assert "Not used: replaced by a newer link" in audit and "Not used yet" in audit
    assert "Sign-in links made for people" in admin.client.get("/admin/teachers").get_data(as_text=True)
    assert teacher.client.get("/admin/recovery").status_code == 403
