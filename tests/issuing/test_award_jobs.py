"""Big awards as jobs: batches of at most 50 learners, each committed whole; resumable; one job per double tap."""
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from backpack import ROOT
from backpack.credentials import proof
from backpack.extensions import db
from backpack.issuing import award_jobs, awarding
from backpack.models import Award, AwardJob, AwardJobState, Classroom, Enrolment, Role, User
from backpack.models.time import utcnow


def add_learners(count: int, classroom: Classroom | None = None) -> list[User]:
    learners = [User(display_name=f"Learner {n}", role=Role.LEARNER.value) for n in range(count)]
    db.session.add_all(learners)
    if classroom is not None:
        db.session.add_all(Enrolment(classroom=classroom, learner=learner) for learner in learners)
    db.session.commit()
    return learners


@pytest.fixture
def badge_of(app, make_user, make_issuer, make_achievement):
    teacher = make_user(Role.TEACHER, "Ms Rivera")
    badge = make_achievement(make_issuer(teacher), by=teacher)
    return teacher, badge


def run_worker(app, steps: int = 200) -> int:
    """What the worker thread does on each pass: step, commit, until idle."""
    return app.extensions["notify"].worker().run_work(steps)


class WriteLocks:
    """Per transaction that wrote: the awards it inserted and the credentials signed while it held the lock.

    The tests assert counts, not times: the lock is short because nothing slow (signing) happens
    between a transaction's first write and its commit, and that holds on any machine. Each
    window's seconds are kept too, for benchmarks/award_job.py to report.
    """

    def __init__(self, engine, monkeypatch=None):
        self.engine = engine
        self.held: list[dict] = []
        self.open: list[dict] = []
        self.signed = 0
        real_sign = proof.sign

        def sign(*args, **kwargs):
            self.signed += 1
            for window in self.open:
                window["signed"] += 1
            return real_sign(*args, **kwargs)

        if monkeypatch is not None:  # benchmarks/award_job.py times the windows and leaves signing alone
            monkeypatch.setattr(proof, "sign", sign)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.statement)
        event.listen(self.engine, "commit", self.commit)
        event.listen(self.engine, "rollback", self.rollback)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self.statement)
        event.remove(self.engine, "commit", self.commit)
        event.remove(self.engine, "rollback", self.rollback)

    def statement(self, conn, cursor, text, parameters, context, executemany):
        words = text.lstrip().upper()
        # A row lock (SELECT ... FOR UPDATE, PostgreSQL only) is held to the commit like a write,
        # and so is SQLite's write lock from BEGIN IMMEDIATE (models/transactions.py).
        if "window" not in conn.info and (
            words.startswith(("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE")) or words.rstrip().endswith("FOR UPDATE")
        ):
            conn.info["window"] = {"awards": 0, "signed": 0, "since": time.perf_counter()}
            self.open.append(conn.info["window"])
        if words.startswith("INSERT INTO AWARDS"):
            # One row per award: SQLAlchemy sends the batch as one multi-row INSERT ... VALUES (...), (...).
            conn.info["window"]["awards"] += text.count("), (") + 1

    def commit(self, conn):
        window = conn.info.pop("window", None)
        if window is not None:
            window["seconds"] = time.perf_counter() - window["since"]
            self.open.remove(window)
            self.held.append(window)

    def rollback(self, conn):
        window = conn.info.pop("window", None)
        if window is not None:
            self.open.remove(window)


def awards_count(badge) -> int:
    return db.session.scalar(db.select(db.func.count(Award.id)).where(Award.achievement_id == badge.id))


def test_a_300_learner_award_runs_in_batches_of_50_and_signs_nothing_while_holding_the_write_lock(app, badge_of, monkeypatch):
    teacher, badge = badge_of
    learners = add_learners(300)
    awarding.award(badge, [learners[0]], by=teacher)  # the issuer's status list exists, as in a school at work
    db.session.commit()
    job, new = award_jobs.start(badge, learners, by=teacher, note="Well done")
    db.session.commit()
    assert new and job.state == AwardJobState.QUEUED and job.total == 300

    with WriteLocks(db.engine, monkeypatch) as locks:
        run_worker(app)

    db.session.expire_all()
    assert job.state == AwardJobState.DONE and job.done == 300
    assert (job.created, job.already_held) == (299, 1)
    assert job.active_key is None
    assert awards_count(badge) == 300
    assert db.session.scalar(db.select(db.func.count(db.distinct(Award.learner_id)))) == 300
    batches = [window["awards"] for window in locks.held if window["awards"]]
    assert len(batches) == 6 and max(batches) <= award_jobs.BATCH
    # 299 credentials were signed, every one before its batch's first write.
    assert locks.signed == 299
    assert sum(window["signed"] for window in locks.held) == 0


