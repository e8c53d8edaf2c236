"""The employer's page is rendered once and served from the cache, never past a change it shows."""
import gzip
from datetime import datetime, timedelta

import brotli
import pytest
from flask import template_rendered

from backpack.credentials import verify
from backpack.extensions import cache, db
from backpack.issuing import status, verdict
from backpack.models import Award, ShareLink, User
from backpack.models import award as award_model
from backpack.sharing import page_cache, view_counts
from tests.conftest import build_app, new_client
from tests.sharing.test_share_links import shared  # noqa: F401  (the fixture)


@pytest.fixture
def renders(app):
    """Count the employer pages actually rendered (not served from the cache)."""
    seen = []

    def record(sender, template, context, **extra):
        if template.name.startswith("sharing/public"):
            seen.append(template.name)

    template_rendered.connect(record, app)
    yield seen
    template_rendered.disconnect(record, app)


@pytest.fixture
def opened(shared):  # noqa: F811
    """A shared badge's path and an employer's client that has opened it once (the cache is warm)."""
    learner, teacher, award, share = shared
    path = share(include_evidence=True)[0].replace("https://localhost", "")
    employer = new_client(learner.client.application)
    first = employer.get(path)
    assert first.status_code == 200
    return learner, teacher, award, path, employer, first.get_data(as_text=True)


def test_the_page_is_rendered_once_and_every_view_is_still_counted(opened, renders):
    learner, _teacher, _award, path, employer, html = opened
    for _ in range(3):
        response = employer.get(path)
        assert response.status_code == 200 and response.get_data(as_text=True) == html
        assert response.headers["Cache-Control"] == "private, no-cache"
    assert renders == []
    with learner.client.application.app_context():
        assert view_counts.flush() == 4
        db.session.commit()


def test_a_revocation_shows_at_once_despite_the_cache(opened):
    _learner, teacher, award, path, employer, html = opened
    assert 'data-verdict="valid"' in html
    status.revoke(db.session.get(Award, award.id), "Certificate withdrawn by the school", by=teacher)
    db.session.commit()
    html = employer.get(path).get_data(as_text=True)
    assert 'data-verdict="revoked"' in html and "Certificate withdrawn by the school" in html


def test_a_language_switch_shows_at_once_and_each_language_is_kept(opened, renders):
    _learner, _teacher, _award, path, employer, html = opened
    assert 'lang="en"' in html
    arabic = employer.get(path, headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'dir="rtl"' in arabic and 'lang="ar"' in arabic
    employer.set_cookie("lang", "es")
    assert 'lang="es"' in employer.get(path).get_data(as_text=True)
    assert renders == ["sharing/public.html", "sharing/public.html"]
    employer.delete_cookie("lang")
    assert employer.get(path, headers={"Accept-Language": "ar"}).get_data(as_text=True) == arabic
    assert employer.get(path).get_data(as_text=True) == html
    assert len(renders) == 2


def test_a_stopped_link_is_gone_at_once_despite_the_cache(opened):
    learner, _teacher, _award, path, employer, _html = opened
    link_id = db.session.scalar(db.select(ShareLink.id))
    learner.client.post(f"/my/shares/{link_id}/revoke", data={"csrf_token": learner.csrf("/")})
    response = employer.get(path)
    assert response.status_code == 410 and "Safe welding" not in response.get_data(as_text=True)


def test_an_expiry_shows_at_once_when_its_time_comes(opened, monkeypatch):
    _learner, _teacher, award, path, employer, html = opened
    assert 'data-verdict="valid"' in html
    later = db.session.get(Award, award.id).valid_until + timedelta(days=1)

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return later

    monkeypatch.setattr(award_model, "utcnow", lambda: later)
    monkeypatch.setattr(verify, "datetime", Later)
    assert 'data-verdict="expired"' in employer.get(path).get_data(as_text=True)


def test_what_the_page_shows_besides_the_credential_shows_at_once(opened):
    _learner, _teacher, award, path, employer, _html = opened
    stored = db.session.get(Award, award.id)
    stored.achievement.name = "Safe welding, level 2"
    db.session.get(User, stored.learner_id).display_name = "Amina Y. Hassan"
    db.session.commit()
    html = employer.get(path).get_data(as_text=True)
    assert "Safe welding, level 2" in html and "Amina Y. Hassan" in html


def test_a_cold_or_flushed_cache_gives_the_same_page(opened, renders):
    _learner, _teacher, _award, path, employer, html = opened
    with employer.application.app_context():
        page_cache.clear()
    verdict.clear()
    assert employer.get(path).get_data(as_text=True) == html
    assert renders == ["sharing/public.html"]


def test_a_cache_that_fails_still_serves_the_page(opened, monkeypatch):
    _learner, _teacher, _award, path, employer, html = opened

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    response = employer.get(path)
    assert response.status_code == 200 and response.get_data(as_text=True) == html


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_compressed_pages_are_kept_and_open_to_the_same_page(opened, renders, encoding):
    _learner, _teacher, _award, path, employer, html = opened
    for _ in range(2):
        response = employer.get(path, headers={"Accept-Encoding": encoding})
        assert response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"] and response.headers["Content-Type"].startswith("text/html")
        body = response.get_data()
        assert (brotli.decompress(body) if encoding == "br" else gzip.decompress(body)).decode() == html
    assert renders == []


def test_processes_share_the_pages_through_redis_and_none_outlives_a_revocation(opened, redis_server, tmp_path):
    """Two web processes on one Redis: what one rendered the other serves, until a revocation changes the key."""
    _learner, teacher, award, path, _employer, _html = opened
    processes = [build_app(tmp_path, CACHE_TYPE="RedisCache", CACHE_REDIS_URL=redis_server.url)
                 for _ in range(2)]
    rendered = {id(app): [] for app in processes}

    def record(sender, template, context, **extra):
        rendered[id(sender)].append(template.name)

    for app in processes:
        template_rendered.connect(record, app)
    first, second = (new_client(app) for app in processes)
    html = first.get(path).get_data(as_text=True)
    assert 'data-verdict="valid"' in html
    assert second.get(path).get_data(as_text=True) == html
    assert [len(names) for names in rendered.values()] == [1, 0]
    status.revoke(db.session.get(Award, award.id), "Given by mistake", by=teacher)
    db.session.commit()
    assert 'data-verdict="revoked"' in second.get(path).get_data(as_text=True)
    assert 'data-verdict="revoked"' in first.get(path).get_data(as_text=True)
    for app in processes:
        template_rendered.disconnect(record, app)
        with app.app_context():
            db.engine.dispose()
