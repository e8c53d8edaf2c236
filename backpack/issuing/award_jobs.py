"""Big awards as jobs: run by the worker in batches of at most BATCH learners, one commit each.

A teacher awarding a badge to more than BATCH learners gets a job instead of a long request
(DESIGN.md section 4: no write lock held for more than ~100 ms). The worker (the thread in
the app, `flask --app backpack worker`, or RQ with REDIS_URL) calls `step()` and commits
after each call:

- a step with no job in hand claims one: queued, or running with its lease run out (its
  worker died); the claim is its own short transaction;
- a step with a job in hand awards the next batch and moves `done` on in the same
  transaction, so a batch is stored whole or not at all, and a resume starts after the
  last committed batch. `awarding.award` skips learners who already hold the badge, and the
  unique index on live awards refuses a second one, so no one gets two credentials.

A step that raises is rolled back and counted (`failed_step`): after MAX_ATTEMPTS the job is
failed and the teacher sees "Try again" (`retry`), which resumes it where it stopped.
"""
import hashlib
import json
import os
import secrets
import threading
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from backpack.extensions import db
from backpack.issuing import awarding
from backpack.models import Achievement, AwardJob, AwardJobState, User
from backpack.models.time import utcnow
from backpack.notify.worker import wake_work, work

# Learners per batch, so each batch's write lock (INSERT to commit) stays well under 100 ms.
BATCH = 50
# A running job whose worker has not finished a batch for this long is taken over.
LEASE = timedelta(seconds=30)
MAX_ATTEMPTS = 3
_PROCESS = secrets.token_hex(4)


def _holder() -> str:
    """Who holds a job: this process and thread (the worker thread, an RQ job, the sweeper)."""
    return f"{_PROCESS}-{os.getpid()}-{threading.get_ident()}"


def needs_job(learners: list[User]) -> bool:
    """Awards to more learners than one batch run as a job; smaller ones fit in the request."""
    return len(learners) > BATCH


def key_for(achievement: Achievement, by: User, learner_ids: list[int], note: str | None, evidence_url: str | None) -> str:
    """The same badge, teacher, learners, note and link: the same award (a double tap)."""
    material = json.dumps([achievement.id, by.id, sorted(learner_ids), note or "", evidence_url or ""])
    return hashlib.sha256(material.encode()).hexdigest()


def active(key: str) -> AwardJob | None:
    """Return the unfinished job for this key, if any."""
    return db.session.scalar(db.select(AwardJob).where(AwardJob.active_key == key))


def start(
    achievement: Achievement, learners: list[User], *, by: User, note: str | None = None, evidence_url: str | None = None
) -> tuple[AwardJob, bool]:
    """Queue an award job, or find the unfinished one for the same award; return (job, new?).

    Adds and flushes; the caller commits and then calls `wake_work()`. Two taps at the same
    moment both pass the lookup: the second's INSERT fails on the unique active_key (the
    caller rolls back and calls `active(key)`).
    """
    if not all(learner.is_learner for learner in learners):
        raise awarding.AwardError(awarding.NOT_A_LEARNER)
    learner_ids = list(dict.fromkeys(learner.id for learner in learners))
    key = key_for(achievement, by, learner_ids, note, evidence_url)
    found = active(key)
    if found is not None:
        return found, False
    job = AwardJob(
        achievement=achievement,
        created_by_id=by.id,
        active_key=key,
        learner_ids=learner_ids,
        note=note or None,
        evidence_url=evidence_url or None,
        state=AwardJobState.QUEUED,
        total=len(learner_ids),
        done=0,
        created=0,
        already_held=0,
        attempts=0,
    )
    db.session.add(job)
    db.session.flush()
    return job, True