def test_a_small_award_is_not_a_job():
    assert not award_jobs.needs_job([object()] * award_jobs.BATCH)
    assert award_jobs.needs_job([object()] * (award_jobs.BATCH + 1))


def test_the_same_award_twice_is_one_job_until_it_is_done(app, badge_of):
    teacher, badge = badge_of
    learners = add_learners(60)
    first, new = award_jobs.start(badge, learners, by=teacher)
    db.session.commit()
    again, again_new = award_jobs.start(badge, list(reversed(learners)), by=teacher)
    assert (again.id, again_new, new) == (first.id, False, True)
    other, other_new = award_jobs.start(badge, learners, by=teacher, note="A different note")
    db.session.commit()
    assert other_new and other.id != first.id


def test_a_failing_batch_leaves_nothing_half_written_and_try_again_resumes_without_duplicates(app, badge_of, monkeypatch):
    teacher, badge = badge_of
    learners = add_learners(120)
    job, _ = award_jobs.start(badge, learners, by=teacher)
    db.session.commit()
    real_award = awarding.award
    calls = []

    def dies_after_the_second_batch_inserts(*args, **kwargs):
        outcome = real_award(*args, **kwargs)
        calls.append(len(outcome.created))
        if len(calls) >= 2:
            raise RuntimeError("worker killed mid-batch")  # after its INSERT, before the commit
        return outcome

    monkeypatch.setattr(awarding, "award", dies_after_the_second_batch_inserts)
    for _pass in range(award_jobs.MAX_ATTEMPTS + 1):  # a failed step ends the worker's pass; the next retries
        run_worker(app)
    db.session.expire_all()
    assert job.state == AwardJobState.FAILED and job.done == 50
    assert awards_count(badge) == 50  # batch 1 whole; batch 2 (tried three times) not at all
    assert award_jobs.progress(job)["can_retry"]

    monkeypatch.setattr(awarding, "award", real_award)
    assert award_jobs.retry(job)
    db.session.commit()
    run_worker(app)
    db.session.expire_all()
    assert job.state == AwardJobState.DONE and (job.done, job.created, job.already_held) == (120, 120, 0)
    assert awards_count(badge) == 120
    assert db.session.scalar(db.select(db.func.count(db.distinct(Award.learner_id)))) == 120


def test_a_repeat_of_a_finished_job_issues_nothing_twice(app, badge_of):
    teacher, badge = badge_of
    learners = add_learners(70)
    award_jobs.start(badge, learners, by=teacher)
    db.session.commit()
    run_worker(app)
    repeat, new = award_jobs.start(badge, learners, by=teacher)
    db.session.commit()
    assert new
    run_worker(app)
    db.session.expire_all()
    assert (repeat.state, repeat.created, repeat.already_held) == (AwardJobState.DONE, 0, 70)
    assert awards_count(badge) == 70


def test_a_job_whose_worker_died_shows_as_stalled_and_is_taken_over_after_its_lease(app, badge_of):
    teacher, badge = badge_of
    learners = add_learners(80)
    job, _ = award_jobs.start(badge, learners, by=teacher)
    job.state, job.lease_token, job.lease_until = AwardJobState.RUNNING, "dead-worker", utcnow() + award_jobs.LEASE
    db.session.commit()

    run_worker(app)  # the lease is still good: someone else holds it
    db.session.expire_all()
    assert (job.state, job.done, job.lease_token) == (AwardJobState.RUNNING, 0, "dead-worker")
    assert award_jobs.progress(job)["state"] == "running"

    job.lease_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert award_jobs.progress(job)["state"] == "stalled" and award_jobs.progress(job)["can_retry"]
    run_worker(app)
    db.session.expire_all()
    assert job.state == AwardJobState.DONE and awards_count(badge) == 80
    assert job.attempts == 1


