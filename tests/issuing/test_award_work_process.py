"""In the web process, a big award's signing runs in a niced child process, never in the threads serving pages."""
import os

from backpack.credentials import proof
from backpack.extensions import db
from backpack.issuing import award_jobs
from backpack.models import Award, AwardJob, AwardJobState
from backpack.notify.work_process import WorkProcess
from backpack.notify.worker import Worker, work_in_child, work_job
from tests.conftest import build_app
from tests.issuing.test_award_jobs import add_learners, awards_count, badge_of  # noqa: F401  (the fixture)

# A child's start-up (a fresh interpreter and the app) on a busy machine, plus its batches: a bound, not a measure.
CHILD_SECONDS = 240


def test_the_web_process_hands_a_big_award_to_a_niced_child_and_signs_nothing_itself(app, badge_of, monkeypatch):  # noqa: F811
    teacher, badge = badge_of
    job, _new = award_jobs.start(badge, add_learners(120), by=teacher)
    db.session.commit()
    signed_here = []
    real_sign = proof.sign
    monkeypatch.setattr(proof, "sign", lambda *a, **k: signed_here.append(1) or real_sign(*a, **k))
    app.config["NOTIFY_WORK_NICENESS"] = 5
    worker = Worker(app, work_process=WorkProcess(app, work_job))
    try:
        assert award_jobs.has_due()
        assert worker.run_work() == 0  # handed off: the thread goes back to its deliveries at once
        assert worker.work_process.child is not None
        # The other web processes on the machine poll the same table: one child is enough.
        other = WorkProcess(app, work_job)
        assert not other.hand_off() and other.child is None
        other.stop()
        child = worker.work_process.wait(CHILD_SECONDS)
    finally:
        worker.work_process.stop()
    assert child["pid"] != os.getpid() and child["niceness"] >= min(19, os.nice(0) + 5)
    assert child["steps"] >= 4  # a claim and three batches of at most 50
    db.session.expire_all()
    assert (job.state, job.done, job.created) == (AwardJobState.DONE, 120, 120)
    assert signed_here == []
    assert db.session.scalar(db.select(db.func.count(db.distinct(Award.learner_id)))) == awards_count(badge) == 120


def test_with_nothing_due_no_child_is_started_and_an_idle_one_is_let_go(app, badge_of):  # noqa: F811
    worker = Worker(app, work_process=WorkProcess(app, work_job))
    assert not award_jobs.has_due()
    worker.run_work()
    assert worker.work_process.child is None and worker.work_process.lock_file is None
    teacher, badge = badge_of
    job, _new = award_jobs.start(badge, add_learners(60), by=teacher)
    db.session.commit()
    try:
        worker.run_work()
        assert worker.work_process.wait(CHILD_SECONDS)["steps"] >= 3
        db.session.expire_all()
        assert db.session.get(AwardJob, job.id).state == AwardJobState.DONE
        worker.run_work()  # nothing due any more: the lock goes, for any web process's next child
        assert worker.work_process.child is None and worker.work_process.lock_file is None
    finally:
        worker.work_process.stop()


def test_the_child_is_the_default_in_the_web_process_but_not_in_tests(tmp_path):
    assert not work_in_child(build_app(tmp_path / "a"))
    assert work_in_child(build_app(tmp_path / "b", TESTING=False))
    assert not work_in_child(build_app(tmp_path / "c", TESTING=False, NOTIFY_WORK_PROCESS=False))
