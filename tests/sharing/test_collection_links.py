"""Sharing a collection: the employer sees only the items marked shareable, in order."""
import re
from datetime import timedelta

import pytest

from backpack.extensions import db
from backpack.issuing import status, verdict
from backpack.learner import collections
from backpack.models import Award, ShareLink
from backpack.models.time import utcnow
from backpack.sharing import links, view_counts
from backpack.storage import media_store
from tests.conftest import new_client
from tests.learner.portfolio import build_portfolio


@pytest.fixture
def shared(app, make_user, make_classroom, make_issuer, make_achievement, enrol):
    """Amina's collection: First aid (shareable), the photo (shareable), Safe welding and the video (private)."""
    folio = build_portfolio(make_user, make_classroom, make_issuer, make_achievement)
    collection = collections.create(folio.learner, "For my job interview", "Welding jobs at the shipyard")
    welding, first_aid = folio.awards
    photo, video = folio.evidence
    for thing in (welding, first_aid):
        collections.add_award(collection, thing)
    for thing in (photo, video):
        collections.add_evidence(collection, thing)
    _welding_item, first_aid_item, photo_item, _video_item = collections.items_of(collection)
    collections.set_shareable(first_aid_item, True)
    collections.set_shareable(photo_item, True)
    collections.move(photo_item, collections.UP)
    db.session.commit()
    verdict.clear()
    amina = enrol(folio.learner)
    return folio, collection, amina


def fetch(client, url: str, **headers):
    """Get media and close the response, as a browser does: its file is open until then."""
    response = client.get(url, headers=headers)
    body = response.get_data()
    response.close()
    return response.status_code, body, response.headers


def make_link(amina, collection, expiry="month") -> tuple[str, str]:
    """Share through the learner's pages; return the public path and the QR page's HTML."""
    csrf = amina.csrf("/")
    response = amina.client.post(f"/my/collections/{collection.public_id}/share", data={"csrf_token": csrf, "expiry": expiry})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = amina.client.get(response.headers["Location"]).get_data(as_text=True)
    url = re.search(r"data-share-link>([^<]+)<", page).group(1)
    return url.replace("https://localhost", ""), page


def test_share_page_makes_a_link_with_a_qr_code(shared):
    _folio, collection, amina = shared
    form = amina.client.get(f"/my/collections/{collection.public_id}/share").get_data(as_text=True)
    assert "Share this collection" in form and "Show my evidence too" not in form
    _path, page = make_link(amina, collection)
    assert "<svg" in page and "For my job interview" in page
    assert "linkedin.com" not in page  # LinkedIn takes one certification, not a collection
    link = db.session.scalar(db.select(ShareLink))
    assert link.collection_id == collection.id and link.award_id is None
    listing = amina.client.get(f"/my/collections/{collection.public_id}/share").get_data(as_text=True)
    assert listing.count("data-share-item") == 1
    card = amina.client.get(f"/my/shares/{link.id}/card")
    assert card.status_code == 200 and "Amina Yusuf" in card.get_data(as_text=True)


def test_employer_sees_only_shareable_items_in_order(shared):
    folio, collection, amina = shared
    path, _ = make_link(amina, collection)
    photo, video = folio.evidence
    response = new_client(amina.client.application).get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"] == "noindex" and "private" in response.headers["Cache-Control"]
    assert "For my job interview" in html and "Amina Yusuf" in html and "Welding jobs at the shipyard" in html
    kinds = re.findall(r'data-shared-item data-kind="(\w+)"', html)
    assert kinds == ["badge", "evidence"] or kinds == ["evidence", "badge"]
    # The photo was moved above First aid.
    assert html.index("Weld seam") < html.index("First aid")
    assert 'data-verdict="valid"' in html and "Genuine badge" in html
    assert "Safe welding" not in html and "Workshop video" not in html
    assert f"/s/{path.rsplit('/', 1)[1]}/evidence/{photo.public_id}" in html
    assert video.public_id not in html
    assert "<script" not in html and "style=" not in html
    assert view_counts.flush() == 1  # counted off the request, stored by the worker
    db.session.commit()
    assert db.session.scalar(db.select(ShareLink.view_count)) == 1


def test_shareable_media_is_served_with_ranges_and_private_media_is_404(shared):
    folio, collection, amina = shared
    path, _ = make_link(amina, collection)
    photo, video = folio.evidence
    employer = new_client(amina.client.application)
    code, body, headers = fetch(employer, f"{path}/evidence/{photo.public_id}")
    assert code == 200 and body == media_store().read(photo.object_key)
    assert headers["Cache-Control"] == "private, no-store"
    assert headers["X-Robots-Tag"] == "noindex"
    code, body, headers = fetch(employer, f"{path}/evidence/{photo.public_id}", Range="bytes=0-9")
    assert code == 206 and len(body) == 10
    assert employer.get(f"{path}/evidence/{video.public_id}").status_code == 404
    assert employer.get(f"{path}/evidence/{folio.other_evidence.public_id}").status_code == 404
    assert employer.get(f"{path}/evidence/not-an-id").status_code == 404
    assert employer.get(f"/s/{'A' * 22}/evidence/{photo.public_id}").status_code == 404


