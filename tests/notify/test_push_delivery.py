"""From an award to a decrypted, localised message at a push service, whatever the service does."""
import threading
import time

import pytest

from backpack.auth import sessions
from backpack.extensions import db
from backpack.issuing import achievements, awarding, status
from backpack.models import Outbox, OutboxStatus, PushSubscription, Role
from backpack.notify import delivery
from backpack.notify.push import MAX_PAYLOAD_BYTES
from backpack.notify.worker import QueueDispatch, deliver_job
from tests.notify.conftest import say


def wait_until(moment) -> None:
    """Wait for a moment the row names (its next attempt, its lease's end), not a guessed delay."""
    time.sleep(max(0.0, moment.timestamp() - time.time()) + 0.01)


def outbox_rows() -> list[Outbox]:
    return list(db.session.scalars(db.select(Outbox).order_by(Outbox.id)))


def test_a_spanish_learner_gets_her_award_in_spanish_signed_and_encrypted(school, make_user, add_device, push_service, deliver):
    teacher, _, badge = school
    lucia = make_user(Role.LEARNER, "Lucía", preferred_language="es")
    phone = add_device(lucia)

    award = awarding.award(badge, [lucia], by=teacher).created[0]
    db.session.commit()
    assert deliver() == 1

    [message] = push_service.delivered()
    assert push_service.errors == []
    assert message.payload == {
        "title": "Conseguiste una insignia: Soldadura segura",
        "body": say("es", "Open it to see what it shows and to share it."),
        "url": f"/my/badges/{award.public_id}",
        "tag": f"award-{award.public_id}",
        "lang": "es",
        "dir": "ltr",
        "icon": f"/badges/{badge.public_id}/image.png",
    }
    # RFC 8292: ES256, for this push service's origin, signed by the app's own key.
    assert message.claims["aud"] == push_service.origin
    assert message.claims["sub"].startswith("mailto:")
    assert message.headers["content-encoding"] == "aes128gcm"
    assert message.headers["ttl"] == str(7 * 24 * 3600)
    assert message.headers["urgency"] == "normal"
    assert len(message.headers["topic"]) == 32
    assert message.device == phone.endpoint.rsplit("/", 1)[-1]

    [row] = outbox_rows()
    assert (row.status, row.attempts, row.kind) == (OutboxStatus.SENT, 1, "badge-awarded")
    assert row.delivered_at is not None and row.last_error is None
    assert db.session.scalar(db.select(PushSubscription)).last_success_at is not None


def test_arabic_is_right_to_left_and_the_teachers_language_does_not_leak(school, make_user, add_device, push_service, deliver):
    teacher, _, badge = school
    teacher.preferred_language = "es"
    amina = make_user(Role.LEARNER, "Amina", preferred_language="ar")
    add_device(amina)
    awarding.award(badge, [amina], by=teacher)
    db.session.commit()
    deliver()
    [message] = push_service.delivered()
    assert message.payload["title"] == say("ar", "You earned a badge: %(name)s", name="لحام آمن")
    assert "لحام آمن" in message.payload["title"] and message.payload["title"] != "You earned a badge: لحام آمن"
    assert (message.payload["lang"], message.payload["dir"]) == ("ar", "rtl")


def test_the_outbox_row_lives_and_dies_with_the_award(school, make_user, add_device, deliver, push_service):
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Ana")
    add_device(learner)
    awarding.award(badge, [learner], by=teacher)
    db.session.rollback()  # the award failed later in the request
    assert outbox_rows() == []
    assert deliver() == 0 and push_service.attempts == []

    # Nobody with a device: nothing to write at all.
    awarding.award(badge, [make_user(Role.LEARNER, "No phone")], by=teacher)
    db.session.commit()
    assert outbox_rows() == []


def test_a_completed_stack_brings_a_second_notification(school, make_user, make_achievement, add_device, push_service, deliver):
    teacher, issuer, first = school
    second = make_achievement(issuer, by=teacher, name="Safe cutting")
    stack = make_achievement(issuer, by=teacher, name="Workshop ready")
    achievements.set_requirements(stack, [first, second])
    learner = make_user(Role.LEARNER, "Tomás")
    add_device(learner)
    awarding.award(first, [learner], by=teacher)
    outcome = awarding.award(second, [learner], by=teacher)
    db.session.commit()
    assert deliver() == 3
    titles = sorted(m.payload["title"] for m in push_service.delivered())
    assert titles == sorted(f"You earned a badge: {name}" for name in ("Safe welding", "Safe cutting", "Workshop ready"))
    stack_message = next(m for m in push_service.delivered() if "Workshop" in m.payload["title"])
    assert stack_message.payload["url"] == f"/my/badges/{outcome.stacks[0].public_id}"


