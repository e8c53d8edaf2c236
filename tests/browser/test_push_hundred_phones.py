"""A hundred phones, a delivery worker killed -9 mid-delivery, and what the phones show.

A teacher awards a badge to 100 learners, each with one phone. `flask worker`, a process
of its own, is killed while the push service has answered some phones, holds others'
messages unanswered, and has not heard from the rest. The hanging messages reached the
push service, so those phones get them; the dead worker never learned that, so a fresh
`flask worker --once` sends them again once its claims lapse. Counted at the push
service, every phone got the award and every repeat carries its first copy's Topic and
tag; counted on the phone, by handing every accepted message (repeats included, in the
order they arrived) to Chromium's real service worker, 100 notifications show, one per
learner, each in her language: 0 lost, 0 duplicated. (This count once found the service
worker losing a few of many pushes handed over at once; see inTurn in sw.js.)
"""
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from backpack import create_app
from backpack.extensions import db
from backpack.issuing.achievements import create_achievement
from backpack.issuing.awarding import award
from backpack.issuing.issuers import create_issuer
from backpack.models import Outbox, OutboxStatus, PushSubscription, Role, User
from backpack.models.time import utcnow
from tests.conftest import tiny_png
from tests.notify.test_push_crash import run_worker_once
from tests.support.push_service import PushService, b64url
from tests.support.servers import create_database
from tests.support.sign_ins import live_handle

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PHONES = 100
THREADS = 8  # the worker's send pool: once this many sends hang, no other send starts
ANSWERED = 30  # phones the push service answers 201 before the worker is killed
HANGING = THREADS  # sends the push service has received but not answered at the kill

# The learners' languages in turn (None: she has not chosen), and the title each should see.
TITLES = {
    None: "You earned a badge: Safe welding",
    "es": "Conseguiste una insignia: Soldadura segura",
    "ar": "حصلت على شارة: لحام آمن",
    "vi": "Bạn đã đạt được huy hiệu: Hàn an toàn",
    "zh_Hans": "你获得了一个徽章：安全焊接",
}
BADGE_NAMES = {"es": "Soldadura segura", "ar": "لحام آمن", "vi": "Hàn an toàn", "zh_Hans": "安全焊接"}

NOTIFICATIONS = """async () => {
  const registration = await navigator.serviceWorker.ready;
  return (await registration.getNotifications()).map((n) => ({ title: n.title, tag: n.tag }));
}"""


