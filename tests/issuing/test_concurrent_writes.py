"""Awards and revocations at the same moment on the embedded SQLite database: none fails, none is lost.

A load test met errors (HTTP 500) with awards and revocations of one issuer at once. Found here:
Python's sqlite3 begins a transaction only at the first write, so the reads that chose an
award's status index ran before the write lock was taken, and two awards at the same moment
could choose the same index (IntegrityError: a 500 wherever nothing retried). An award now checks
its indexes again holding the lock (status.confirm), and units of work that write take the lock
with BEGIN IMMEDIATE, which waits instead of failing with "database is locked"
(models/transactions.py). The tests run the real functions and routes from several threads,
each with its own connection to one SQLite file, as gunicorn's threads do.
"""
import json
import sqlite3
import threading

import pytest
from flask import request, request_finished
from sqlalchemy.exc import IntegrityError, OperationalError

from backpack.credentials.status_list import StatusList as Bitstring
from backpack.credentials.verify import VALID
from backpack.extensions import db
from backpack.issuing import awarding, status
from backpack.issuing.verification import verify_award
from backpack.models import Achievement, Award, Role, StatusList, User
from backpack.models.transactions import met_another, take_write_lock
from tests.conftest import Actor, csrf_from, new_client

THREADS = 6
PER_THREAD = 4
# Indexes drawn from the first few of a list's 131,072, so that awards at the same moment
# meet on an index in a test of this size as they do, rarely, in a school's year.
CROWDED = 2 * THREADS * PER_THREAD + 8


@pytest.fixture
def crowded_list(monkeypatch):
    """Draw status indexes from a small range (the randomness narrowed; the database is real)."""
    draw = status.secrets.randbelow
    monkeypatch.setattr(status.secrets, "randbelow", lambda bound: draw(min(bound, CROWDED)))


def together(app, tasks) -> list[str]:
    """Run each task in its own thread and app context, all released at once; return what failed."""
    start = threading.Barrier(len(tasks))
    failures: list[str] = []

    def run(task):
        with app.app_context():
            start.wait()
            try:
                task()
            except Exception as error:  # every failure is the test's finding, whatever its kind
                failures.append(f"{type(error).__name__}: {error}"[:300])
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    return failures


@pytest.fixture
def busy_badge(app, make_user, make_issuer, make_achievement, make_classroom, crowded_list):
    """One badge (so one status list), learners to award it to, and awards of it to revoke."""
    teacher = make_user(Role.TEACHER, "Ms Rivera")
    count = THREADS * PER_THREAD
    fresh = [User(display_name=f"New {n}", role=Role.LEARNER.value) for n in range(count)]
    holders = [User(display_name=f"Holder {n}", role=Role.LEARNER.value) for n in range(count)]
    db.session.add_all(fresh + holders)
    db.session.commit()
    make_classroom(teacher, *fresh, *holders)
    badge = make_achievement(make_issuer(teacher), by=teacher)
    held = awarding.award(badge, holders, by=teacher).created
    db.session.commit()
    ids = {
        "teacher": teacher.id,
        "badge": badge.id,
        "fresh": [learner.id for learner in fresh],
        "held": [award.id for award in held],
    }
    db.session.close()  # the threads open their own connections; this one holds nothing meanwhile
    return ids


def shares(items: list[int]) -> list[list[int]]:
    """Split the items among the threads."""
    return [items[n::THREADS] for n in range(THREADS)]


def assert_all_stored(ids: dict) -> None:
    """Every fresh learner holds one award with its own index; every revocation is in the signed list."""
    db.session.expire_all()
    awards = db.session.scalars(db.select(Award).where(Award.achievement_id == ids["badge"])).all()
    fresh = [award for award in awards if award.learner_id in set(ids["fresh"])]
    assert sorted(award.learner_id for award in fresh) == sorted(ids["fresh"])
    assert len({(award.status_list_id, award.status_index) for award in awards}) == len(awards)
    revoked = [award for award in awards if award.id in set(ids["held"])]
    assert all(award.revoked_at is not None for award in revoked)
    (status_list,) = db.session.scalars(db.select(StatusList)).all()
    bits = Bitstring(bits=status_list.bits)
    assert all(bits.get(award.status_index) for award in revoked)
    assert not any(bits.get(award.status_index) for award in fresh)
    assert status_list.used == len(awards)
    # A credential whose index was swapped under the lock names, and is signed with, the new one.
    for award in fresh + revoked:
        assert json.loads(award.credential_json)["credentialStatus"]["statusListIndex"] == str(award.status_index)
        assert verify_award(award).status == ("revoked" if award in revoked else VALID)