def test_a_job_taken_over_too_often_fails_for_the_teacher_to_try_again(app, badge_of):
    teacher, badge = badge_of
    job, _ = award_jobs.start(badge, add_learners(60), by=teacher)
    job.state, job.lease_token, job.attempts = AwardJobState.RUNNING, "dead-worker", award_jobs.MAX_ATTEMPTS - 1
    job.lease_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    run_worker(app)
    db.session.expire_all()
    assert job.state == AwardJobState.FAILED and awards_count(badge) == 0
    assert award_jobs.retry(job)
    db.session.commit()
    run_worker(app)
    db.session.expire_all()
    assert job.state == AwardJobState.DONE and awards_count(badge) == 60


# Through HTTP: the award form, the progress page, its JSON and "Try again".


@pytest.fixture
def big_class(app, signed_in, make_issuer, make_achievement):
    teacher = signed_in(Role.TEACHER, "Ms Rivera")
    classroom = Classroom(name="Evening ESL", teacher=teacher.user)
    db.session.add(classroom)
    learners = add_learners(60, classroom)
    badge = make_achievement(make_issuer(teacher.user), by=teacher.user)
    return teacher, classroom, learners, badge


def tap_award(teacher, badge, classroom, csrf):
    return teacher.client.post(
        f"/badges/{badge.id}/awards", data={"csrf_token": csrf, "whole_class": str(classroom.id), "note": "Great term"}
    )


def test_a_double_tap_on_award_for_a_big_class_makes_one_job(app, big_class):
    teacher, classroom, _learners, badge = big_class
    csrf = teacher.csrf(f"/badges/{badge.id}")
    first = tap_award(teacher, badge, classroom, csrf)
    second = tap_award(teacher, badge, classroom, csrf)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert re.search(r"/award-jobs/\d+$", first.headers["Location"])
    assert db.session.scalar(db.select(db.func.count(AwardJob.id))) == 1
    assert awards_count(badge) == 0  # nothing was awarded in the request


def test_a_double_tap_that_races_past_the_lookup_finds_the_other_job(app, big_class, monkeypatch):
    teacher, classroom, _learners, badge = big_class
    csrf = teacher.csrf(f"/badges/{badge.id}")
    tap_award(teacher, badge, classroom, csrf)
    real_active, calls = award_jobs.active, []

    def blind_once(key):
        calls.append(key)
        return None if len(calls) == 1 else real_active(key)

    monkeypatch.setattr(award_jobs, "active", blind_once)
    second = tap_award(teacher, badge, classroom, csrf)
    assert second.status_code == 302 and re.search(r"/award-jobs/\d+$", second.headers["Location"])
    assert len(calls) == 2
    assert db.session.scalar(db.select(db.func.count(AwardJob.id))) == 1


def test_the_progress_page_works_without_javascript_and_its_json_moves(app, big_class):
    teacher, classroom, _learners, badge = big_class
    location = tap_award(teacher, badge, classroom, teacher.csrf(f"/badges/{badge.id}")).headers["Location"]
    page = teacher.client.get(location)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<progress max="60" value="0"' in html
    assert "0 of 60 learners done" in html
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert "data-award-reload" in html and "data-award-progress" in html

    polled = teacher.client.get(location + "/progress.json")
    assert polled.headers["Cache-Control"] == "no-store"
    assert polled.get_json() == {
        "state": "queued", "done": 0, "total": 60, "created": 0, "already_held": 0,
        "finished": False, "can_retry": False, "label": "0 of 60 learners done",
    }

    run_worker(app)
    assert teacher.client.get(location + "/progress.json").get_json()["state"] == "done"
    html = teacher.client.get(location).get_data(as_text=True)
    assert '<progress max="60" value="60"' in html and "Badge awarded to 60 learners." in html
    assert "refresh" not in html and "data-award-retry" not in html


def test_try_again_on_a_failed_job_resumes_it(app, big_class):
    teacher, classroom, _learners, badge = big_class
    location = tap_award(teacher, badge, classroom, teacher.csrf(f"/badges/{badge.id}")).headers["Location"]
    job = db.session.scalar(db.select(AwardJob))
    job.state, job.error = AwardJobState.FAILED, "RuntimeError"
    db.session.commit()
    html = teacher.client.get(location).get_data(as_text=True)
    assert "data-award-retry" in html and "refresh" not in html

    retried = teacher.client.post(location + "/retry", data={"csrf_token": teacher.csrf(location)})
    assert retried.status_code == 302 and retried.headers["Location"].endswith(location)
    db.session.expire_all()
    assert job.state == AwardJobState.QUEUED
    run_worker(app)
    db.session.expire_all()
    assert job.state == AwardJobState.DONE and awards_count(badge) == 60


