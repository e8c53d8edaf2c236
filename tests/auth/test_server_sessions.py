"""Server-side sessions: the cookie names a sign-in row; ending the row ends the device's session."""
import json
from datetime import timedelta

from backpack.account import last_seen
from backpack.auth import invites, sessions
from backpack.extensions import db
from backpack.models import Role, SignIn, WebAuthnChallenge
from tests.conftest import Actor, csrf_from, new_client

PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"
TABLET = "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1"


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def decoded(app, client) -> dict:
    """What the session cookie says: it is signed, not encrypted, so anyone holding it can read this."""
    return app.session_interface.get_signing_serializer(app).loads(cookie_of(client))


def copy_cookie(app, client):
    """A second browser holding a copy of the first one's session cookie."""
    thief = new_client(app)
    thief.set_cookie("session", cookie_of(client), domain="localhost")
    return thief


def second_device(app, actor: Actor, agent: str = TABLET):
    """Sign the same person in with the same passkey on another device; return its client."""
    own = actor.client
    actor.client = new_client(app)
    actor.client.environ_base["HTTP_USER_AGENT"] = agent
    assert actor.sign_in().status_code == 200
    other, actor.client = actor.client, own
    return other


def sign_ins_of(user) -> list[SignIn]:
    db.session.commit()  # see what the requests wrote
    return list(db.session.scalars(db.select(SignIn).where(SignIn.user_id == user.id).order_by(SignIn.id)))


def test_a_copied_cookie_is_refused_after_sign_out(app, signed_in):
    actor = signed_in(Role.LEARNER)
    thief = copy_cookie(app, actor.client)
    assert thief.get("/account/").status_code == 200  # a live session works from any copy

    actor.client.post("/signout", data={"csrf_token": actor.csrf("/account/")})

    refused = thief.get("/account/")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/signin")
    [sign_in] = sign_ins_of(actor.user)
    assert sign_in.ended_at is not None


def test_only_a_hash_of_the_cookies_id_is_stored(app, signed_in):
    actor = signed_in(Role.LEARNER)
    raw = decoded(app, actor.client)[sessions.KEY]
    [sign_in] = sign_ins_of(actor.user)
    assert len(raw) >= 43 and raw != sign_in.token_hash
    assert db.session.scalar(db.select(SignIn).where(SignIn.token_hash == raw)) is None


def test_devices_are_listed_and_each_can_be_signed_out(app, signed_in):
    actor = signed_in(Role.LEARNER, "Ana")
    tablet = second_device(app, actor)
    phone_row, tablet_row = sign_ins_of(actor.user)
    assert (tablet_row.device, tablet_row.method) == ("Safari · iPad", "passkey")
    assert phone_row.method == "invite"  # the phone made the first passkey with Ana's invite

    page = actor.client.get("/account/").get_data(as_text=True)
    assert page.count("data-sign-in ") + page.count("data-sign-in>") == 2
    assert "Safari · iPad" in page and page.count("(this device)") == 1
    assert f"/account/sign-ins/{tablet_row.id}/end" in page and f"/account/sign-ins/{phone_row.id}/end" in page

    # The phone signs the tablet out: the tablet is refused at once, the phone stays in.
    ended = actor.client.post(f"/account/sign-ins/{tablet_row.id}/end", data={"csrf_token": actor.csrf("/account/")})
    assert ended.status_code == 302 and ended.headers["Location"] == "/account/"
    assert "Safari · iPad is signed out." in actor.client.get("/account/").get_data(as_text=True)
    assert tablet.get("/account/").status_code == 302
    assert actor.client.get("/account/").status_code == 200

    # Signing out this device from the list signs it out here.
    here = actor.client.post(f"/account/sign-ins/{phone_row.id}/end", data={"csrf_token": actor.csrf("/account/")})
    assert here.headers["Location"] == "/signin"
    assert "You are signed out on this device." in actor.client.get("/signin").get_data(as_text=True)
    assert actor.client.get("/account/").status_code == 302
    assert all(row.ended_at is not None for row in sign_ins_of(actor.user))


def test_someone_elses_sign_in_is_404(app, signed_in):
    owner, other = signed_in(Role.LEARNER), signed_in(Role.LEARNER)
    [row] = sign_ins_of(owner.user)
    response = other.client.post(f"/account/sign-ins/{row.id}/end", data={"csrf_token": other.csrf("/account/")})
    assert response.status_code == 404
    assert owner.client.get("/account/").status_code == 200


def test_signing_out_everywhere_ends_every_row(app, signed_in):
    actor = signed_in(Role.LEARNER)
    tablet = second_device(app, actor)
    assert sessions.live_handles(actor.user) == {sessions.handle(row) for row in sign_ins_of(actor.user)}
    actor.client.post("/signout/everywhere", data={"csrf_token": actor.csrf("/account/")})
    assert all(row.ended_at is not None for row in sign_ins_of(actor.user))
    assert sessions.live_handles(actor.user) == set()
    assert tablet.get("/account/").status_code == 302


