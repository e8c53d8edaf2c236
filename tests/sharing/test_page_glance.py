"""The employer page's cache hit reads plain columns: no ORM object, the same key as the loaded rows give."""
import threading

import pytest
from flask import template_rendered
from sqlalchemy import event
from sqlalchemy.orm import Session

from backpack.auth.policy import awarded_evidence
from backpack.extensions import db
from backpack.issuing import achievements
from backpack.models import Evidence, ShareLink, User
from backpack.sharing import links, page_cache
from tests.conftest import new_client
from tests.sharing.test_shared_badge_evidence import awarded, share  # noqa: F401  (the fixture)


@pytest.fixture
def loads():
    """Record every ORM object built from a row (any model)."""
    seen = []

    def record(target, context):
        seen.append(type(target).__name__)

    event.listen(db.Model, "load", record, propagate=True)
    yield seen
    event.remove(db.Model, "load", record)


@pytest.fixture
def statements(app):
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


@pytest.mark.parametrize("include_evidence", [True, False])
@pytest.mark.parametrize("locale", ["en", "es", "ar"])
def test_the_glance_gives_the_key_the_loaded_rows_give(app, awarded, include_evidence, locale):  # noqa: F811
    lan, award, *_items = awarded
    achievements.set_translations(award.achievement, {"es": {"name": "Leer formularios"}})
    db.session.commit()
    token = share(lan, award, include_evidence=include_evidence)
    link = links.find_live(token)
    evidence = awarded_evidence(link.award) if include_evidence else []
    assert len(evidence) == (2 if include_evidence else 0)
    assert page_cache.glanced_key(links.glance(token), locale) == page_cache.badge_key(link, locale, evidence)


def test_a_cache_hit_builds_no_object_and_reads_twice(app, awarded, loads, statements):  # noqa: F811
    lan, award, *_items = awarded
    path = f"/s/{share(lan, award, include_evidence=True)}"
    employer = new_client(app)
    html = employer.get(path).get_data(as_text=True)
    assert "The clinic form" in html
    loads.clear()
    statements.clear()
    assert employer.get(path).get_data(as_text=True) == html
    assert loads == []
    # The link with its badge's columns, then the evidence it shows: both reads, no write.
    assert len(statements) == 2 and all(s.lstrip().upper().startswith("SELECT") for s in statements)


def test_a_cache_hit_of_a_badge_without_evidence_opens_no_orm_session(app, awarded, statements):  # noqa: F811
    """The glance takes a pooled connection of its own: no session transaction to begin and roll back per view."""
    lan, award, *_items = awarded
    path = f"/s/{share(lan, award, include_evidence=False)}"
    employer = new_client(app)
    html = employer.get(path).get_data(as_text=True)
    begun = []
    here = threading.get_ident()

    def record(session, transaction, connection):
        if threading.get_ident() == here:  # not a worker thread of another app in this process
            begun.append(connection)

    event.listen(Session, "after_begin", record)
    try:
        statements.clear()
        assert employer.get(path).get_data(as_text=True) == html
    finally:
        event.remove(Session, "after_begin", record)
    assert len(statements) == 1 and begun == []


def test_what_the_glance_reads_shows_at_once(app, awarded):  # noqa: F811
    lan, award, photo, *_rest = awarded
    path = f"/s/{share(lan, award, include_evidence=True)}"
    employer = new_client(app)
    assert "The clinic form" in employer.get(path).get_data(as_text=True)
    db.session.get(Evidence, photo.id).title = "The clinic's form, filled in"
    db.session.get(User, lan.user.id).display_name = "Lan Tran"
    db.session.commit()
    html = employer.get(path).get_data(as_text=True)
    assert "The clinic&#39;s form, filled in" in html and "Lan Tran" in html


def test_a_learner_who_left_still_has_her_badge_shown(app, awarded):  # noqa: F811
    """The award outlives its learner (learner_id set to NULL): the glance joins her row as optional."""
    lan, award, *_items = awarded
    token = share(lan, award, include_evidence=False)
    award.learner_id = None
    db.session.commit()
    assert links.glance(token).award.learner_name is None
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    employer = new_client(app)
    for _ in range(2):
        assert employer.get(f"/s/{token}").status_code == 200
    template_rendered.disconnect(record, app)
    assert rendered.count("sharing/public.html") == 1  # rendered once, then served from the cache


def test_a_collection_link_has_no_badge_in_its_glance(app, awarded):  # noqa: F811
    from backpack.learner import collections

    lan, award, *_items = awarded
    folio = collections.create(lan.user, "For my job interview")
    collections.set_shareable(collections.add_award(folio, award), True)
    _link, token = links.create(folio, owner=lan.user, expiry="never")
    db.session.commit()
    glance = links.glance(token)
    assert glance.award is None and glance.collection_id == folio.id
    assert glance.id == db.session.scalar(db.select(ShareLink.id).where(ShareLink.collection_id == folio.id))