def test_a_small_award_whose_insert_meets_another_is_retried_and_told_truthfully(
    app, signed_in, make_issuer, make_achievement, monkeypatch
):
    """An IntegrityError (here: a status index another award took) is not "already held"."""
    teacher = signed_in(Role.TEACHER, "Ms Rivera")
    classroom = Classroom(name="Evening ESL", teacher=teacher.user)
    db.session.add(classroom)
    add_learners(3, classroom)
    badge = make_achievement(make_issuer(teacher.user), by=teacher.user)
    real_award, tries = awarding.award, []

    def collides_once(*args, **kwargs):
        tries.append(1)
        if len(tries) == 1:
            raise IntegrityError("INSERT INTO awards", {}, Exception("UNIQUE constraint failed: awards.status_list_id"))
        return real_award(*args, **kwargs)

    monkeypatch.setattr(awarding, "award", collides_once)
    csrf = teacher.csrf(f"/badges/{badge.id}")
    response = teacher.client.post(f"/badges/{badge.id}/awards", data={"csrf_token": csrf, "whole_class": str(classroom.id)})
    assert response.status_code == 302
    html = teacher.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Badge awarded to 3 learners." in html
    assert "already" not in html.lower()
    assert len(tries) == 2 and awards_count(badge) == 3


def test_the_badge_page_links_to_its_unfinished_jobs(app, big_class):
    teacher, classroom, _learners, badge = big_class
    location = tap_award(teacher, badge, classroom, teacher.csrf(f"/badges/{badge.id}")).headers["Location"]
    html = teacher.client.get(f"/badges/{badge.id}").get_data(as_text=True)
    assert f'href="{location}"' in html or f'href="{location.split("localhost")[-1]}"' in html
    assert "0 of 60 learners done" in html
    run_worker(app)
    assert "data-award-jobs" not in teacher.client.get(f"/badges/{badge.id}").get_data(as_text=True)


# A worker process that is killed (SIGKILL) while a batch is written but not committed.
KILLED_WORKER = """
import sys, time
from pathlib import Path
from backpack.issuing import awarding
from tests.conftest import build_app

app = build_app(Path(sys.argv[1]), SQLALCHEMY_DATABASE_URI=sys.argv[2])
real_award = awarding.award

def award_then_wait(*args, **kwargs):
    outcome = real_award(*args, **kwargs)  # the batch is signed and inserted, not yet committed
    print("inserted", flush=True)
    time.sleep(30)
    return outcome

awarding.award = award_then_wait
with app.app_context():
    app.extensions["notify"].worker().run_work(200)
"""


def test_a_worker_killed_mid_batch_leaves_nothing_half_written_and_the_job_is_taken_over(app, badge_of, tmp_path):
    teacher, badge = badge_of
    job, _ = award_jobs.start(badge, add_learners(120), by=teacher)
    db.session.commit()
    worker = subprocess.Popen(
        [sys.executable, "-c", KILLED_WORKER, str(tmp_path), app.config["SQLALCHEMY_DATABASE_URI"]],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert worker.stdout.readline().strip() == "inserted"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        worker.stdout.close()

    db.session.expire_all()
    assert (job.state, job.done) == (AwardJobState.RUNNING, 0)
    assert awards_count(badge) == 0  # the killed batch left no row
    assert award_jobs.progress(job)["state"] == "running"  # its lease has not run out yet

    job.lease_until = utcnow() - timedelta(seconds=1)  # 30 seconds later
    db.session.commit()
    assert award_jobs.progress(job)["can_retry"]
    run_worker(app)
    db.session.expire_all()
    assert (job.state, job.done, job.created) == (AwardJobState.DONE, 120, 120)
    assert db.session.scalar(db.select(db.func.count(db.distinct(Award.learner_id)))) == awards_count(badge) == 120
    indexes = db.session.execute(db.select(Award.status_list_id, Award.status_index)).all()
    assert len(set(indexes)) == len(indexes) == 120  # no status index reused after the takeover
