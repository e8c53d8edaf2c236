"""Lucía turns on notifications on her phone; her teacher's award reaches it, in Spanish.

The whole path runs for real except the phone's push service, which the test plays:
the server's worker thread sends the award (VAPID-signed, aes128gcm-encrypted) to a push
service on 127.0.0.1, which checks and decrypts it, and the test hands the message to
Chromium's service worker with CDP `ServiceWorker.deliverPushMessage`, as the phone's
push service would. Two stand-ins, because headless Chromium here has no push service:
`pushManager.subscribe()` returns the test's subscription (its keys made in the test),
and, as CDP cannot click a notification, the test dispatches a `notificationclick` with
the shown notification inside the service worker, which runs the real click handler.
"""
import json
import re
import time

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from backpack.extensions import db
from backpack.issuing.achievements import create_achievement
from backpack.issuing.awarding import award
from backpack.issuing.issuers import create_issuer
from backpack.models import PushSubscription, Role, User
from tests.browser.accessibility import assert_accessible
from tests.conftest import tiny_png
from tests.support.push_service import PushService

pytestmark = pytest.mark.browser

# The page's pushManager, as a phone with a push service would answer (see the module doc).
FAKE_PUSH_MANAGER = """
(() => {
  if (!window.PushManager) return;
  const subscription = %s;
  const stored = () => sessionStorage.getItem("test-push-key");
  const fake = {
    endpoint: subscription.endpoint,
    options: { applicationServerKey: null },
    toJSON: () => subscription,
    unsubscribe: async () => { sessionStorage.removeItem("test-push-key"); return true; },
  };
  PushManager.prototype.subscribe = async function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    sessionStorage.setItem("test-push-key", btoa(String.fromCharCode(...key)));
    return fake;
  };
  PushManager.prototype.getSubscription = async function () { return stored() ? fake : null; };
})();
"""

NOTIFICATIONS = """async () => {
  const registration = await navigator.serviceWorker.ready;
  return (await registration.getNotifications()).map((n) => ({
    title: n.title, body: n.body, tag: n.tag, icon: n.icon, lang: n.lang, dir: n.dir, data: n.data,
  }));
}"""

CLICK_FIRST_NOTIFICATION = """async () => {
  const [notification] = await self.registration.getNotifications();
  self.dispatchEvent(new NotificationEvent("notificationclick", { notification }));
}"""


def say(server, locale: str, message: str, **variables) -> str:
    """What the app says in a language (English until the catalogue has the string)."""
    with server.app.test_request_context(), force_locale(locale):
        return gettext(message, **variables)


@pytest.fixture
def push_service(live_server, monkeypatch):
    monkeypatch.setitem(live_server.app.config, "NOTIFY_ALLOW_LOCAL_ENDPOINTS", True)
    service = PushService(live_server.app.extensions["notify"].vapid.public_key).start()
    yield service
    service.stop()


def give_badge(server, learner_id: int) -> str:
    """The teacher awards a badge translated into Spanish; return the award's id."""
    with server.app.test_request_context(base_url=server.url):
        teacher = User(display_name="Ms Okafor", role=Role.TEACHER.value)
        db.session.add(teacher)
        issuer = create_issuer("Escuela Riverside", members=[teacher], url="https://riverside.example")
        badge = create_achievement(
            issuer, by=teacher, name="Safe welding", description="Welds safely.",
            criteria="A joint that passes inspection.", image_png=tiny_png(),
            translations={"es": {"name": "Soldadura segura", "description": "Suelda con seguridad."}},
        )
        outcome = award(badge, [db.session.get(User, learner_id)], by=teacher)
        db.session.commit()  # wakes the server's delivery thread
        return outcome.created[0].public_id


