"""The app and its migrations on a real PostgreSQL server (Debian's, started by the tests)."""
import io
import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import event

from backpack.credentials.status_list import StatusList as Bitstring
from backpack.evidence import capture
from backpack.extensions import db
from backpack.issuing import achievements, awarding, claims, status
from backpack.issuing.verification import verify_award
from backpack.learner import badges
from backpack.models import Award, ClaimCode, Evidence, Role, User
from backpack.sharing import links
from tests.conftest import new_client
from tests.evidence import samples
from tests.evidence.test_upload import _same_session
from tests.issuing import test_award_jobs as award_job_tests
from tests.issuing import test_concurrent_writes as concurrent_write_tests
from tests.notify import test_push_crash as push_crash_tests
from tests.support import schema
from tests.support.servers import create_database


@pytest.fixture
def app(pg_app):
    """Every fixture of tests/conftest.py (people, issuers, badges) now works on PostgreSQL."""
    return pg_app


# The kill -9 tests of big awards and push delivery, again on PostgreSQL (their fixtures with them).
badge_of = award_job_tests.badge_of
deployment = push_crash_tests.deployment
busy_badge = concurrent_write_tests.busy_badge
crowded_list = concurrent_write_tests.crowded_list


@pytest.fixture
def database_url(postgres_url):
    return postgres_url


def test_a_worker_killed_mid_award_batch_leaves_nothing_half_written(app, badge_of, tmp_path):
    award_job_tests.test_a_worker_killed_mid_batch_leaves_nothing_half_written_and_the_job_is_taken_over(
        app, badge_of, tmp_path
    )


def test_awards_and_revocations_on_one_list_at_once_all_succeed(app, busy_badge):
    concurrent_write_tests.test_awards_and_revocations_on_one_list_at_once_all_succeed(app, busy_badge)


def test_awards_and_revocations_through_the_routes_at_once_all_succeed(app, busy_badge, enrol):
    concurrent_write_tests.test_awards_and_revocations_through_the_routes_at_once_all_succeed(app, busy_badge, enrol)


def test_an_app_killed_after_the_award_commit_still_notifies(deployment):
    push_crash_tests.test_killed_right_after_the_commit(deployment)


def test_an_app_killed_mid_push_is_delivered_again_after_its_lease(deployment):
    push_crash_tests.test_killed_while_the_push_was_on_its_way(deployment)


def test_migrations_on_an_empty_database_build_the_models_schema_and_undo_cleanly(postgres_server, tmp_path):
    migrated = create_database(postgres_server, "migrated")
    modelled = create_database(postgres_server, "modelled")
    schema.migrated(migrated, str(tmp_path / "m"))
    schema.modelled(modelled, str(tmp_path / "c"))
    assert schema.describe(migrated) == schema.describe(modelled)

    schema.downgraded(migrated, str(tmp_path / "m"))
    assert schema.describe(migrated) == {}
    schema.migrated(migrated, str(tmp_path / "m"))
    assert schema.describe(migrated) == schema.describe(modelled)


@pytest.fixture
def school(app, make_user, make_issuer, make_achievement, make_classroom):
    teacher = make_user(Role.TEACHER, "Ms Rivera")
    learners = [make_user(Role.LEARNER, f"Learner {n}") for n in range(8)]
    make_classroom(teacher, *learners)
    badge = make_achievement(make_issuer(teacher), by=teacher)
    return teacher, learners, badge


def test_award_signs_and_revocation_sets_the_status_bit(school):
    teacher, learners, badge = school
    award = awarding.award(badge, learners[:2], by=teacher).created[0]
    db.session.commit()
    db.session.expire_all()
    assert award.issued_at.tzinfo == UTC  # read back in UTC, whatever the server's zone
    assert verify_award(award).status == "valid"
    assert json.loads(award.credential_json)["validFrom"].endswith("Z")

    status.revoke(award, "Awarded by mistake.", by=teacher)
    db.session.commit()
    db.session.expire_all()
    assert Bitstring(bits=award.status_list.bits).get(award.status_index)
    assert verify_award(award).status == "revoked"
    other = db.session.scalar(db.select(Award).where(Award.id != award.id))
    assert not Bitstring(bits=other.status_list.bits).get(other.status_index)


def test_a_cached_employer_page_reads_its_link_outside_any_transaction(app, school):
    """One SELECT in autocommit: the server is spared a BEGIN and a ROLLBACK on every view (benchmarks/load.py)."""
    teacher, learners, badge = school
    award = awarding.award(badge, learners[:1], by=teacher).created[0]
    _link, token = links.create(award, owner=learners[0], expiry="never", include_evidence=False)
    db.session.commit()
    employer = new_client(app)
    html = employer.get(f"/s/{token}").get_data(as_text=True)
    states = []

    def after(conn, cursor, statement, parameters, context, executemany):
        states.append(conn.connection.driver_connection.info.transaction_status)

    event.listen(db.engine, "after_cursor_execute", after)
    try:
        assert employer.get(f"/s/{token}").get_data(as_text=True) == html
    finally:
        event.remove(db.engine, "after_cursor_execute", after)
    assert states == [psycopg.pq.TransactionStatus.IDLE]


