"""Status lists: a URL fixed when the list is made, a short validUntil, re-signing before lapse.

A badge's truth must not depend on the request or on a copy that lapsed: the list's URL
never follows the configured origin once made, and readers (the public URL, our own
verdicts) sign the stored bits afresh in memory rather than serve or trust a lapsed copy.
"""
import json
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from backpack.credentials import proof
from backpack.credentials.verify import parse_time, verify_credential
from backpack.extensions import db
from backpack.issuing import awarding, status
from backpack.issuing.verification import local_status_list, verify_award
from backpack.models import Role, StatusList
from backpack.models.time import utcnow
from backpack.notify.worker import Worker
from tests.conftest import ORIGIN

DAY_MS = 24 * 3600 * 1000


@pytest.fixture
def school(app, make_user, make_issuer, make_achievement, make_classroom):
    teacher = make_user(Role.TEACHER, "Ms Rivera")
    learners = [make_user(Role.LEARNER, name) for name in ("Amina", "Carlos", "Lan")]
    make_classroom(teacher, *learners)
    issuer = make_issuer(teacher)
    badge = make_achievement(issuer, by=teacher)
    return teacher, learners, issuer, badge


def signed(status_list: StatusList) -> dict:
    return json.loads(status_list.credential_json)


def lapse(status_list: StatusList, hours_ago: int = 30) -> None:
    """Store a copy signed long ago, as if the worker had not run since."""
    status.publish(status_list, now=utcnow() - timedelta(hours=hours_ago))
    db.session.commit()


@contextmanager
def counting_writes():
    """Collect every INSERT, UPDATE or DELETE sent to the database meanwhile."""
    writes = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield writes
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def test_the_status_list_url_is_the_origin_then_status_then_its_id(school):
    teacher, learners, issuer, badge = school
    award = awarding.award(badge, learners[:1], by=teacher).created[0]
    db.session.commit()
    listed = award.status_list
    assert listed.url == f"{ORIGIN}/status/{listed.public_id}"
    assert json.loads(award.credential_json)["credentialStatus"]["statusListCredential"] == listed.url
    assert signed(listed)["id"] == listed.url


def test_the_url_is_fixed_when_the_list_is_made_whatever_the_origin_becomes(app, school):
    teacher, learners, issuer, badge = school
    first = awarding.award(badge, learners[:1], by=teacher).created[0]
    db.session.commit()
    made_with = first.status_list.url

    app.config["BACKPACK_ORIGIN"] = "https://badges.elsewhere.example"
    later = awarding.award(badge, learners[1:2], by=teacher).created[0]
    db.session.commit()
    assert later.status_list_id == first.status_list_id
    assert json.loads(later.credential_json)["credentialStatus"]["statusListCredential"] == made_with

    status.revoke(first, "Wrong learner", by=teacher)
    db.session.commit()
    assert signed(first.status_list)["id"] == made_with
    lapse(first.status_list, hours_ago=13)
    assert status.refresh_due() == 1
    db.session.commit()
    db.session.refresh(first.status_list)
    assert first.status_list.url == made_with and signed(first.status_list)["id"] == made_with
    assert verify_award(first).status == "revoked"
    assert verify_award(later).status == "valid"


def test_a_list_carries_validuntil_a_day_ahead_and_its_ttl(app, school):
    teacher, learners, issuer, badge = school
    before = utcnow().replace(microsecond=0)
    awarding.award(badge, learners[:1], by=teacher)
    db.session.commit()
    listed = db.session.scalar(db.select(StatusList))
    credential = signed(listed)
    valid_until = parse_time(credential["validUntil"])
    assert before + timedelta(hours=24) <= valid_until <= utcnow() + timedelta(hours=24)
    assert listed.valid_until == valid_until
    assert credential["credentialSubject"]["ttl"] == DAY_MS
    assert proof.verify_proof(credential)[0]  # both are defined by the context, so signed

    app.config["STATUS_LIST_TTL_HOURS"] = 6
    status.publish(listed)
    assert parse_time(signed(listed)["validUntil"]) - parse_time(signed(listed)["validFrom"]) == timedelta(hours=6)
    assert signed(listed)["credentialSubject"]["ttl"] == 6 * 3600 * 1000


def test_refresh_due_re_signs_a_list_near_lapse_and_not_a_fresh_one(school, make_issuer, make_achievement):
    teacher, learners, issuer, badge = school
    other_badge = make_achievement(make_issuer(teacher, name="Northside College"), by=teacher, name="Forklift")
    near = awarding.award(badge, learners[:1], by=teacher).created[0].status_list
    fresh = awarding.award(other_badge, learners[:1], by=teacher).created[0].status_list
    db.session.commit()
    lapse(near, hours_ago=13)  # 11 hours left: less than half the day
    near_version, fresh_version, fresh_copy = near.version, fresh.version, fresh.credential_json

    assert status.refresh_due(utcnow()) == 1
    db.session.commit()
    db.session.expire_all()
    assert near.version == near_version + 1
    assert near.valid_until > utcnow() + timedelta(hours=23)
    assert parse_time(signed(near)["validUntil"]) == near.valid_until
    assert signed(near)["id"] == near.url
    assert (fresh.version, fresh.credential_json) == (fresh_version, fresh_copy)
    assert status.refresh_due(utcnow()) == 0