def test_revocation_tells_the_learner_why_and_replaces_the_award_message(school, make_user, add_device, push_service, deliver):
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Lucía", preferred_language="es")
    add_device(learner)
    award = awarding.award(badge, [learner], by=teacher).created[0]
    db.session.commit()
    deliver()
    status.revoke(award, "Se entregó por error.", by=teacher)
    db.session.commit()
    deliver()
    awarded, revoked = push_service.delivered()
    assert revoked.payload["title"] == say("es", "Your badge was withdrawn: %(name)s", name="Soldadura segura")
    assert revoked.payload["body"] == say("es", "Reason: %(reason)s", reason="Se entregó por error.")
    assert revoked.payload["tag"] == awarded.payload["tag"]  # the phone replaces the old message
    assert revoked.headers["topic"] != awarded.headers["topic"]


def test_gone_devices_are_forgotten_and_the_others_still_get_it(school, make_user, add_device, push_service, deliver):
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Ana")
    add_device(learner, "old-phone")
    add_device(learner, "lost-tablet")
    add_device(learner, "new-phone")
    push_service.answer("old-phone", 410)
    push_service.answer("lost-tablet", 404)
    awarding.award(badge, [learner], by=teacher)
    db.session.commit()
    deliver()
    assert [m.device for m in push_service.delivered()] == ["new-phone"]
    endpoints = db.session.scalars(db.select(PushSubscription.endpoint)).all()
    assert [e.rsplit("/", 1)[-1] for e in endpoints] == ["new-phone"]
    [row] = outbox_rows()
    assert row.status == OutboxStatus.SENT and "410" in row.last_error and "404" in row.last_error


def test_only_device_gone_leaves_no_device(school, make_user, add_device, push_service, deliver):
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Ana")
    add_device(learner, "old-phone")
    push_service.answer("old-phone", 410)
    awarding.award(badge, [learner], by=teacher)
    db.session.commit()
    deliver()
    assert db.session.scalar(db.select(db.func.count(PushSubscription.id))) == 0
    assert outbox_rows()[0].status == OutboxStatus.NO_DEVICE


def test_503_then_201_is_retried_and_delivered_once(school, make_user, add_device, push_service, deliver):
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Ana")
    add_device(learner, "phone")
    add_device(learner, "tablet")
    push_service.answer("phone", 503)
    awarding.award(badge, [learner], by=teacher)
    db.session.commit()

    deliver()
    [row] = outbox_rows()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert "503" in row.last_error
    assert [m.device for m in push_service.delivered()] == ["tablet"]

    wait_until(row.next_attempt_at)  # the backoff (0.05 s doubled and jittered in tests) has passed
    deliver()
    row = outbox_rows()[0]
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    # Once each: the retry went to the phone only, not again to the tablet.
    assert sorted(m.device for m in push_service.delivered()) == ["phone", "tablet"]
    assert [a.status for a in push_service.attempts if a.device == "phone"] == [503, 201]


def test_429_waits_at_least_retry_after(school, make_user, add_device, push_service, deliver):
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Ana")
    add_device(learner, "phone")
    push_service.answer("phone", (429, {"Retry-After": "120"}))
    awarding.award(badge, [learner], by=teacher)
    db.session.commit()
    before = time.time()
    deliver()
    row = outbox_rows()[0]
    assert row.status == OutboxStatus.PENDING
    assert row.next_attempt_at.timestamp() >= before + 119
    assert deliver() == 0  # not due yet
    assert len(push_service.attempts) == 1


def test_a_service_that_keeps_failing_is_given_up_after_the_last_attempt(app, school, make_user, add_device, push_service, deliver):
    app.config.update(NOTIFY_MAX_ATTEMPTS=3, NOTIFY_RETRY_BASE_SECONDS=0.01)
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Ana")
    add_device(learner, "phone")
    push_service.answer("phone", 500, 502, 503, 201)
    awarding.award(badge, [learner], by=teacher)
    db.session.commit()
    for _ in range(5):
        deliver()
        row = outbox_rows()[0]
        db.session.refresh(row)
        if row.status != OutboxStatus.PENDING:
            break
        wait_until(row.next_attempt_at)
    row = outbox_rows()[0]
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    assert len(push_service.attempts) == 3 and push_service.delivered() == []
    assert db.session.scalar(db.select(PushSubscription)).failures == 3


