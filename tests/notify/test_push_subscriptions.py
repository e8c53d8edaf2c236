"""Turning notifications on and off: the routes, bad subscriptions, refused endpoints, sign-out."""
import json
from pathlib import Path

import pytest

from backpack import create_app
from backpack.extensions import db
from backpack.models import Outbox, PushSubscription, Role
from backpack.notify import endpoints, vapid
from tests.conftest import csrf_from, new_client
from tests.support.push_service import Device, b64url, fake_subscription
from tests.support.sign_ins import live_handle

PHONE_AGENT = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"


def subscribe(actor, subscription, *, csrf=True):
    text = subscription if isinstance(subscription, str) else json.dumps(subscription)
    headers = {"User-Agent": PHONE_AGENT}
    if csrf:
        headers["X-CSRFToken"] = actor.csrf("/notifications")
    return actor.client.post("/notifications/subscribe", json={"subscription": text}, headers=headers)


def devices() -> list[PushSubscription]:
    db.session.commit()
    return list(db.session.scalars(db.select(PushSubscription).order_by(PushSubscription.id)))


def test_the_page_explains_before_it_asks(signed_in, app):
    learner = signed_in(Role.LEARNER)
    page = learner.client.get("/notifications").get_data(as_text=True)
    assert page.index("Know at once when you earn a badge") < page.index("data-push-enable")
    assert f'data-vapid-key="{app.extensions["notify"].vapid.public_key}"' in page
    assert "No device gets notifications yet." in page
    assert "<script>" not in page  # strict CSP: behaviour comes from static/js/push.js


def test_a_phone_turns_notifications_on_tests_them_and_turns_them_off(signed_in, push_service, deliver):
    learner = signed_in(Role.LEARNER, "Ana")
    phone = push_service.device("phone")

    response = subscribe(learner, phone.subscription())
    assert response.status_code == 201
    [device] = devices()
    assert (device.user_id, device.endpoint, device.label) == (learner.user.id, phone.endpoint, "Chrome · Android")
    assert response.get_json()["redirect"] == f"/notifications?added={device.id}"
    again = subscribe(learner, phone.subscription())  # the page sends it again: same device
    assert again.status_code == 200 and len(devices()) == 1

    page = learner.client.get("/notifications").get_data(as_text=True)
    assert "Chrome · Android" in page and "(this device)" in page and "data-this-device" in page

    csrf = learner.csrf("/notifications")
    tested = learner.client.post(f"/notifications/{device.id}/test", data={"csrf_token": csrf})
    assert tested.status_code == 302
    deliver()
    [message] = push_service.delivered()
    assert message.payload["title"] == "Notifications are on" and message.payload["url"] == "/notifications"
    assert message.headers["urgency"] == "high"

    removed = learner.client.post(f"/notifications/{device.id}/remove", data={"csrf_token": csrf})
    assert removed.status_code == 302 and devices() == []


def test_a_test_message_reaches_only_the_chosen_device(signed_in, add_device, push_service, deliver):
    learner = signed_in(Role.LEARNER)
    add_device(learner.user, "phone")
    add_device(learner.user, "tablet")
    tablet = devices()[1]
    learner.client.post(f"/notifications/{tablet.id}/test", data={"csrf_token": learner.csrf("/notifications")})
    deliver()
    assert [m.device for m in push_service.delivered()] == ["tablet"]


def test_someone_elses_device_is_404(signed_in, add_device):
    owner, other = signed_in(Role.LEARNER, "Owner"), signed_in(Role.LEARNER, "Other")
    add_device(owner.user)
    device = devices()[0]
    csrf = other.csrf("/notifications")
    assert other.client.post(f"/notifications/{device.id}/test", data={"csrf_token": csrf}).status_code == 404
    assert other.client.post(f"/notifications/{device.id}/remove", data={"csrf_token": csrf}).status_code == 404
    assert len(devices()) == 1
    assert "Chrome" not in other.client.get("/notifications").get_data(as_text=True)