def test_refresh_never_replaces_a_revocation_signed_meanwhile(school, monkeypatch):
    teacher, learners, issuer, badge = school
    award = awarding.award(badge, learners[:1], by=teacher).created[0]
    db.session.commit()
    listed = award.status_list
    lapse(listed, hours_ago=20)
    sign_copy = status.sign_copy

    def revoked_while_signing(status_list, now):
        made = sign_copy(status_list, now)
        # Another transaction revokes (re-signs and bumps the version) before this one writes.
        db.session.execute(
            db.update(StatusList)
            .values(credential_json="revoked copy", version=StatusList.version + 1)
            .execution_options(synchronize_session=False)
        )
        return made

    monkeypatch.setattr(status, "sign_copy", revoked_while_signing)
    assert status.refresh_due(utcnow()) == 0
    db.session.commit()
    db.session.expire_all()
    assert listed.credential_json == "revoked copy"


def test_a_lapsed_list_is_served_signed_afresh_without_writing(school, client):
    teacher, learners, issuer, badge = school
    revoked, kept = awarding.award(badge, learners[:2], by=teacher).created
    db.session.commit()
    status.revoke(revoked, "Wrong learner", by=teacher)
    db.session.commit()
    listed = revoked.status_list
    lapse(listed)
    stored = listed.credential_json

    with counting_writes() as writes:
        response = client.get(f"/status/{listed.public_id}")
    assert response.status_code == 200
    assert writes == []
    served = response.get_json(force=True)
    assert served["id"] == listed.url
    assert parse_time(served["validUntil"]) > utcnow() + timedelta(hours=23)
    assert response.headers["Cache-Control"] == "public, no-cache"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["ETag"].startswith(f'"{listed.public_id}-{listed.version}-')
    db.session.expire_all()
    assert listed.credential_json == stored

    def fetch(url):
        return served

    assert verify_credential(json.loads(revoked.credential_json), fetch_status_list=fetch).status == "revoked"
    assert verify_credential(json.loads(kept.credential_json), fetch_status_list=fetch).status == "valid"
    # The stored copy, replayed, proves nothing any more.
    stale = verify_credential(json.loads(kept.credential_json), fetch_status_list=lambda url: json.loads(stored))
    assert stale.status == "unknown-status"


def test_a_fresh_stored_copy_is_served_as_stored(school, client):
    teacher, learners, issuer, badge = school
    listed = awarding.award(badge, learners[:1], by=teacher).created[0].status_list
    db.session.commit()
    response = client.get(f"/status/{listed.public_id}")
    assert response.get_data(as_text=True) == listed.credential_json
    assert response.headers["ETag"] == f'"{listed.public_id}-{listed.version}-{int(listed.valid_until.timestamp())}"'


def test_our_verdicts_read_revocation_from_the_database_when_the_copy_lapsed(school):
    teacher, learners, issuer, badge = school
    revoked, kept = awarding.award(badge, learners[:2], by=teacher).created
    db.session.commit()
    status.revoke(revoked, "Wrong learner", by=teacher)
    db.session.commit()
    lapse(revoked.status_list)

    with counting_writes() as writes:
        assert verify_award(revoked).status == "revoked"
        assert verify_award(kept).status == "valid"
    assert writes == []


def test_our_list_answers_only_for_the_url_it_was_made_with(school):
    teacher, learners, issuer, badge = school
    listed = awarding.award(badge, learners[:1], by=teacher).created[0].status_list
    db.session.commit()
    assert local_status_list(listed.url)["id"] == listed.url
    assert local_status_list(f"https://attacker.example/status/{listed.public_id}") is None


def test_the_refresh_command_re_signs_and_commits(school, runner):
    teacher, learners, issuer, badge = school
    listed = awarding.award(badge, learners[:1], by=teacher).created[0].status_list
    db.session.commit()
    lapse(listed)

    result = runner.invoke(args=["status-lists", "refresh"])
    assert result.exit_code == 0, result.output
    assert "Re-signed 1 status list(s)." in result.output
    db.session.expire_all()
    assert listed.valid_until > utcnow() + timedelta(hours=23)


def test_the_worker_re_signs_lists_as_it_drains(app, school):
    teacher, learners, issuer, badge = school
    listed = awarding.award(badge, learners[:1], by=teacher).created[0].status_list
    db.session.commit()
    lapse(listed)

    Worker(app).drain()
    db.session.expire_all()
    assert listed.valid_until > utcnow() + timedelta(hours=23)