def service_worker_registration(phone) -> str:
    """Return the id CDP gives the page's service worker registration."""
    cdp = phone.context.new_cdp_session(phone.page)
    found = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: found.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    scope = phone.server.url + "/"
    deadline = time.monotonic() + 10
    while not (mine := [r for r in found if r["scopeURL"] == scope and not r["isDeleted"]]):
        if time.monotonic() > deadline:
            pytest.fail(f"no service worker registration for {scope}: {found}")
        phone.page.wait_for_timeout(50)  # lets Playwright take in CDP events
    phone.push_cdp = cdp
    return mine[0]["registrationId"]


def shown_notifications(page, count: int, timeout: float = 10) -> list[dict]:
    """Poll the service worker registration until it shows count notifications."""
    deadline = time.monotonic() + timeout
    while True:
        shown = page.evaluate(NOTIFICATIONS)
        if len(shown) == count:
            return shown
        if time.monotonic() > deadline:
            pytest.fail(f"expected {count} notification(s), the phone shows {shown}")
        page.wait_for_timeout(100)


def test_an_award_reaches_the_phone_and_opens_the_badge(phones, live_server, push_service):
    lucia = live_server.make_person(Role.LEARNER, "Lucía")
    with live_server.database() as session:
        session.get(User, lucia.user_id).preferred_language = "es"
        session.commit()
    device = push_service.device("lucias-phone")
    phone = phones()
    page = phone.page
    phone.context.grant_permissions(["notifications"], origin=live_server.url)
    phone.context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(device.subscription()))

    # She joins with a passkey; the welcome page offers notifications before her badges.
    phone.open(lucia.invite_path)
    phone.press_passkey_button("Create my passkey", lands_on=r"/account/welcome$")  # the invite speaks the browser's language
    page.get_by_role("link", name=say(live_server, "es", "Turn on notifications")).click()
    page.wait_for_url(live_server.url + "/notifications")
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    # The page explains first; the browser is asked only when she presses the button.
    expect(page.get_by_role("heading", level=2).first).to_have_text(say(live_server, "es", "Know at once when you earn a badge"))
    assert_accessible(page, "notifications page, before")
    page.get_by_role("button", name=say(live_server, "es", "Turn on notifications")).click()
    page.wait_for_url(re.compile(r"/notifications\?added=\d+$"))
    expect(page.get_by_text(say(live_server, "es", "This device gets notifications."))).to_be_visible()
    expect(page.get_by_text(say(live_server, "es", "(this device)"))).to_be_visible()
    assert_accessible(page, "notifications page, with this device")
    key = page.evaluate("sessionStorage.getItem('test-push-key')")
    assert key.replace("+", "-").replace("/", "_").rstrip("=") == live_server.app.extensions["notify"].vapid.public_key
    with live_server.database() as session:
        stored = session.scalar(db.select(PushSubscription).where(PushSubscription.user_id == lucia.user_id))
        assert stored.endpoint == device.endpoint

    # Her teacher awards a badge: the server's worker pushes it within seconds, in Spanish.
    award_id = give_badge(live_server, lucia.user_id)
    [message] = push_service.wait_for(1, timeout=5)
    assert push_service.errors == []
    assert message.payload["title"] == "Conseguiste una insignia: Soldadura segura"

    # Her phone's push service hands it to the service worker, which shows it.
    registration_id = service_worker_registration(phone)
    phone.push_cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server.url, "registrationId": registration_id, "data": json.dumps(message.payload)},
    )
    [shown] = shown_notifications(page, count=1)
    assert shown["title"] == "Conseguiste una insignia: Soldadura segura"
    assert shown["body"] == message.payload["body"]
    assert shown["tag"] == f"award-{award_id}"
    assert shown["lang"] == "es"
    assert shown["icon"].endswith("/image.png")
    assert shown["data"] == {"url": f"{live_server.url}/my/badges/{award_id}"}

    # She taps it: the open app window goes to the badge, and the notification is gone.
    [worker] = [w for w in phone.context.service_workers if w.url.endswith("/sw.js")]
    worker.evaluate(CLICK_FIRST_NOTIFICATION)
    page.wait_for_url(f"{live_server.url}/my/badges/{award_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Soldadura segura")
    assert shown_notifications(page, count=0) == []