def test_refusals_are_not_retried(school, make_user, add_device, push_service, deliver):
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Ana")
    add_device(learner, "phone")
    push_service.answer("phone", 400)
    awarding.award(badge, [learner], by=teacher)
    db.session.commit()
    deliver()
    row = outbox_rows()[0]
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)  # no next attempt is scheduled
    deliver()
    assert len(push_service.attempts) == 1
    assert db.session.scalar(db.select(PushSubscription)) is not None  # kept: it may work next time


def test_a_redirect_is_never_followed(school, make_user, add_device, push_service, deliver):
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Ana")
    add_device(learner, "phone")
    add_device(learner, "inside")
    push_service.answer("phone", (307, {"Location": f"{push_service.origin}/push/inside"}))
    awarding.award(badge, [learner], by=teacher)
    db.session.commit()
    deliver()
    assert [a.device for a in push_service.attempts].count("inside") == 1  # its own message only
    assert outbox_rows()[0].status == OutboxStatus.SENT


def test_a_hanging_push_service_times_out_and_is_tried_again(app, school, make_user, add_device, push_service):
    """The real worker thread: a hang costs one timeout, the thread lives on, nothing is lost."""
    app.config.update(NOTIFY_TIMEOUT_SECONDS=0.5, NOTIFY_POLL_SECONDS=0.05)
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Ana")
    add_device(learner, "slow-phone")
    add_device(learner, "quick-phone")
    push_service.answer("slow-phone", ("hang", 5))
    notify = app.extensions["notify"]
    notify.start_worker()
    try:
        started = time.monotonic()
        awarding.award(badge, [learner], by=teacher)
        db.session.commit()  # wakes the thread
        first = push_service.wait_for(1, timeout=5)
        assert [m.device for m in first] == ["quick-phone"]
        assert time.monotonic() - started < 3  # not held up by the slow one (a 5 s hang)
        both = push_service.wait_for(2, timeout=10)
        assert sorted(m.device for m in both) == ["quick-phone", "slow-phone"]
        assert time.monotonic() - started < 5  # the hang was cut short by the timeout
        assert notify.dispatch.running
    finally:
        notify.dispatch.stop()
    db.session.commit()
    row = outbox_rows()[0]
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    slow = db.session.scalar(db.select(PushSubscription).where(PushSubscription.endpoint.endswith("slow-phone")))
    assert slow.last_failure == "push service did not answer within 0.5 s"
    assert slow.last_success_at > slow.last_failure_at


def test_twenty_devices_get_twenty_messages(school, make_user, add_device, push_service, deliver):
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Many phones")
    devices = [add_device(learner, f"device-{n}") for n in range(20)]
    awarding.award(badge, [learner], by=teacher)
    db.session.commit()
    deliver()
    delivered = push_service.delivered()
    assert sorted(m.device for m in delivered) == sorted(d.endpoint.rsplit("/", 1)[-1] for d in devices)
    assert len({m.payload["tag"] for m in delivered}) == 1 and push_service.errors == []


def test_a_very_long_reason_is_cut_to_fit_one_push_message(school, make_user, add_device, push_service, deliver):
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Amina", preferred_language="ar")
    add_device(learner)
    award = awarding.award(badge, [learner], by=teacher).created[0]
    db.session.commit()
    deliver()
    status.revoke(award, "سبب طويل جدا " * 2000, by=teacher)
    db.session.commit()
    deliver()
    _, revoked = push_service.delivered()
    assert len(revoked.payload["body"]) <= 300 and revoked.payload["body"].endswith("…")
    row = outbox_rows()[-1]
    assert len(delivery.encode(row.payload)) <= MAX_PAYLOAD_BYTES


