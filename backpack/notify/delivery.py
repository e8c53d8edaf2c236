"""Deliver outbox rows: claim each atomically, send to every device, record what happened.

A row is claimed with one UPDATE that only succeeds while it is still due, so two
workers (threads, processes or machines) never send the same row at once. The claim is a
short lease (NOTIFY_LEASE_SECONDS) that the sending worker renews on a heartbeat while its
sends are under way, so a slow push service keeps the row, and a worker that dies leaves
a claim that lapses within seconds; the row is then claimed again. A retry goes only to
the devices that have not answered for good yet, and every message carries a Topic (and
the notification a tag), so a push service that holds it, or a phone that shows it,
replaces it rather than repeating it.

Unlike feature functions, these commit: they run in the worker (an entry point, like a CLI
command), and a claim, a renewed lease or an outcome is only true for other workers once committed.
"""
import logging
import random
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_

from backpack.auth import sessions
from backpack.extensions import db
from backpack.models import Outbox, OutboxStatus, PushSubscription, User
from backpack.models.time import utcnow
from backpack.notify import push
from backpack.notify.events import encode

log = logging.getLogger(__name__)


@dataclass
class Target:
    subscription_id: int
    info: dict


@dataclass
class Plan:
    """One claimed row: the message, and the devices it still has to reach."""

    row_id: int
    message: push.Message
    targets: list[Target]
    outcomes: list[tuple[Target, push.Outcome]] = field(default_factory=list)


def _due(now):
    return or_(
        and_(Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at <= now),
        and_(Outbox.status == OutboxStatus.SENDING, Outbox.claimed_until < now),
    )


def due_ids(limit: int) -> list[int]:
    """Return rows due now, oldest first (claims that outlived their lease count as due)."""
    query = db.select(Outbox.id).where(_due(utcnow())).order_by(Outbox.next_attempt_at, Outbox.id).limit(limit)
    return list(db.session.scalars(query))


