"""The upload endpoint: bad files refused in the learner's language, nothing half stored, nothing twice."""
import io
import threading
import uuid

import pytest
from werkzeug.test import encode_multipart

from backpack.evidence import capture
from backpack.evidence.refusals import Unsupported
from backpack.extensions import db
from backpack.models import Evidence, Role
from backpack.storage import media_store
from tests.evidence import samples
from tests.evidence.conftest import fetch


def evidence_count() -> int:
    return db.session.scalar(db.select(db.func.count(Evidence.id)))


@pytest.mark.parametrize(
    "data, filename, content_type",
    [
        (samples.HTML, "photo.jpg", "image/jpeg"),
        (samples.HTML, "clip.mp4", "video/mp4"),
        (b"#!/bin/sh\nrm -rf ~\n", "voice.m4a", "audio/mp4"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "badge.svg", "image/svg+xml"),
        (b"GIF89a" + b"\0" * 100, "fun.gif", "image/gif"),
        (samples.zip_bomb(), "photos.zip", "image/jpeg"),
        (b"\0\0\0\x18ftyp" + samples.HTML, "video.mp4", "video/mp4"),
    ],
    ids=["html-as-jpg", "html-as-mp4", "script-as-m4a", "svg", "gif", "zip-bomb", "html-behind-ftyp"],
)
def test_files_that_are_not_media_we_take_are_refused(learner, upload, stored_files, data, filename, content_type):
    response = upload(learner, data, filename, content_type)
    assert response.status_code in (400, 415)
    assert response.status_code == 415 or filename == "video.mp4"
    assert response.get_json()["error"]
    assert evidence_count() == 0 and stored_files() == []


def test_refusal_is_a_sentence_for_the_learner(learner, upload):
    response = upload(learner, samples.HTML)
    assert response.get_json()["error"] == str(Unsupported.default_message)
    assert response.get_json()["error"].startswith("We cannot take this kind of file.")


def test_file_over_the_cap_for_its_kind_is_refused_with_413(app, learner, upload, stored_files):
    app.config["EVIDENCE_MAX_BYTES"] = {"photo": 10_000, "video": 3_000, "audio": 10_000, "file": 10_000}
    photo = upload(learner, samples.jpeg((1200, 900)))
    video = upload(learner, samples.mp4(mdat=4000), "clip.mp4", "video/mp4")
    assert (photo.status_code, video.status_code) == (413, 413)
    assert "MB" in photo.get_json()["error"]
    assert evidence_count() == 0 and stored_files() == []


def test_request_over_the_largest_cap_is_refused_before_it_is_read(app, learner, upload):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    response = upload(learner, b"\0" * 100_000, "huge.mp4", "video/mp4")
    assert response.status_code == 413
    assert evidence_count() == 0


def test_same_idempotency_key_twice_stores_one_item(learner, upload, stored_files):
    key = str(uuid.uuid4())
    first = upload(learner, samples.jpeg(), key=key)
    files = stored_files()
    again = upload(learner, samples.jpeg(colour=(0, 0, 0)), key=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json()
    assert evidence_count() == 1 and stored_files() == files and len(files) == 2  # photo + thumbnail


def test_keys_are_per_learner(learner, signed_in, upload):
    key = str(uuid.uuid4())
    mine = upload(learner, samples.jpeg(), key=key)
    theirs = upload(signed_in(Role.LEARNER, "Other"), samples.jpeg(), key=key)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.get_json()["id"] != theirs.get_json()["id"]


def test_two_uploads_of_one_item_at_the_same_moment_store_it_once(app, learner, upload, stored_files, monkeypatch):
    """Both requests pass the 'already stored?' check before either commits."""
    both_checked = threading.Barrier(2, timeout=10)
    real_check = capture.check_media

    def check_then_wait(*args, **kwargs):
        checked = real_check(*args, **kwargs)
        both_checked.wait()
        return checked

    monkeypatch.setattr(capture, "check_media", check_then_wait)
    key, results = str(uuid.uuid4()), []
    csrf = learner.csrf("/evidence")
    clients = [learner.client, _same_session(app, learner.client)]

    def send(client):
        form = {"file": (io.BytesIO(samples.jpeg()), "p.jpg", "image/jpeg"), "idempotency_key": key}
        response = client.post("/evidence", data=form, headers={"X-CSRFToken": csrf, "Accept": "application/json"})
        results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in results) == [200, 201]
    assert results[0][1]["id"] == results[1][1]["id"]
    assert evidence_count() == 1 and len(stored_files()) == 2