def test_a_shared_phone_moves_to_whoever_turns_it_on(signed_in, push_service):
    first, second = signed_in(Role.LEARNER, "First"), signed_in(Role.LEARNER, "Second")
    phone = push_service.device("shared")
    assert subscribe(first, phone.subscription()).status_code == 201
    assert subscribe(second, phone.subscription()).status_code == 201
    [device] = devices()
    assert device.user_id == second.user.id


def test_a_twenty_first_device_replaces_the_longest_silent(signed_in, add_device, push_service):
    learner = signed_in(Role.LEARNER)
    for n in range(20):
        add_device(learner.user, f"device-{n}")
    assert subscribe(learner, push_service.device("newest").subscription()).status_code == 201
    names = [d.endpoint.rsplit("/", 1)[-1] for d in devices()]
    assert len(names) == 20 and "device-0" not in names and "newest" in names


def test_subscribing_needs_the_csrf_token(signed_in, push_service):
    learner = signed_in(Role.LEARNER)
    assert subscribe(learner, push_service.device("p").subscription(), csrf=False).status_code == 400
    assert devices() == []


def _with_keys(p256dh=None, auth=None, endpoint="https://93.184.216.34/push/x"):
    subscription = fake_subscription(endpoint)
    if p256dh is not None:
        subscription["keys"]["p256dh"] = p256dh
    if auth is not None:
        subscription["keys"]["auth"] = auth
    return subscription


MALFORMED = {
    "not JSON": "{endpoint: nope",
    "a list": "[]",
    "a string": '"https://93.184.216.34/push/x"',
    "no keys": json.dumps({"endpoint": "https://93.184.216.34/push/x"}),
    "no endpoint": json.dumps({"keys": fake_subscription("https://x")["keys"]}),
    "endpoint not text": json.dumps({"endpoint": 42, "keys": fake_subscription("https://x")["keys"]}),
    "keys not an object": json.dumps({"endpoint": "https://93.184.216.34/push/x", "keys": "abc"}),
    "key not base64": json.dumps(_with_keys(p256dh="not base64!!")),
    "key too short": json.dumps(_with_keys(p256dh=b64url(b"\x04" + b"\x01" * 31))),
    "key not on the curve": json.dumps(_with_keys(p256dh=b64url(b"\x04" + b"\x01" * 64))),
    "auth too short": json.dumps(_with_keys(auth=b64url(b"\x00" * 15))),
    "auth missing": json.dumps(_with_keys(auth="")),
    "too long": json.dumps({**_with_keys(), "padding": "x" * 5000}),
}