def claim(row_id: int) -> bool:
    """Take the row for this worker if it is still due; True when this worker got it."""
    now = utcnow()
    lease = timedelta(seconds=current_app.config["NOTIFY_LEASE_SECONDS"])
    claimed = db.session.execute(
        db.update(Outbox)
        .where(Outbox.id == row_id, _due(now))
        .values(status=OutboxStatus.SENDING, claimed_until=now + lease, attempts=Outbox.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    return claimed == 1


def _plan(row: Outbox) -> Plan:
    """List the row's remaining devices; forget devices of sign-ins that have since ended."""
    user = db.session.get(User, row.user_id)
    if user is None:
        return Plan(row.id, push.Message(b"", 0, row.urgency, None), [])
    query = db.select(PushSubscription).where(PushSubscription.user_id == row.user_id)
    if row.subscription_id is not None:
        query = query.where(PushSubscription.id == row.subscription_id)
    # A device whose sign-in ended (signed out, here or from elsewhere) gets nothing more.
    live = sessions.live_handles(user)
    targets, stale = [], []
    for subscription in db.session.scalars(query.order_by(PushSubscription.id)):
        if subscription.session_hash not in live:
            stale.append(subscription.id)
        elif subscription.id not in row.done_subscription_ids:
            targets.append(Target(subscription.id, subscription.info()))
    if stale:
        _forget(stale)
    topic = push.topic_for(row.dedupe_key) if row.dedupe_key else None
    message = push.Message(encode(row.payload), row.ttl_seconds, row.urgency, topic)
    return Plan(row.id, message, targets)


def _forget(subscription_ids: list[int]) -> None:
    db.session.execute(
        db.delete(PushSubscription)
        .where(PushSubscription.id.in_(subscription_ids))
        .execution_options(synchronize_session=False)
    )


def backoff(attempts: int, retry_after: float | None = None) -> float:
    """Seconds to wait before attempt number attempts+1: doubling, jittered, capped."""
    config = current_app.config
    delay = min(config["NOTIFY_RETRY_BASE_SECONDS"] * 2 ** max(0, attempts - 1), config["NOTIFY_RETRY_MAX_SECONDS"])
    delay *= 1 + random.random() * 0.2
    if retry_after is not None:
        delay = max(delay, min(retry_after, config["NOTIFY_RETRY_MAX_SECONDS"]))
    return delay


def _note_devices(plan: Plan, now) -> list[int]:
    """Record each device's answer; return the devices to forget."""
    gone = []
    for target, outcome in plan.outcomes:
        subscription = db.session.get(PushSubscription, target.subscription_id)
        if subscription is None:
            continue
        if outcome.kind == push.GONE:
            gone.append(subscription.id)
        elif outcome.kind == push.SENT:
            subscription.last_success_at = now
            subscription.failures = 0
        else:
            subscription.last_failure_at = now
            subscription.last_failure = (outcome.error or "")[:200]
            subscription.failures += 1
    return gone


def record(plan: Plan) -> None:
    """Store the outcomes of one row's sends and decide: done, retry later, or give up."""
    now = utcnow()
    row = db.session.get(Outbox, plan.row_id)
    if row is None:  # its device was removed meanwhile, and the row with it
        return
    config = current_app.config
    gone = _note_devices(plan, now)
    answered = [t.subscription_id for t, o in plan.outcomes if o.kind in (push.SENT, push.FAILED)]
    row.done_subscription_ids = sorted(set(row.done_subscription_ids) | set(answered))
    if any(o.kind == push.SENT for _, o in plan.outcomes) and row.delivered_at is None:
        row.delivered_at = now
    errors = [o.error for _, o in plan.outcomes if o.error]
    row.last_error = "; ".join(errors)[:1000] or None
    retries = [o for _, o in plan.outcomes if o.kind == push.RETRY]
    row.claimed_until = None
    if retries and row.attempts < config["NOTIFY_MAX_ATTEMPTS"]:
        wait_for = max((o.retry_after for o in retries if o.retry_after is not None), default=None)
        row.status = OutboxStatus.PENDING
        row.next_attempt_at = now + timedelta(seconds=backoff(row.attempts, wait_for))
    else:
        if row.delivered_at is not None:
            row.status = OutboxStatus.SENT
        elif all(o.kind == push.GONE for _, o in plan.outcomes):  # also true of no devices
            row.status = OutboxStatus.NO_DEVICE
        else:
            row.status = OutboxStatus.FAILED
        if retries or row.status == OutboxStatus.FAILED:
            log.warning(
                "notification %s to user %s: gave up after %s attempts: %s",
                row.id, row.user_id, row.attempts, row.last_error,
            )
    # The row first: forgetting a device deletes a row aimed at that device alone.
    db.session.flush()
    if gone:
        log.info("forgetting %d push subscription(s) of user %s: %s", len(gone), row.user_id, row.last_error)
        _forget(gone)


def send_all(plans: list[Plan], pool: Executor, vapid_key, on_row_done, heartbeat: Callable[[list[int]], None] | None = None) -> None:
    """Send every planned message on the pool; call on_row_done(plan) as each row completes.

    While sends are under way, heartbeat(row ids still sending) runs every third of a lease.
    """
    config = current_app.config
    options = {
        "key": vapid_key,
        "subject": config["NOTIFY_VAPID_SUBJECT"],
        "timeout": config["NOTIFY_TIMEOUT_SECONDS"],
        "allow_local": config["NOTIFY_ALLOW_LOCAL_ENDPOINTS"],
    }
    beat_every = config["NOTIFY_LEASE_SECONDS"] / 3
    waiting: dict[Future, tuple[Plan, Target]] = {}
    remaining = {}
    for plan in plans:
        remaining[plan.row_id] = len(plan.targets)
        if not plan.targets:
            on_row_done(plan)
        for target in plan.targets:
            waiting[pool.submit(push.send, target.info, plan.message, **options)] = (plan, target)
    pending = set(waiting)
    last_beat = time.monotonic()
    while pending:
        done, pending = wait(pending, timeout=beat_every, return_when=FIRST_COMPLETED)
        for future in done:
            plan, target = waiting[future]
            try:
                outcome = future.result()
            except Exception as error:  # a bug in a send must not lose the row
                log.exception("push send crashed")
                outcome = push.Outcome(push.RETRY, None, f"send crashed: {type(error).__name__}")
            plan.outcomes.append((target, outcome))
            remaining[plan.row_id] -= 1
            if remaining[plan.row_id] == 0:
                on_row_done(plan)
        if heartbeat is not None and pending and time.monotonic() - last_beat >= beat_every:
            heartbeat([row_id for row_id, left in remaining.items() if left > 0])
            last_beat = time.monotonic()


def renew_claims(row_ids: list[int]) -> None:
    """Extend this worker's claims on rows it is still sending, by one lease from now (commits).

    A failed renewal is only logged: the claim then lapses, and at worst the row is sent
    again, with the same Topic and tag.
    """
    lease = timedelta(seconds=current_app.config["NOTIFY_LEASE_SECONDS"])
    try:
        db.session.execute(
            db.update(Outbox)
            .where(Outbox.id.in_(row_ids), Outbox.status == OutboxStatus.SENDING)
            .values(claimed_until=utcnow() + lease)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not renew the claims on notifications %s", row_ids)


def deliver(row_ids: list[int], pool: Executor, vapid_key) -> int:
    """Claim and deliver these rows (those another worker took are skipped); return how many."""
    claimed = [row_id for row_id in row_ids if claim(row_id)]
    db.session.commit()
    plans = []
    for row_id in claimed:
        row = db.session.get(Outbox, row_id)
        if row is not None:
            plans.append(_plan(row))
    db.session.commit()

    def finish(plan: Plan) -> None:
        try:
            record(plan)
            db.session.commit()
        except Exception:
            # The claim stays and lapses, so the row is tried again soon.
            db.session.rollback()
            log.exception("could not record notification %s", plan.row_id)

    send_all(plans, pool, vapid_key, finish, heartbeat=renew_claims)
    return len(claimed)


def prune(keep_days: int) -> int:
    """Delete finished rows older than keep_days; pending and failing rows are kept."""
    finished = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.NO_DEVICE)
    cutoff = utcnow() - timedelta(days=keep_days)
    deleted = db.session.execute(
        db.delete(Outbox)
        .where(Outbox.status.in_(finished), Outbox.created_at < cutoff)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return deleted
