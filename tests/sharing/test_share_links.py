"""Share links: made by the learner, opened by anyone with the link, stopped at will."""
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from backpack.credentials import baking
from backpack.extensions import db
from backpack.issuing import awarding, status, verdict
from backpack.models import Award, Role, ShareLink
from backpack.models.time import utcnow
from backpack.sharing import view_counts
from tests.conftest import new_client


@pytest.fixture
def shared(app, signed_in, enrol, make_user, make_classroom, make_issuer, make_achievement):
    """A learner with one badge (with evidence), signed in, and a helper to share it."""
    teacher = make_user(Role.TEACHER, "Ms Rivera")
    learner_user = make_user(Role.LEARNER, "Amina Yusuf")
    make_classroom(teacher, learner_user)
    badge = make_achievement(make_issuer(teacher), by=teacher, name="Safe welding", validity_days=730,
                             alignments=[{"name": "Welding", "framework": "ESCO", "url": "https://esco.example/w", "code": "W1"}])
    award = awarding.award(badge, [learner_user], by=teacher, note="Weld photo reviewed", evidence_url="https://example.org/weld").created[0]
    db.session.commit()
    learner = enrol(learner_user)
    verdict.clear()

    def share(expiry="month", include_evidence=False):
        data = {"csrf_token": learner.csrf("/"), "expiry": expiry}
        if include_evidence:
            data["include_evidence"] = "y"
        response = learner.client.post(f"/my/badges/{award.public_id}/share", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)
        page = learner.client.get(response.headers["Location"]).get_data(as_text=True)
        return re.search(r'data-share-link>([^<]+)<', page).group(1), page

    return learner, teacher, award, share


def test_employer_sees_a_genuine_badge_without_an_account(shared):
    learner, teacher, award, share = shared
    url, page = share()
    assert "<svg" in page and "linkedin.com/profile/add" in page
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 22  # 128 bits in base64url

    employer = new_client(learner.client.application)
    response = employer.get(f"/s/{token}")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-verdict="valid"' in html and "Genuine badge" in html
    assert "Safe welding" in html and "Amina Yusuf" in html and "Riverside Adult School" in html
    assert "ESCO" in html and "og:image" in html and "verifierplus.org/?url=" in html
    assert "<script" not in html
    assert "data-evidence" not in html  # not chosen
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert db.session.scalar(db.select(ShareLink.view_count)) == 0  # counted off the database
    assert "Opened 1 time" in learner.client.get(f"/my/badges/{award.public_id}/share").get_data(as_text=True)
    with learner.client.application.app_context():
        assert view_counts.flush() == 1
        db.session.commit()
    assert db.session.scalar(db.select(ShareLink.view_count)) == 1


def test_evidence_shows_only_when_the_learner_chose_it(shared):
    learner, teacher, award, share = shared
    url, _ = share(include_evidence=True)
    html = new_client(learner.client.application).get(url.replace("https://localhost", "")).get_data(as_text=True)
    assert "data-evidence" in html and "https://example.org/weld" in html


def test_machines_get_the_credential_and_baked_images(shared):
    learner, teacher, award, share = shared
    path = share()[0].replace("https://localhost", "")
    client = new_client(learner.client.application)
    raw = client.get(path + "/credential.json")
    assert raw.mimetype == "application/vc+ld+json" and raw.get_data(as_text=True) == award.credential_json
    assert json.loads(baking.unbake_png(client.get(path + "/badge.png").get_data()))["id"] == f"urn:uuid:{award.public_id}"
    svg = client.get(path + "/badge.svg")
    assert "sandbox" in svg.headers["Content-Security-Policy"]


def test_revoked_award_shows_revoked_with_the_reason(shared):
    learner, teacher, award, share = shared
    path = share()[0].replace("https://localhost", "")
    client = new_client(learner.client.application)
    assert 'data-verdict="valid"' in client.get(path).get_data(as_text=True)
    status.revoke(db.session.get(Award, award.id), "Certificate withdrawn by the school", by=teacher)
    db.session.commit()
    html = client.get(path).get_data(as_text=True)
    assert 'data-verdict="revoked"' in html and "Certificate withdrawn by the school" in html


def test_tampered_stored_credential_is_not_genuine(shared):
    learner, teacher, award, share = shared
    path = share()[0].replace("https://localhost", "")
    client = new_client(learner.client.application)
    assert 'data-verdict="valid"' in client.get(path).get_data(as_text=True)
    stored = db.session.get(Award, award.id)
    credential = json.loads(stored.credential_json)
    credential["credentialSubject"]["achievement"]["name"] = "Master welder"
    stored.credential_json = json.dumps(credential)
    db.session.commit()
    html = client.get(path).get_data(as_text=True)
    assert 'data-verdict="invalid"' in html and "Not genuine" in html


def test_stopped_link_shows_nothing_of_the_badge(shared):
    learner, teacher, award, share = shared
    url, _ = share()
    link_id = db.session.scalar(db.select(ShareLink.id))
    learner.client.post(f"/my/shares/{link_id}/revoke", data={"csrf_token": learner.csrf("/")})
    response = new_client(learner.client.application).get(url.replace("https://localhost", ""))
    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "no longer shared" in html and "Safe welding" not in html and "Amina" not in html
    for suffix in ("/credential.json", "/badge.png", "/badge.svg"):
        assert new_client(learner.client.application).get(url.replace("https://localhost", "") + suffix).status_code == 410


