"""Serving evidence: only to its owner, in byte ranges for video, never sniffed or cached; deleting it."""
import io
import re

import pytest

from backpack.extensions import db
from backpack.models import Evidence, Role
from tests.conftest import new_client
from tests.evidence import samples
from tests.evidence.conftest import fetch

VIDEO = samples.mp4(3, mdat=20_000)


@pytest.fixture
def video(learner, upload):
    response = upload(learner, VIDEO, "clip.mp4", "video/mp4")
    assert response.status_code == 201
    return db.session.scalar(db.select(Evidence))


def test_media_headers_keep_it_private_and_unsniffed(learner, video):
    status, body, headers = fetch(learner, f"/evidence/{video.public_id}/media")
    assert status == 200 and body == VIDEO
    assert headers["Content-Type"] == "video/mp4"
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Length"] == str(len(VIDEO))
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Disposition"] == "inline"
    assert headers["Cache-Control"] == "private, no-store"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "sandbox" in headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "header, start, end",
    [
        ("bytes=100-199", 100, 199),
        ("bytes=-50", len(VIDEO) - 50, len(VIDEO) - 1),
        (f"bytes={len(VIDEO) - 10}-", len(VIDEO) - 10, len(VIDEO) - 1),
    ],
    ids=["middle", "suffix", "open-ended"],
)
def test_range_request_gets_206_with_exactly_those_bytes(learner, video, header, start, end):
    status, body, headers = fetch(learner, f"/evidence/{video.public_id}/media", Range=header)
    assert status == 206
    assert body == VIDEO[start : end + 1]
    assert headers["Content-Range"] == f"bytes {start}-{end}/{len(VIDEO)}"
    assert headers["Content-Length"] == str(end - start + 1)


def test_range_beyond_the_end_gets_416(learner, video):
    status, _, headers = fetch(learner, f"/evidence/{video.public_id}/media", Range=f"bytes={len(VIDEO) + 10}-")
    assert status == 416 and headers["Content-Range"] == f"bytes */{len(VIDEO)}"


def test_range_for_a_changed_file_gets_the_whole_file(learner, video):
    status, body, _ = fetch(learner, f"/evidence/{video.public_id}/media", Range="bytes=0-9", **{"If-Range": '"other"'})
    assert status == 200 and body == VIDEO


def test_another_learner_gets_404_for_media_thumbnail_and_delete(app, learner, upload, signed_in, stored_files):
    upload(learner, samples.jpeg())
    evidence = db.session.scalar(db.select(Evidence))
    other = signed_in(Role.LEARNER, "Other learner")
    teacher = signed_in(Role.TEACHER, "Teacher")
    for actor in (other, teacher):
        assert fetch(actor, f"/evidence/{evidence.public_id}/media")[0] == 404
        assert fetch(actor, f"/evidence/{evidence.public_id}/thumbnail")[0] == 404
    deleted = other.client.post(f"/evidence/{evidence.public_id}/delete", headers={"X-CSRFToken": other.csrf("/evidence")})
    assert deleted.status_code == 404
    assert db.session.get(Evidence, evidence.id) is not None and len(stored_files()) == 2
    anonymous = new_client(app).get(f"/evidence/{evidence.public_id}/media")
    assert anonymous.status_code == 302 and "/signin" in anonymous.headers["Location"]


def test_unknown_evidence_id_gets_404(learner):
    assert fetch(learner, "/evidence/00000000-0000-0000-0000-000000000000/media")[0] == 404


def test_deleting_removes_the_item_and_its_files(learner, upload, stored_files):
    upload(learner, samples.jpeg())
    evidence = db.session.scalar(db.select(Evidence))
    public_id = evidence.public_id
    response = learner.client.post(
        f"/evidence/{public_id}/delete", headers={"X-CSRFToken": learner.csrf("/evidence"), "Accept": "application/json"}
    )
    assert response.status_code == 204
    db.session.expire_all()
    assert db.session.scalar(db.select(Evidence)) is None and stored_files() == []
    assert fetch(learner, f"/evidence/{public_id}/media")[0] == 404


def test_the_page_works_without_script(learner, stored_files):
    page = learner.client.get("/evidence").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'accept="image/*,video/*,audio/*"' in page and " capture" in page
    assert "<script>" not in page and "style=" not in page
    key = _hidden(page, "idempotency_key")
    form = {
        "csrf_token": _hidden(page, "csrf_token"),
        "idempotency_key": key,
        "title": "My weld",
        "reflection": "I kept the bead even.",
        "file": (io.BytesIO(samples.jpeg()), "weld.jpg", "image/jpeg"),
    }
    response = learner.client.post("/evidence", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith("/evidence")
    listing = learner.client.get("/evidence").get_data(as_text=True)
    evidence = db.session.scalar(db.select(Evidence))
    assert (evidence.title, evidence.reflection) == ("My weld", "I kept the bead even.")
    assert "My weld" in listing and f"/evidence/{evidence.public_id}/thumbnail" in listing
    assert _hidden(listing, "idempotency_key") != key  # a fresh key for the next item


def test_the_page_shows_a_refusal_next_to_the_file_field(learner):
    page = learner.client.get("/evidence").get_data(as_text=True)
    form = {
        "csrf_token": _hidden(page, "csrf_token"),
        "idempotency_key": _hidden(page, "idempotency_key"),
        "file": (io.BytesIO(samples.HTML), "photo.jpg", "image/jpeg"),
    }
    response = learner.client.post("/evidence", data=form)
    assert response.status_code == 415
    assert 'class="field-error"' in response.get_data(as_text=True)


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page)
    assert match, f"no hidden {name}"
    return match.group(1)