def test_removing_a_passkey_ends_the_sessions_it_made(app, signed_in):
    from tests.auth.test_passkey_management import add_passkey_while_signed_in

    actor = signed_in(Role.LEARNER)
    second, _ = add_passkey_while_signed_in(actor)
    old_passkey_id = actor.user.passkeys[0].id
    actor.passkey = second  # a second phone, signed in with the new passkey
    new_phone = second_device(app, actor)
    csrf = csrf_from(new_phone.get("/account/").get_data(as_text=True))
    response = new_phone.post(f"/account/passkeys/{old_passkey_id}/remove", data={"csrf_token": csrf})
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert actor.client.get("/account/").status_code == 302  # the lost phone is signed out
    assert new_phone.get("/account/").status_code == 200


def test_last_seen_is_stamped_off_the_request_at_most_every_five_minutes(app, signed_in):
    actor = signed_in(Role.LEARNER)
    [row] = sign_ins_of(actor.user)
    first = row.last_seen_at
    actor.client.get("/account/")
    assert last_seen.flush() == 0  # seen a moment ago: nothing to stamp

    row.last_seen_at = first - timedelta(minutes=6)
    db.session.commit()
    response = actor.client.get("/account/")
    assert response.status_code == 200
    assert "Set-Cookie" in response.headers  # the cookie's 90 days count from now too
    db.session.expire_all()
    assert sign_ins_of(actor.user)[0].last_seen_at == first - timedelta(minutes=6)  # the view wrote nothing

    assert last_seen.flush() == 1  # the worker stores it
    db.session.commit()
    db.session.expire_all()
    [row] = sign_ins_of(actor.user)
    assert row.last_seen_at > first
    assert actor.user.last_seen_at == row.last_seen_at
    assert last_seen.flush() == 0


def test_a_sign_in_unused_for_the_lifetime_is_refused(app, signed_in):
    actor = signed_in(Role.LEARNER)
    [row] = sign_ins_of(actor.user)
    row.last_seen_at -= sessions.LIFETIME + timedelta(minutes=1)
    db.session.commit()
    assert actor.client.get("/account/").status_code == 302


def test_a_new_sign_in_gets_a_new_id_and_ends_the_browsers_last_one(app, signed_in):
    actor = signed_in(Role.LEARNER)
    before = decoded(app, actor.client)[sessions.KEY]
    csrf = actor.csrf("/account/")  # signed in, /signin sends the browser home
    options = actor.post_json("/auth/signin/options", {}, csrf).get_json()
    answer = json.dumps(actor.passkey.get(options))
    assert actor.post_json("/auth/signin/verify", {"credential": answer}, csrf).status_code == 200
    assert decoded(app, actor.client)[sessions.KEY] != before
    first, second = sign_ins_of(actor.user)
    assert first.ended_at is not None and second.ended_at is None


def test_the_cookie_holds_no_invite_link_and_no_challenge(app, make_user, make_classroom, signed_in):
    teacher = signed_in(Role.TEACHER, "Ms Okafor")
    learner = make_user(Role.LEARNER, "Lan")
    make_classroom(teacher.user, learner)

    made = teacher.client.post(f"/learners/{learner.id}/invites", data={"csrf_token": teacher.csrf("/classes")})
    assert made.status_code == 302
    card = teacher.client.get(made.headers["Location"]).get_data(as_text=True)
    token = card.split('data-invite-link>')[1].split("<")[0].rsplit("/", 1)[1]
    invites.find_open(token)  # the card shows the live link, and shows it again on reload
    assert token in teacher.client.get(made.headers["Location"]).get_data(as_text=True)

    # Not in the cookie, which is only signed; not in the database in the clear either.
    cookie = decoded(app, teacher.client)
    assert token not in json.dumps(cookie) and token not in cookie_of(teacher.client)
    assert sessions.KEY in cookie and set(cookie) <= {sessions.KEY, "_user_id", "_fresh", "_id", "_permanent", "csrf_token", "_flashes"}
    [row] = [r for r in sign_ins_of(teacher.user) if r.ended_at is None]
    assert row.sealed and token not in row.sealed
    # A copy of the cookie in another browser is the same session, but the teacher's other
    # sign-in (another device) cannot read it: the key comes from this cookie alone.
    other_device = second_device(app, teacher)
    assert token not in other_device.get(made.headers["Location"]).get_data(as_text=True)

    # A ceremony in progress: neither the challenge nor its row's id is in the cookie.
    browser = Actor(new_client(app))
    csrf = browser.csrf("/signin")
    options = browser.post_json("/auth/signin/options", {}, csrf).get_json()
    cookie = decoded(app, browser.client)
    [challenge_row] = db.session.scalars(db.select(WebAuthnChallenge)).all()
    text = json.dumps(cookie) + cookie_of(browser.client)
    assert options["challenge"] not in text and challenge_row.id not in text


def test_opening_someone_elses_invite_signs_no_one_out_until_their_passkey_is_made(app, signed_in, make_user):
    actor = signed_in(Role.LEARNER)
    newcomer = make_user(Role.LEARNER, "Binh")
    token = invites.issue(newcomer, created_by=None)
    db.session.commit()
    page = actor.client.get(f"/invite/{token}")
    assert page.status_code == 200
    assert "Someone else is signed in on this phone" in page.get_data(as_text=True)
    assert [row.is_live for row in sign_ins_of(actor.user)] == [True]  # a page view changed nothing
    assert actor.client.get("/account/").status_code == 200