def test_expired_link_is_gone(shared):
    learner, teacher, award, share = shared
    url, _ = share(expiry="day")
    link = db.session.scalar(db.select(ShareLink))
    assert link.expires_at - utcnow() <= timedelta(days=1)
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert new_client(learner.client.application).get(url.replace("https://localhost", "")).status_code == 410


@pytest.mark.parametrize("token", ["x", "A" * 22, "A" * 200, "%2E%2E"])
def test_random_and_truncated_tokens_are_404_and_reveal_nothing(client, token):
    response = client.get(f"/s/{token}")
    assert response.status_code == 404
    assert "does not work" in response.get_data(as_text=True)
    assert client.get("/s/../../etc/passwd").status_code == 404


def test_truncated_real_token_is_404(shared):
    learner, teacher, award, share = shared
    path = share()[0].replace("https://localhost", "")
    assert new_client(learner.client.application).get(path[:-3]).status_code == 404


def test_guessing_is_rate_limited(client):
    statuses = [client.get(f"/s/guess{n:04d}").status_code for n in range(61)]
    assert statuses[:60] == [404] * 60 and statuses[60] == 429


def test_page_follows_the_browser_language(shared):
    learner, teacher, award, share = shared
    path = share()[0].replace("https://localhost", "")
    html = new_client(learner.client.application).get(path, headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'dir="rtl"' in html and 'lang="ar"' in html


def test_verification_result_is_cached_per_status_version(shared, monkeypatch):
    learner, teacher, award, share = shared
    path = share()[0].replace("https://localhost", "")
    client = new_client(learner.client.application)
    calls = []
    real = verdict.verify_award
    monkeypatch.setattr(verdict, "verify_award", lambda a: calls.append(a.id) or real(a))
    client.get(path)
    client.get(path)
    assert len(calls) == 1
    status.revoke(db.session.get(Award, award.id), "reason", by=teacher)
    db.session.commit()
    client.get(path)
    assert len(calls) == 2


def test_stopped_link_cannot_be_shown_or_printed_by_its_owner(shared):
    learner, teacher, award, share = shared
    share()
    link_id = db.session.scalar(db.select(ShareLink.id))
    learner.client.post(f"/my/shares/{link_id}/revoke", data={"csrf_token": learner.csrf("/")})
    for page in (f"/my/shares/{link_id}", f"/my/shares/{link_id}/card"):
        response = learner.client.get(page)
        assert response.status_code == 410
        assert "data-share-qr" not in response.get_data(as_text=True) and "data-card-qr" not in response.get_data(as_text=True)


def test_dead_link_page_loads_no_script(client):
    html = client.get("/s/" + "B" * 22).get_data(as_text=True)
    assert "<script" not in html and "does not work" in html


def test_opening_a_share_page_writes_nothing_to_the_database(shared):
    learner, _teacher, _award, share = shared
    url, _page = share()
    employer = new_client(learner.client.application)
    writes = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        for _ in range(3):
            assert employer.get(url.replace("https://localhost", "")).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert writes == []
    with learner.client.application.app_context():
        assert view_counts.flush() == 3
        db.session.commit()
        assert view_counts.flush() == 0
    assert db.session.scalar(db.select(ShareLink.view_count)) == 3


def test_the_employer_page_inlines_its_stylesheet_allowed_by_hash_alone(shared):
    import base64
    import hashlib

    learner, _teacher, _award, share = shared
    url, _page = share()
    response = new_client(learner.client.application).get(url.replace("https://localhost", ""))
    html = response.get_data(as_text=True)
    (style,) = re.findall(r"<style>(.*?)</style>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = response.headers["Content-Security-Policy"]
    assert f"style-src 'sha256-{digest}';" in policy and "unsafe-inline" not in policy
    assert 'rel="stylesheet"' not in html and 'rel="icon" href="data:,"' in html
    assert "style=" not in html  # no inline style attributes: the hash covers the <style> element only
    assert "/*" not in style and "\n" not in style  # kept small: no comments, no line breaks


def test_the_employer_page_runs_no_script_and_says_so_in_few_headers(shared):
    learner, _teacher, _award, share = shared
    url, _page = share()
    response = new_client(learner.client.application).get(url.replace("https://localhost", ""))
    html = response.get_data(as_text=True)
    assert "<script" not in html
    policy = dict(part.split(" ", 1) for part in response.headers["Content-Security-Policy"].split("; "))
    assert policy["default-src"] == "'none'" and "script-src" not in policy  # so no script runs, inline or not
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'" and policy["form-action"] == "'none'"
    assert policy["img-src"] == "'self' data:" and policy["media-src"] == "'self'"
    assert response.headers["Referrer-Policy"] == "same-origin"  # its links do not tell others its address
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    # Headers that only restrict script (and X-Frame-Options, which frame-ancestors replaces) are left off.
    for header in ("Permissions-Policy", "Cross-Origin-Opener-Policy", "X-Frame-Options"):
        assert header not in response.headers

    # The badge picture is not a page: only nosniff, no page policies.
    (picture,) = re.findall(r'src="([^"]+\.webp)"', html)
    image = new_client(learner.client.application).get(picture)
    assert image.status_code == 200 and image.mimetype == "image/webp"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in image.headers and "Permissions-Policy" not in image.headers

    # A link that does not work says so on a page as script-free.
    gone = new_client(learner.client.application).get("/s/no-such-link")
    assert gone.status_code == 404 and "<script" not in gone.get_data(as_text=True)
    assert gone.headers["Content-Security-Policy"].startswith("default-src 'none';")