def wait_until(condition, timeout: float, what: str):
    """Poll condition() until it returns something true; fail with what after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)
    return result


@pytest.fixture(params=["sqlite", "postgresql"])
def deployment(request, tmp_path):
    """A database of 100 learners with a phone each, just awarded a badge; a push service; the worker's env.

    On SQLite, and on the session's real PostgreSQL server (tests/support/servers.py).
    """
    instance = tmp_path / "instance"
    if request.param == "sqlite":
        database = f"sqlite:///{tmp_path / 'backpack.db'}"
    else:
        database = create_database(request.getfixturevalue("postgres_server"), f"phones_{uuid.uuid4().hex[:12]}")
    env = {
        **os.environ,
        "BACKPACK_INSTANCE_PATH": str(instance),
        "DATABASE_URL": database,
        "BACKPACK_NOTIFY_WORKER": "off",
        "BACKPACK_NOTIFY_ALLOW_LOCAL_ENDPOINTS": "1",
        "BACKPACK_NOTIFY_LEASE_SECONDS": "1",
        "BACKPACK_NOTIFY_THREADS": str(THREADS),
        "PYTHONPATH": str(ROOT),
    }
    app = create_app({
        "INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": database, "TESTING": True, "NOTIFY_WORKER": "off",
    })
    service = PushService(app.extensions["notify"].vapid.public_key).start()
    expected = {}  # phone name -> (notification tag, title)
    with app.app_context():
        db.create_all()
        teacher = User(display_name="Ms Okafor", role=Role.TEACHER.value)
        db.session.add(teacher)
        issuer = create_issuer("Riverside Adult School", members=[teacher], url="https://riverside.example")
        badge = create_achievement(
            issuer, by=teacher, name="Safe welding", description="Welds safely.", criteria="A joint that passes.",
            image_png=tiny_png(), translations={code: {"name": name} for code, name in BADGE_NAMES.items()},
        )
        languages = list(TITLES)
        learners, phone_of = [], {}
        for number in range(PHONES):
            learner = User(
                display_name=f"Learner {number}", role=Role.LEARNER.value,
                preferred_language=languages[number % len(languages)],
            )
            db.session.add(learner)
            db.session.flush()
            name = f"phone-{number:03}"
            device = service.device(name)
            db.session.add(PushSubscription(
                user_id=learner.id, endpoint=device.endpoint, p256dh=device.p256dh, auth=b64url(device.auth),
                label="Chrome · Android", session_hash=live_handle(learner),
            ))
            learners.append(learner)
            phone_of[learner.id] = (name, TITLES[learner.preferred_language])
        outcome = award(badge, learners, by=teacher)
        db.session.commit()
        for given in outcome.created:
            name, title = phone_of[given.learner_id]
            expected[name] = (f"award-{given.public_id}", title)
    assert len(expected) == PHONES
    yield app, env, service, expected
    service.stop()
    with app.app_context():
        db.engine.dispose()


def outbox_statuses(app) -> Counter:
    with app.app_context():
        return Counter(db.session.scalars(db.select(Outbox.status)))


def live_claims(app) -> int:
    """Count rows still claimed by a worker whose lease has not lapsed."""
    with app.app_context():
        return db.session.scalar(
            db.select(db.func.count(Outbox.id)).where(Outbox.status == OutboxStatus.SENDING, Outbox.claimed_until >= utcnow())
        )


def start_worker(env, log: Path) -> subprocess.Popen:
    """Start `flask worker`, a delivery process of its own, its output in log."""
    with log.open("w") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "backpack", "worker"],
            env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
        )


def kill_mid_delivery(worker: subprocess.Popen, service, log: Path) -> None:
    """Kill -9 the worker once ANSWERED phones got 201 and HANGING sends are held unanswered."""
    try:
        hanging = service.wait_for_hanging(HANGING, timeout=60)
        answered = len(service.wait_for(ANSWERED, timeout=60))
        assert (hanging, answered) == (HANGING, ANSWERED), log.read_text()
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)


class Handset:
    """A page with the app's service worker, standing in for every learner's phone.

    Messages go to the real service worker with CDP ServiceWorker.deliverPushMessage, as a
    push service hands them to a phone; Chromium's own record of push events (the
    BackgroundService domain) says when the worker has finished with each.
    """

    def __init__(self, phone, server):
        self.page = phone.page
        self.origin = server.url
        phone.context.grant_permissions(["notifications"], origin=server.url)
        phone.open("/")
        self.page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        self.cdp = phone.context.new_cdp_session(self.page)
        self.events: list[str] = []
        self.cdp.on(
            "BackgroundService.backgroundServiceEventReceived",
            lambda event: self.events.append(event["backgroundServiceEvent"]["eventName"]),
        )
        self.cdp.send("BackgroundService.setRecording", {"shouldRecord": True, "service": "pushMessaging"})
        self.cdp.send("BackgroundService.startObserving", {"service": "pushMessaging"})
        self.registration = self._registration_id(server.url + "/")
        self.handed = 0

    def _registration_id(self, scope: str) -> str:
        found = []
        self.cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: found.extend(event["registrations"]))
        self.cdp.send("ServiceWorker.enable")
        deadline = time.monotonic() + 10
        while not (mine := [r for r in found if r["scopeURL"] == scope and not r["isDeleted"]]):
            if time.monotonic() > deadline:
                pytest.fail(f"no service worker registration for {scope}: {found}")
            self.page.wait_for_timeout(50)  # lets Playwright take in CDP events
        return mine[0]["registrationId"]

    def receive(self, data: str) -> None:
        self.cdp.send(
            "ServiceWorker.deliverPushMessage", {"origin": self.origin, "registrationId": self.registration, "data": data}
        )
        self.handed += 1

    def shown(self) -> list[dict]:
        """Return the notifications shown, once the service worker has finished every push event."""
        deadline = time.monotonic() + 30
        while self.events.count("Push event completed") < self.handed:
            if time.monotonic() > deadline:
                pytest.fail(f"the service worker finished {Counter(self.events)} of {self.handed} push events")
            self.page.wait_for_timeout(50)  # lets Playwright take in CDP events
        return self.page.evaluate(NOTIFICATIONS)


def test_a_killed_worker_loses_and_repeats_nothing_the_phones_show(deployment, phones, live_server, tmp_path):
    app, env, service, expected = deployment
    service.answer_in_turn(*[201] * ANSWERED, *[("hang", 60)] * HANGING)
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    handset = Handset(phones(), live_server)  # made ready while the worker starts up

    # The worker dies mid-delivery: some phones answered, some sends hanging, the rest not begun.
    kill_mid_delivery(worker, service, log)
    reached = set(service.started)
    assert len(reached) == ANSWERED + HANGING
    left = outbox_statuses(app)
    assert left[OutboxStatus.SENDING] >= HANGING, left  # the dead worker's claims
    assert left[OutboxStatus.PENDING] > 0, left  # rows it never claimed
    assert left[OutboxStatus.SENT] <= ANSWERED, left

    # The push service accepted the hanging messages; it answers the dead worker's closed sockets.
    service.end_hangs()
    assert len(service.wait_for(ANSWERED + HANGING, timeout=10)) == ANSWERED + HANGING

    # Once the dead worker's lease lapses, a fresh worker delivers the rest.
    wait_until(lambda: live_claims(app) == 0, timeout=30, what="the dead worker's claims to lapse")
    run_worker_once(env, timeout=120)
    assert outbox_statuses(app) == {OutboxStatus.SENT: PHONES}
    assert service.errors == []

    # At the push service: every phone got it; a repeat is the same message, under the same Topic.
    delivered = sorted(service.delivered(), key=lambda attempt: attempt.at)
    copies = defaultdict(list)
    for attempt in delivered:
        copies[attempt.device].append(attempt)
    assert set(copies) == set(expected)
    for name, [first, *repeats] in copies.items():
        tag, title = expected[name]
        assert first.headers.get("topic"), name
        assert (first.payload["tag"], first.payload["title"]) == (tag, title)
        for repeat in repeats:
            assert repeat.headers["topic"] == first.headers["topic"], name
            assert repeat.payload["tag"] == tag, name
        if name not in reached:
            assert repeats == [], f"{name} was never sent to before the kill, yet got {len(repeats) + 1} copies"
    # Each hanging message was sent again, so the phones really are handed repeats.
    assert len(delivered) >= PHONES + HANGING, len(delivered)

    # On the phones: every accepted message, repeats included, in the order it arrived.
    for attempt in delivered:
        handset.receive(attempt.text)
    shown = handset.shown()
    assert len(shown) == PHONES, f"{len(delivered)} messages handed over, {len(shown)} notifications shown"
    assert {n["tag"]: n["title"] for n in shown} == dict(expected.values())

    # The control: had each repeat carried a tag of its own, the phones would show it twice.
    repeats = [attempt for attempt in delivered if attempt is not copies[attempt.device][0]]
    for number, attempt in enumerate(repeats):
        handset.receive(json.dumps({**attempt.payload, "tag": f"{attempt.payload['tag']}-copy-{number}"}))
    assert len(handset.shown()) == PHONES + len(repeats) > PHONES