def test_a_started_stack_shows_its_progress(school, make_achievement):
    """The backpack's "1 of 2" query once used DISTINCT, which PostgreSQL refuses on json columns."""
    teacher, learners, badge = school
    stack = make_achievement(badge.issuer, by=teacher, name="Workshop ready")
    achievements.set_requirements(stack, [badge, make_achievement(badge.issuer, by=teacher, name="First aid")])
    awarding.award(badge, learners[:1], by=teacher)
    db.session.commit()
    [progress] = badges.stacks_in_progress(learners[0], badges.awards_of(learners[0]))
    assert (progress.stack, progress.held, progress.required) == (stack, 1, 2)


def in_threads(app, work, arguments):
    """Run work(argument) in one thread each, each with its own app context and session, all at once."""
    start = threading.Barrier(len(arguments), timeout=30)

    def run(argument):
        with app.app_context():
            try:
                return work(argument, start)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(len(arguments)) as pool:
        return list(pool.map(run, arguments))


def test_a_claim_code_redeemed_by_many_at_once_is_used_at_most_max_uses_times(app, school):
    teacher, learners, badge = school
    code = claims.open_code(badge, by=teacher, minutes=10, max_uses=3).code
    db.session.commit()

    def redeem(learner_id, start):
        learner = db.session.get(User, learner_id)
        start.wait()
        try:
            created = claims.redeem(code, learner).created
            db.session.commit()
            return "awarded" if created else "held"
        except claims.ClaimError as refusal:
            db.session.rollback()
            return refusal.status

    results = in_threads(app, redeem, [learner.id for learner in learners])
    db.session.expire_all()
    claim = db.session.scalar(db.select(ClaimCode))
    assert results.count("awarded") == claim.uses == 3
    assert sorted(set(results) - {"awarded"}) == [410]
    assert db.session.scalar(db.select(db.func.count(Award.id))) == 3


def test_one_upload_sent_twice_at_once_is_stored_once(app, signed_in, monkeypatch):
    learner = signed_in(Role.LEARNER, "Lena")
    both_checked = threading.Barrier(2, timeout=30)
    real_check = capture.check_media

    def check_then_wait(*args, **kwargs):
        checked = real_check(*args, **kwargs)
        both_checked.wait()  # both requests are past "already stored?" before either commits
        return checked

    monkeypatch.setattr(capture, "check_media", check_then_wait)
    key, csrf = str(uuid.uuid4()), learner.csrf("/evidence")

    def send(client):
        form = {"file": (io.BytesIO(samples.jpeg()), "p.jpg", "image/jpeg"), "idempotency_key": key}
        response = client.post("/evidence", data=form, headers={"X-CSRFToken": csrf, "Accept": "application/json"})
        return response.status_code, response.get_json().get("id")

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(send, [learner.client, _same_session(app, learner.client)]))
    assert sorted(code for code, _ in results) == [200, 201], results
    assert results[0][1] == results[1][1]
    assert db.session.scalar(db.select(db.func.count(Evidence.id))) == 1
    media = Path(app.config["MEDIA_PATH"])
    assert len([f for f in media.glob("*/*") if f.parent.name != ".incoming"]) == 2  # the photo and its thumbnail



class _SameIndexes(threading.local):
    """Stands in for `secrets` in status.py: every thread draws 1, 2, 3...: two awards drawing at once would meet."""

    def __init__(self):
        self.next = 0

    def randbelow(self, _length):
        self.next += 1
        return self.next


def test_awards_at_the_same_moment_get_distinct_status_indexes(app, school, monkeypatch):
    """Indexes are drawn under the list's row lock: the second award sees the first's indexes."""
    teacher, learners, badge = school
    awarding.award(badge, learners[:1], by=teacher)  # the list exists before the race
    db.session.commit()
    monkeypatch.setattr(status, "secrets", _SameIndexes())
    halves = [[learner.id for learner in learners[1:5]], [learner.id for learner in learners[5:]]]

    def award_half(ids, start):
        people = db.session.scalars(db.select(User).where(User.id.in_(ids))).all()
        start.wait()
        created = awarding.award(db.session.get(type(badge), badge.id), people, by=None).created
        db.session.commit()
        return len(created)

    assert sum(in_threads(app, award_half, halves)) == 7
    db.session.expire_all()
    indexes = db.session.execute(db.select(Award.status_list_id, Award.status_index)).all()
    assert len(indexes) == len(set(indexes)) == 8


def test_two_revocations_on_one_list_at_the_same_moment_both_stick(app, school, monkeypatch):
    """Each revocation reads the list's bits under its row lock, so neither overwrites the other's bit."""
    teacher, learners, badge = school
    awards = awarding.award(badge, learners[:2], by=teacher).created
    db.session.commit()
    assert awards[0].status_list_id == awards[1].status_list_id
    real_publish = status.publish

    def slow_publish(status_list, now=None):
        time.sleep(0.3)  # widen the window between reading the bits and committing them
        real_publish(status_list, now)

    monkeypatch.setattr(status, "publish", slow_publish)

    def revoke(award_id, start):
        award = db.session.get(Award, award_id)
        start.wait()
        status.revoke(award, "Awarded by mistake.", by=None)
        db.session.commit()

    in_threads(app, revoke, [award.id for award in awards])
    db.session.expire_all()
    bits = Bitstring(bits=awards[0].status_list.bits)
    assert bits.get(awards[0].status_index) and bits.get(awards[1].status_index)
    assert [verify_award(award).status for award in awards] == ["revoked", "revoked"]
    assert awards[0].status_list.version >= 3  # made, then one version per revocation