def _same_session(app, client):
    from tests.conftest import new_client

    twin = new_client(app)
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie:
            twin.set_cookie(name, cookie.value, domain=cookie.domain)
    return twin


def test_truncated_upload_stores_nothing(app, learner, stored_files):
    boundary, body = encode_multipart(
        {"file": (io.BytesIO(samples.jpeg((800, 600))), "p.jpg", "image/jpeg"), "idempotency_key": str(uuid.uuid4())}
    )
    headers = {"X-CSRFToken": learner.csrf("/evidence"), "Accept": "application/json"}
    content_type = f"multipart/form-data; boundary={boundary}"
    half = body[: len(body) // 2]
    # The connection dropped: fewer bytes arrived than Content-Length promised.
    dropped = learner.client.post(
        "/evidence", input_stream=io.BytesIO(half), content_length=len(body), content_type=content_type, headers=headers
    )
    # A proxy passed on what it had: the multipart body just stops.
    cut = learner.client.post(
        "/evidence", input_stream=io.BytesIO(half), content_length=len(half), content_type=content_type, headers=headers
    )
    assert (dropped.status_code, cut.status_code) == (400, 400)
    assert evidence_count() == 0 and stored_files() == []


def test_upload_without_csrf_token_is_refused(learner, stored_files):
    form = {"file": (io.BytesIO(samples.jpeg()), "p.jpg", "image/jpeg"), "idempotency_key": str(uuid.uuid4())}
    response = learner.client.post("/evidence", data=form, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert evidence_count() == 0 and stored_files() == []


def test_failed_commit_leaves_no_object_behind(app, learner, stored_files, monkeypatch):
    store = media_store()
    written = []
    real_put = store.put

    def put(source, key):
        written.append(key)
        return real_put(source, key)

    def fail():
        raise RuntimeError("database went away")

    monkeypatch.setattr(store, "put", put)
    monkeypatch.setattr(db.session, "commit", fail)
    with pytest.raises(RuntimeError):
        capture.save_evidence(learner.user, samples.jpeg(), idempotency_key=str(uuid.uuid4()))
        db.session.commit()
    assert len(written) == 2 and len(stored_files()) == 2  # photo and thumbnail, waiting on the transaction
    db.session.remove()  # what the end of the request does after the error
    assert stored_files() == []


@pytest.mark.parametrize("key", ["", "not-a-uuid", "../../etc/passwd"])
def test_upload_needs_a_valid_idempotency_key(learner, upload, key, stored_files):
    response = upload(learner, samples.jpeg(), key=key or " ")
    assert response.status_code == 400 and "idempotency_key" in response.get_json()["fields"]
    assert stored_files() == []


def test_capture_time_from_the_phone_is_kept_in_utc(learner, upload):
    response = upload(learner, samples.jpeg(), captured_at="2026-02-03T10:20:30+02:00")
    assert response.status_code == 201
    evidence = db.session.scalar(db.select(Evidence))
    assert evidence.captured_at.isoformat() == "2026-02-03T08:20:30+00:00"
    assert evidence.privacy == "private"


def test_capture_time_in_the_future_is_refused(learner, upload):
    response = upload(learner, samples.jpeg(), captured_at="2999-01-01T00:00:00Z")
    assert response.status_code == 400 and "captured_at" in response.get_json()["fields"]


@pytest.mark.parametrize(
    "data, kind, mimetype",
    [
        (samples.webm(4), "video", "video/webm"),
        (samples.webm(4, video=False), "audio", "audio/webm"),
        (samples.mp4(3, brand=b"qt  "), "video", "video/mp4"),
        (samples.mp4(3, video=False, brand=b"M4A "), "audio", "audio/mp4"),
        (samples.ogg_opus(3), "audio", "audio/ogg"),
        (samples.mp3(2), "audio", "audio/mpeg"),
        (samples.pdf(), "file", "application/pdf"),
    ],
    ids=["webm-video", "webm-audio", "mov", "m4a", "ogg-opus", "mp3", "pdf"],
)
def test_recordings_and_pdfs_are_kept_byte_for_byte(learner, upload, data, kind, mimetype):
    response = upload(learner, data, "upload.bin", "application/octet-stream")
    assert response.status_code == 201, response.get_json()
    status, served, headers = fetch(learner, response.get_json()["url"])
    evidence = db.session.scalar(db.select(Evidence))
    assert status == 200 and served == data
    assert (evidence.kind, evidence.mimetype, headers["Content-Type"]) == (kind, mimetype, mimetype)
    expected = "attachment" if kind == "file" else "inline"
    assert headers["Content-Disposition"].startswith(expected)
