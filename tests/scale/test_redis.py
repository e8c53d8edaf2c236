"""Redis-backed work on a real redis-server: notifications through RQ, rate limits shared by processes."""
import os
import subprocess
import sys

import pytest
from redis import Redis
from rq import Queue, SimpleWorker

from backpack import ROOT
from backpack.extensions import db
from backpack.issuing import awarding
from backpack.models import Outbox, OutboxStatus, Role
from backpack.notify.worker import QUEUE_NAME
from backpack.sharing.public_views import PUBLIC_LIMIT
from tests.conftest import build_app, new_client, with_tables


@pytest.fixture
def redis_url(redis_server) -> str:
    """The session's Redis, emptied: no job or count left from another test."""
    Redis.from_url(redis_server.url).flushdb()
    return redis_server.url


@pytest.fixture
def app(tmp_path, postgres_url, redis_url):
    """The app as deployed at scale: PostgreSQL, and Redis for jobs and rate limits."""
    yield from with_tables(
        build_app(tmp_path, SQLALCHEMY_DATABASE_URI=postgres_url, NOTIFY_REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url)
    )


def test_an_awards_notification_goes_through_rq_to_the_phone(app, redis_url, school, make_user, add_device, push_service):
    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Amina")
    add_device(learner)

    awarding.award(badge, [learner], by=teacher)
    db.session.commit()  # the commit enqueues one job for the new outbox row
    connection = Redis.from_url(redis_url)
    queue = Queue(QUEUE_NAME, connection=connection)
    assert queue.count == 1 and push_service.delivered() == []

    assert SimpleWorker([queue], connection=connection).work(burst=True)
    [message] = push_service.delivered()
    assert message.payload["title"].endswith("Safe welding") and push_service.errors == []
    db.session.expire_all()
    assert db.session.scalar(db.select(Outbox.status)) == OutboxStatus.SENT
    assert queue.count == 0 and queue.failed_job_registry.count == 0


# Another web process (another Limiter): the app in a second Python, on its own SQLite.
SECOND_PROCESS = """
import sys
from pathlib import Path
from tests.conftest import build_app, with_tables
for app in with_tables(build_app(Path(sys.argv[1]), RATELIMIT_STORAGE_URI=sys.argv[2])):
    client = app.test_client()
    print(sum(client.get("/s/no-such-link").status_code == 404 for _ in range(int(sys.argv[3]))))
"""


def test_rate_limits_are_counted_in_redis_so_processes_share_them(app, tmp_path, redis_url):
    per_minute = int(PUBLIC_LIMIT.split()[0])
    other = tmp_path / "other"
    other.mkdir()
    answered = subprocess.run(
        [sys.executable, "-c", SECOND_PROCESS, str(other), redis_url, str(per_minute)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, check=True,
    )
    assert answered.stdout.split()[-1] == str(per_minute)  # another app process used the whole minute
    assert new_client(app).get("/s/no-such-link").status_code == 429


def test_share_views_counted_in_redis_by_any_process_reach_the_row_once(app, redis_url, school, make_user):
    from backpack.models import ShareLink
    from backpack.models.time import utcnow
    from backpack.sharing import links, view_counts
    from backpack.web.tallies import RedisTally

    teacher, _, badge = school
    learner = make_user(Role.LEARNER, "Amina")
    (award,) = awarding.award(badge, [learner], by=teacher).created
    link, _token = links.create(award, owner=learner, expiry="never")
    db.session.commit()
    for _ in range(3):
        view_counts.count_view(link)
    other_process = RedisTally(redis_url, "backpack:" + view_counts.TALLY)  # another web process, the same Redis
    other_process.add(link.id, utcnow())
    assert view_counts.views_of(link) == 4
    assert view_counts.flush() == 4
    db.session.commit()
    assert view_counts.flush() == 0
    db.session.expire_all()
    assert db.session.get(ShareLink, link.id).view_count == 4


def test_a_big_award_runs_as_an_rq_job_in_batches(app, redis_url, school, make_user):
    from backpack.issuing import award_jobs
    from backpack.models import Award, AwardJob, AwardJobState, User

    teacher, _, badge = school
    learners = [User(display_name=f"Learner {n}", role=Role.LEARNER.value) for n in range(120)]
    db.session.add_all(learners)
    db.session.commit()
    job, _new = award_jobs.start(badge, learners, by=teacher)
    db.session.commit()
    award_jobs.wake_work()  # what the view does after its commit: one RQ job
    connection = Redis.from_url(redis_url)
    queue = Queue(QUEUE_NAME, connection=connection)
    assert queue.count == 1

    assert SimpleWorker([queue], connection=connection).work(burst=True)
    db.session.expire_all()
    assert (job.state, job.done, job.created) == (AwardJobState.DONE, 120, 120)
    assert db.session.scalar(db.select(db.func.count(Award.id)).where(Award.achievement_id == badge.id)) == 120
    assert db.session.scalar(db.select(db.func.count(AwardJob.id))) == 1
    assert queue.failed_job_registry.count == 0