def test_making_an_item_private_hides_it_at_once(shared):
    folio, collection, amina = shared
    path, _ = make_link(amina, collection)
    photo = folio.evidence[0]
    employer = new_client(amina.client.application)
    assert "Weld seam" in employer.get(path).get_data(as_text=True)
    assert fetch(employer, f"{path}/evidence/{photo.public_id}")[0] == 200
    photo_item = next(item for item in collections.items_of(collection) if item.evidence_id == photo.id)
    response = amina.client.post(
        f"/my/collections/{collection.public_id}/items/{photo_item.id}/shareable",
        data={"csrf_token": amina.csrf("/"), "shareable": "no"},
    )
    assert response.status_code == 302
    assert "Weld seam" not in employer.get(path).get_data(as_text=True)
    assert fetch(employer, f"{path}/evidence/{photo.public_id}")[0] == 404


def test_revoked_badge_in_a_collection_shows_revoked(shared):
    folio, collection, amina = shared
    path, _ = make_link(amina, collection)
    status.revoke(db.session.get(Award, folio.awards[1].id), "Withdrawn by the school", by=folio.teacher)
    db.session.commit()
    html = new_client(amina.client.application).get(path).get_data(as_text=True)
    assert 'data-verdict="revoked"' in html and "Withdrawn by the school" in html


def test_stopped_or_expired_link_is_gone_with_its_media(shared):
    folio, collection, amina = shared
    path, _ = make_link(amina, collection)
    photo = folio.evidence[0]
    link = db.session.scalar(db.select(ShareLink))
    revoked = amina.client.post(f"/my/shares/{link.id}/revoke", data={"csrf_token": amina.csrf("/")})
    assert revoked.headers["Location"].endswith(f"/my/collections/{collection.public_id}/share")
    employer = new_client(amina.client.application)
    response = employer.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 410 and "For my job interview" not in html and "Amina" not in html
    assert employer.get(f"{path}/evidence/{photo.public_id}").status_code == 410

    path, _ = make_link(amina, collection, expiry="day")
    link = db.session.scalar(db.select(ShareLink).where(ShareLink.revoked_at.is_(None)))
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert employer.get(path).status_code == 410
    assert employer.get(f"{path}/evidence/{photo.public_id}").status_code == 410


def test_unknown_token_is_404(client):
    assert client.get(f"/s/{'B' * 22}").status_code == 404


def test_machine_urls_are_404_for_a_collection_and_unchanged_for_a_badge(shared):
    folio, collection, amina = shared
    path, _ = make_link(amina, collection)
    employer = new_client(amina.client.application)
    for suffix in ("/credential.json", "/badge.png", "/badge.svg"):
        assert employer.get(path + suffix).status_code == 404
    _link, token = links.create(folio.awards[0], owner=folio.learner, expiry="week", include_evidence=False)
    db.session.commit()
    assert employer.get(f"/s/{token}/credential.json").get_data(as_text=True) == folio.awards[0].credential_json
    assert employer.get(f"/s/{token}/evidence/{folio.evidence[0].public_id}").status_code == 404


def test_deleting_the_collection_ends_its_links(shared):
    _folio, collection, amina = shared
    path, _ = make_link(amina, collection)
    collections.delete(collection)
    db.session.commit()
    assert new_client(amina.client.application).get(path).status_code == 404


def test_empty_shared_collection_says_so(shared):
    _folio, collection, amina = shared
    for item in collections.items_of(collection):
        collections.set_shareable(item, False)
    db.session.commit()
    path, _ = make_link(amina, collection)
    html = new_client(amina.client.application).get(path).get_data(as_text=True)
    assert "Nothing in this collection is shared at the moment." in html


def test_shared_video_plays_with_controls(shared):
    folio, collection, amina = shared
    video = folio.evidence[1]
    video_item = next(item for item in collections.items_of(collection) if item.evidence_id == video.id)
    collections.set_shareable(video_item, True)
    db.session.commit()
    path, _ = make_link(amina, collection)
    employer = new_client(amina.client.application)
    html = employer.get(path).get_data(as_text=True)
    assert f'<video controls preload="metadata" src="{path}/evidence/{video.public_id}">' in html
    code, body, headers = fetch(employer, f"{path}/evidence/{video.public_id}", Range="bytes=0-99")
    assert code == 206 and len(body) == 100 and headers["Content-Type"].startswith("video/")