def retry(job: AwardJob) -> bool:
    """Queue a failed or stalled job again from where it stopped; return False if it needs no retry."""
    now = utcnow()
    if job.state not in (AwardJobState.FAILED,) and not job.is_stalled(now):
        return False
    done = db.session.execute(
        db.update(AwardJob)
        .where(AwardJob.id == job.id, AwardJob.state == job.state)
        .values(state=AwardJobState.QUEUED, attempts=0, error=None, lease_token=None, lease_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(job)
    return done == 1


def _due(now):
    return db.or_(
        AwardJob.state == AwardJobState.QUEUED,
        db.and_(AwardJob.state == AwardJobState.RUNNING, AwardJob.lease_until < now),
    )


def _held(now) -> AwardJob | None:
    return db.session.scalar(
        db.select(AwardJob)
        .where(AwardJob.state == AwardJobState.RUNNING, AwardJob.lease_token == _holder(), AwardJob.lease_until >= now)
        .order_by(AwardJob.id)
        .limit(1)
        .execution_options(populate_existing=True)
    )


def _claim(now) -> bool:
    """Take the oldest due job for this holder; a job taken from a dead worker counts an attempt."""
    for job_id in db.session.scalars(db.select(AwardJob.id).where(_due(now)).order_by(AwardJob.id).limit(5)):
        taken = db.session.execute(
            db.update(AwardJob)
            .where(AwardJob.id == job_id, _due(now))
            .values(
                state=AwardJobState.RUNNING,
                lease_token=_holder(),
                lease_until=now + LEASE,
                attempts=db.case((AwardJob.state == AwardJobState.RUNNING, AwardJob.attempts + 1), else_=AwardJob.attempts),
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken:
            job = db.session.get(AwardJob, job_id, populate_existing=True)
            if job.attempts >= MAX_ATTEMPTS:
                _finish(job, AwardJobState.FAILED, error="The worker stopped while awarding.")
            return True
    return False


def _finish(job: AwardJob, state: str, *, error: str | None = None) -> None:
    job.state = state
    job.error = error
    job.lease_token = None
    job.lease_until = None
    job.updated_at = utcnow()
    if state == AwardJobState.DONE:
        job.active_key = None  # a later identical award is a new job (it finds them all held)
    db.session.flush()


def run_batch(job: AwardJob) -> None:
    """Award the job's next batch and record it, in the caller's transaction (stored whole or not at all)."""
    start_at = job.done
    ids = job.learner_ids[start_at : start_at + BATCH]
    if not ids:
        _finish(job, AwardJobState.DONE)
        return
    people = {user.id: user for user in db.session.scalars(db.select(User).where(User.id.in_(ids)))}
    # Learners deleted since the job began are skipped (counted as done, not awarded).
    learners = [people[i] for i in ids if i in people and people[i].is_learner]
    by = db.session.get(User, job.created_by_id) if job.created_by_id else None
    outcome = awarding.award(job.achievement, learners, by=by, note=job.note, evidence_url=job.evidence_url)
    now = utcnow()
    moved = db.session.execute(
        db.update(AwardJob)
        .where(AwardJob.id == job.id, AwardJob.done == start_at, AwardJob.lease_token == _holder())
        .values(
            done=start_at + len(ids),
            created=AwardJob.created + len(outcome.created),
            already_held=AwardJob.already_held + len(outcome.already_held),
            lease_until=now + LEASE,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        # Another worker took the job over (this one was too slow): drop this batch.
        raise JobLost(job.id)
    db.session.refresh(job)
    if job.done >= job.total:
        _finish(job, AwardJobState.DONE)


class JobLost(Exception):
    """The job's lease passed to another worker while this one held a batch."""


def has_due() -> bool:
    """Whether a job waits for a worker (queued, or running with its lease run out): one cheap query."""
    return db.session.scalar(db.select(AwardJob.id).where(_due(utcnow())).limit(1)) is not None


@work(on_error=lambda error: failed_step(error), due=has_due)
def step(now=None) -> bool:
    """One step of award work: claim a due job, or run the next batch of the one held; False if idle."""
    now = now or utcnow()
    job = _held(now)
    if job is None:
        return _claim(now)
    run_batch(job)
    return True


def failed_step(error: Exception) -> None:
    """After a rolled-back step: count the attempt; fail the job after MAX_ATTEMPTS, else queue it again."""
    if isinstance(error, JobLost):
        return
    now = utcnow()
    job = _held(now)
    if job is None:
        return
    job.attempts += 1
    if job.attempts >= MAX_ATTEMPTS:
        reason = "Two awards of the same learner met." if isinstance(error, IntegrityError) else type(error).__name__
        _finish(job, AwardJobState.FAILED, error=reason[:200])
    else:
        # Let go of it: the next step claims it again and retries the batch.
        job.state = AwardJobState.QUEUED
        job.lease_token = None
        job.lease_until = None
        db.session.flush()


def unfinished(achievement: Achievement) -> list[AwardJob]:
    """The badge's jobs not done yet (queued, running, stalled or failed), newest first, for its page."""
    return db.session.scalars(
        db.select(AwardJob)
        .where(AwardJob.achievement_id == achievement.id, AwardJob.state != AwardJobState.DONE)
        .order_by(AwardJob.id.desc())
    ).all()


def progress(job: AwardJob) -> dict:
    """What the teacher's phone polls: the state and n of N."""
    state = "stalled" if job.is_stalled() else job.state
    return {
        "state": state,
        "done": job.done,
        "total": job.total,
        "created": job.created,
        "already_held": job.already_held,
        "finished": job.state in (AwardJobState.DONE, AwardJobState.FAILED),
        "can_retry": state in ("failed", "stalled"),
    }


__all__ = ["BATCH", "active", "needs_job", "progress", "retry", "start", "step", "unfinished", "wake_work"]
