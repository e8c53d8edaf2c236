"""What a crash or a full disk leaves behind: swept, or refused in plain words with nothing lost."""
import errno
import io
import os
import time
import uuid

import pytest

from backpack.evidence import capture, sweep
from backpack.extensions import db
from backpack.models import Evidence
from backpack.storage import MediaStoreUnavailable, media_store, new_key
from tests.evidence import samples


def age(path, seconds: float) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_the_sweep_removes_old_partial_writes_and_files_with_no_row_and_keeps_the_rest(app, learner):
    store = media_store()
    kept, _created = capture.save_evidence(learner.user, samples.jpeg(), idempotency_key=str(uuid.uuid4()))
    db.session.commit()
    orphan = store.put(b"written, then the process died before its row committed", new_key()).key
    young_orphan = store.put(b"its transaction may still be open", new_key()).key
    partial = store.incoming / "tmp-killed-mid-upload"
    partial.write_bytes(b"x" * 1024)
    young_partial = store.incoming / "tmp-still-uploading"
    young_partial.write_bytes(b"y")
    for path in (store.path(kept.object_key), store.path(kept.thumbnail_key), store.path(orphan), partial):
        age(path, 2 * 3600)

    assert sweep.sweep() == 2
    assert not store.exists(orphan) and not partial.exists()
    assert store.exists(kept.object_key) and store.exists(kept.thumbnail_key)
    assert store.exists(young_orphan) and young_partial.exists()


def test_a_full_disk_is_refused_in_plain_words_and_nothing_is_stored(app, learner, monkeypatch):
    store = media_store()
    real_put = store.put
    calls = []

    def full(source, key):
        calls.append(key)
        if len(calls) == 2:  # the photo was written, the thumbnail finds the disk full
            raise MediaStoreUnavailable(errno.ENOSPC, "No space left on device")
        return real_put(source, key)

    monkeypatch.setattr(store, "put", full)
    response = learner.client.post(
        "/evidence",
        data={"csrf_token": learner.csrf("/evidence"), "idempotency_key": str(uuid.uuid4()),
              "file": (io.BytesIO(samples.jpeg()), "photo.jpg")},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 507
    assert response.get_json()["error"] == "There is no space to keep this right now. It stays on your phone and will be sent later."
    db.session.remove()
    assert db.session.scalar(db.select(db.func.count(Evidence.id))) == 0
    assert not store.exists(calls[0])  # the photo written before the disk filled went with the transaction


def test_the_local_store_says_a_full_disk_is_a_full_disk(app, monkeypatch):
    store = media_store()

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(MediaStoreUnavailable):
        store.put(b"data", new_key())
    assert list(store.incoming.iterdir()) == []  # the partial write went at once


def test_a_full_disk_told_to_the_plain_form_keeps_what_was_typed(app, learner, monkeypatch):
    """Without the script there is no queue on the phone: the page says to try later and keeps the words."""

    def full(source, key):
        raise MediaStoreUnavailable(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(media_store(), "put", full)
    response = learner.client.post(
        "/evidence",
        data={"csrf_token": learner.csrf("/evidence"), "idempotency_key": str(uuid.uuid4()),
              "title": "Kitchen shelf", "reflection": "I fixed it to the wall.",
              "file": (io.BytesIO(samples.jpeg()), "photo.jpg")},
    )
    assert response.status_code == 507
    html = response.get_data(as_text=True)
    assert "There is no space to keep this right now. Please try again later." in html
    assert "It stays on your phone" not in html
    assert 'value="Kitchen shelf"' in html and "I fixed it to the wall." in html
    db.session.remove()
    assert db.session.scalar(db.select(db.func.count(Evidence.id))) == 0