def test_two_workers_never_send_one_row_twice(app, school, make_user, add_device, push_service):
    teacher, _, badge = school
    learners = [make_user(Role.LEARNER, f"Learner {n}") for n in range(12)]
    for learner in learners:
        add_device(learner)
    awarding.award(badge, learners, by=teacher)
    db.session.commit()
    from backpack.notify.worker import Worker

    workers = [Worker(app), Worker(app)]
    threads = [threading.Thread(target=w.drain) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for worker in workers:
        worker.pool.shutdown()
    delivered = push_service.delivered()
    assert len(delivered) == 12
    assert len({m.payload["tag"] for m in delivered}) == 12
    # A claim is one conditional UPDATE: the second claim of a row finds nothing.
    row = outbox_rows()[0]
    row.status, row.next_attempt_at = OutboxStatus.PENDING, row.created_at
    db.session.commit()
    assert delivery.claim(row.id) is True
    assert delivery.claim(row.id) is False


def test_a_claim_whose_worker_died_is_taken_again_after_its_lease(app, school, make_user, add_device, push_service, deliver):
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Ana")
    add_device(learner)
    awarding.award(badge, [learner], by=teacher)
    db.session.commit()
    app.config["NOTIFY_LEASE_SECONDS"] = 0.2
    assert delivery.claim(outbox_rows()[0].id)  # a worker took it, then died
    db.session.commit()
    assert deliver() == 0
    row = outbox_rows()[0]
    db.session.refresh(row)
    wait_until(row.claimed_until)
    assert deliver() == 1
    assert len(push_service.delivered()) == 1


def test_devices_of_an_ended_sign_in_are_not_sent_to(school, make_user, add_device, push_service, deliver):
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Ana")
    add_device(learner, "lost-phone")
    sessions.end(sessions.live_sign_ins(learner))  # "sign out on all devices"
    add_device(learner, "new-phone")  # signed in again, on a new phone
    awarding.award(badge, [learner], by=teacher)
    db.session.commit()
    deliver()
    assert [m.device for m in push_service.delivered()] == ["new-phone"]
    assert db.session.scalar(db.select(db.func.count(PushSubscription.id))) == 1


def test_with_redis_the_commit_hands_rows_to_the_queue(app, school, make_user, add_device, push_service):
    """The RQ seam without Redis: the commit enqueues a job; running the job delivers."""

    class Queue:
        def __init__(self):
            self.jobs = []

        def enqueue(self, function, *args):
            self.jobs.append((function, args))

    queue = Queue()
    app.extensions["notify"].dispatch = QueueDispatch(queue)
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Ana")
    add_device(learner)
    awarding.award(badge, [learner], by=teacher)
    assert queue.jobs == []  # nothing before the commit
    db.session.commit()
    [(function, (row_ids,))] = queue.jobs
    assert function is deliver_job and row_ids == [outbox_rows()[0].id]
    db.session.commit()
    assert function(row_ids) == 1
    assert len(push_service.delivered()) == 1
    app.extensions["notify"].worker().pool.shutdown()


@pytest.mark.parametrize("language", [None, "fr"])
def test_unknown_language_falls_back_to_english(school, make_user, add_device, push_service, deliver, language):
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Ana", preferred_language=language)
    add_device(learner)
    awarding.award(badge, [learner], by=teacher)
    db.session.commit()
    deliver()
    assert push_service.delivered()[0].payload["title"] == "You earned a badge: Safe welding"


def test_a_slow_send_keeps_its_claim_alive_so_no_other_worker_takes_it(app, school, make_user, add_device, push_service, deliver):
    """The lease is short (a dead worker's rows go out again within seconds), yet a live
    worker waiting on a slow push service keeps its rows: its heartbeat renews the claim."""
    app.config.update(NOTIFY_LEASE_SECONDS=1.5, NOTIFY_TIMEOUT_SECONDS=10)
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Ana")
    add_device(learner, "slow-phone")
    push_service.answer("slow-phone", ("hang", 4))  # far longer than the lease
    awarding.award(badge, [learner], by=teacher)
    db.session.commit()
    [row] = outbox_rows()
    sending = threading.Event()
    taken_by_other = []

    def other_worker():
        with app.app_context():
            push_service.wait_for_started(1)
            while not sending.wait(0.25):  # tries to take the row until the send is over
                taken_by_other.append(delivery.claim(row.id))
                db.session.commit()
            db.session.remove()

    other = threading.Thread(target=other_worker)
    other.start()
    try:
        assert deliver() == 1
    finally:
        sending.set()
        other.join()
    assert len(taken_by_other) >= 8 and not any(taken_by_other)
    assert len(push_service.delivered()) == 1
    assert outbox_rows()[0].status == OutboxStatus.SENT