@pytest.mark.parametrize("text", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_subscriptions_are_400_and_store_nothing(signed_in, text):
    learner = signed_in(Role.LEARNER)
    response = subscribe(learner, text)
    assert response.status_code == 400
    assert "error" in response.get_json()
    assert devices() == []


REFUSED = {
    "plain http": "http://93.184.216.34/push/x",
    "another scheme": "ftp://93.184.216.34/push/x",
    "another port": "https://93.184.216.34:8443/push/x",
    "loopback": "https://127.0.0.1/push/x",
    "localhost by name": "https://localhost/push/x",
    "IPv6 loopback": "https://[::1]/push/x",
    "IPv4 mapped in IPv6": "https://[::ffff:127.0.0.1]/push/x",
    "private 10/8": "https://10.0.0.5/push/x",
    "private 192.168/16": "https://192.168.1.1/push/x",
    "cloud metadata (link-local)": "https://169.254.169.254/latest/meta-data",
    "carrier-grade NAT": "https://100.64.0.1/push/x",
    "unspecified": "https://0.0.0.0/push/x",
    "multicast": "https://224.0.0.1/push/x",
    "credentials in the URL": "https://user:secret@93.184.216.34/push/x",
    "no host": "https:///push/x",
    "a name that does not resolve": "https://push.invalid/x",
}


@pytest.mark.parametrize("endpoint", REFUSED.values(), ids=REFUSED.keys())
def test_endpoints_that_could_probe_our_network_are_refused(signed_in, endpoint):
    learner = signed_in(Role.LEARNER)
    response = subscribe(learner, fake_subscription(endpoint))
    assert response.status_code == 400, endpoint
    assert devices() == []


def test_the_local_flag_admits_loopback_only():
    endpoints.check("http://127.0.0.1:8123/push/x", allow_local=True)
    endpoints.check("https://93.184.216.34/push/x", allow_local=False)
    for refused in ("http://10.0.0.5/push/x", "http://169.254.169.254/", "http://93.184.216.34/push/x"):
        with pytest.raises(endpoints.EndpointRefused):
            endpoints.check(refused, allow_local=True)
    with pytest.raises(endpoints.EndpointRefused):
        endpoints.check("http://127.0.0.1:8123/push/x", allow_local=False)


def test_an_endpoint_is_checked_again_before_every_send(app, school, make_user, push_service, deliver):
    """A stored endpoint that now points inside the network is not called, and is forgotten."""
    from backpack.issuing import awarding

    app.config["NOTIFY_ALLOW_LOCAL_ENDPOINTS"] = False
    teacher, _, badge = school
    learner = make_user(Role.LEARNER)
    phone = push_service.device("phone")
    db.session.add(PushSubscription(
        user_id=learner.id, endpoint=phone.endpoint, p256dh=phone.p256dh, auth=b64url(phone.auth),
        label="x", session_hash=live_handle(learner),
    ))
    awarding.award(badge, [learner], by=teacher)
    db.session.commit()
    deliver()
    assert push_service.attempts == [] and devices() == []


def test_signing_out_on_this_device_stops_its_notifications_only(signed_in, app, add_device, push_service):
    learner = signed_in(Role.LEARNER)
    assert subscribe(learner, push_service.device("this-phone").subscription()).status_code == 201
    other_phone = push_service.device("other-phone")
    db.session.add(PushSubscription(
        user_id=learner.user.id, endpoint=other_phone.endpoint, p256dh=other_phone.p256dh, auth=b64url(other_phone.auth),
        label="Chrome · Android", session_hash=live_handle(learner.user, another_device=True),  # signed in there too
    ))
    db.session.commit()
    learner.client.post("/signout", data={"csrf_token": learner.csrf("/account/")})
    assert [d.endpoint for d in devices()] == [other_phone.endpoint]


def test_signing_out_everywhere_stops_every_device(signed_in, add_device, push_service):
    learner = signed_in(Role.LEARNER)
    add_device(learner.user, "lost-phone")
    assert subscribe(learner, push_service.device("this-phone").subscription()).status_code == 201
    learner.client.post("/signout/everywhere", data={"csrf_token": learner.csrf("/account/")})
    assert devices() == []


def test_removing_a_device_also_removes_its_waiting_test_message(signed_in, add_device):
    learner = signed_in(Role.LEARNER)
    add_device(learner.user)
    device = devices()[0]
    csrf = learner.csrf("/notifications")
    learner.client.post(f"/notifications/{device.id}/test", data={"csrf_token": csrf})
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Outbox.id))) == 1
    learner.client.post(f"/notifications/{device.id}/remove", data={"csrf_token": csrf})
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Outbox.id))) == 0


def test_the_vapid_key_is_made_once_and_kept(tmp_path):
    first = vapid.load(tmp_path)
    assert vapid.load(tmp_path).public_key == first.public_key
    key_file = tmp_path / vapid.KEY_FILE
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert len(vapid.load(tmp_path).public_key) == 87  # 65 bytes, base64url
    # A restarted app, or a second process, signs with the same key.
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    assert app.extensions["notify"].vapid.public_key == first.public_key


def test_a_configured_vapid_key_wins(tmp_path):
    device = Device("https://x")  # any P-256 key will do
    from cryptography.hazmat.primitives import serialization

    pem = device.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    loaded = vapid.load(Path(tmp_path), pem)
    assert loaded.public_key == device.p256dh
    assert not (Path(tmp_path) / vapid.KEY_FILE).exists()


def test_anonymous_visitors_are_sent_to_sign_in(app):
    client = new_client(app)
    assert "/signin" in client.get("/notifications").headers["Location"]
    csrf = csrf_from(client.get("/signin").get_data(as_text=True))
    refused = client.post("/notifications/subscribe", json={"subscription": "{}"}, headers={"X-CSRFToken": csrf})
    assert refused.status_code == 401