def test_awards_and_revocations_on_one_list_at_once_all_succeed(app, busy_badge):
    ids = busy_badge

    def work(learner_ids, award_ids):
        def task():
            teacher = db.session.get(User, ids["teacher"])
            for learner_id, award_id in zip(learner_ids, award_ids, strict=True):
                badge = db.session.get(Achievement, ids["badge"])
                awarding.award(badge, [db.session.get(User, learner_id)], by=teacher)
                db.session.commit()
                status.revoke(db.session.get(Award, award_id), "Awarded by mistake.", by=teacher)
                db.session.commit()

        return task

    failures = together(app, [work(*pair) for pair in zip(shares(ids["fresh"]), shares(ids["held"]), strict=True)])
    assert failures == []
    assert_all_stored(ids)


def signed_in_clients(app, enrol, teacher_id: int) -> list[Actor]:
    """One signed-in client per thread, all the same teacher on different devices."""
    first = enrol(db.session.get(User, teacher_id))
    actors = [first]
    for _n in range(THREADS - 1):
        actor = Actor(new_client(app), first.user)
        actor.passkey = first.passkey
        assert actor.sign_in().status_code == 200
        actors.append(actor)
    db.session.close()
    return actors


def test_awards_and_revocations_through_the_routes_at_once_all_succeed(app, busy_badge, enrol):
    ids = busy_badge
    actors = signed_in_clients(app, enrol, ids["teacher"])

    def work(actor, learner_ids, award_ids):
        def task():
            token = csrf_from(actor.client.get("/badges").get_data(as_text=True))
            for learner_id, award_id in zip(learner_ids, award_ids, strict=True):
                given = actor.client.post(
                    f"/badges/{ids['badge']}/awards", data={"csrf_token": token, "learners": str(learner_id)}
                )
                assert given.status_code == 302, given.status_code
                taken = actor.client.post(
                    f"/awards/{award_id}/revoke", data={"csrf_token": token, "reason": "Awarded by mistake."}
                )
                assert taken.status_code == 302, taken.status_code

        return task

    tasks = [work(*three) for three in zip(actors, shares(ids["fresh"]), shares(ids["held"]), strict=True)]
    failures = together(app, tasks)
    assert failures == []
    assert_all_stored(ids)


def write_elsewhere(database: str) -> None:
    """Write on a second connection that may not wait: it fails at once if anyone holds the write lock."""
    other = sqlite3.connect(database, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE users SET display_name = display_name WHERE id = 1")
        other.commit()
    finally:
        other.close()


def test_a_page_view_takes_no_write_lock_while_it_renders(app, busy_badge, enrol):
    """Reads never write: another connection writes, without waiting, while each page is served."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's one write lock (PostgreSQL readers and writers do not block each other)")
    database = db.engine.url.database
    teacher = enrol(db.session.get(User, busy_badge["teacher"]))
    award = db.session.get(Award, busy_badge["held"][0])
    pages = [
        f"/badges/{busy_badge['badge']}",
        "/badges",
        f"/awards/{award.id}/revoke",
        f"/status/{award.status_list.public_id}",
    ]
    db.session.rollback()
    take_write_lock()  # the probe finds a lock when there is one
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        write_elsewhere(database)
    db.session.rollback()

    served = []

    def write_meanwhile(sender, response, **extra):
        write_elsewhere(database)  # the request's transaction is still open here, before teardown
        served.append(request.path)

    with request_finished.connected_to(write_meanwhile, app):
        for page in pages:
            assert teacher.client.get(page).status_code == 200, page
    assert served == pages


def test_a_writer_kept_from_the_lock_is_told_it_met_another_and_a_fault_is_not(app, make_user):
    """What the views retry or report as "two changes met", from SQLite's real errors."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's lock errors")
    someone = make_user(Role.LEARNER, "Amina")
    holder = sqlite3.connect(db.engine.url.database, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    db.session.execute(db.text("PRAGMA busy_timeout=0"))  # fail at once instead of waiting 5 s
    try:
        with pytest.raises(OperationalError) as locked:
            take_write_lock()
    finally:
        db.session.rollback()
        db.session.execute(db.text("PRAGMA busy_timeout=5000"))
        holder.rollback()
        holder.close()
    assert "database is locked" in str(locked.value) and met_another(locked.value)

    with pytest.raises(IntegrityError) as clash:
        db.session.execute(db.text("INSERT INTO users SELECT * FROM users WHERE id = :id"), {"id": someone.id})
    db.session.rollback()
    assert met_another(clash.value)

    with pytest.raises(OperationalError) as fault:
        db.session.execute(db.text("SELECT * FROM no_such_table"))
    db.session.rollback()
    assert not met_another(fault.value)
