"""Evidence in a bucket on a real S3 server (SeaweedFS): uploaded, served in ranges, deleted."""
import io
import uuid

import pytest

from backpack.extensions import db
from backpack.models import Evidence, Role
from backpack.storage import media_store
from backpack.storage.s3 import S3MediaStore
from tests.conftest import build_app, with_tables
from tests.evidence import samples
from tests.evidence.conftest import fetch

VIDEO = samples.mp4(3, mdat=20_000)


@pytest.fixture
def app(tmp_path, s3_bucket):
    yield from with_tables(build_app(tmp_path, **s3_bucket))


@pytest.fixture
def learner(signed_in):
    return signed_in(Role.LEARNER, "Lena")


def upload(actor, data: bytes, filename: str, content_type: str) -> Evidence:
    form = {"file": (io.BytesIO(data), filename, content_type), "idempotency_key": str(uuid.uuid4())}
    headers = {"X-CSRFToken": actor.csrf("/evidence"), "Accept": "application/json"}
    response = actor.client.post("/evidence", data=form, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return db.session.scalar(db.select(Evidence).where(Evidence.public_id == response.get_json()["id"]))


def in_bucket(key: str) -> bytes | None:
    """Read the object straight from the bucket, not through the app."""
    store = media_store()
    try:
        return store.client.get_object(Bucket=store.bucket, Key=key)["Body"].read()
    except store.client.exceptions.NoSuchKey:
        return None


def test_an_uploaded_video_lands_in_the_bucket_and_is_served_in_ranges(app, learner):
    assert isinstance(media_store(), S3MediaStore)
    video = upload(learner, VIDEO, "clip.mp4", "video/mp4")
    assert in_bucket(video.object_key) == VIDEO

    status, body, headers = fetch(learner, f"/evidence/{video.public_id}/media", Range="bytes=100-199")
    assert status == 206 and body == VIDEO[100:200]
    assert headers["Content-Range"] == f"bytes 100-199/{len(VIDEO)}"
    status, body, _ = fetch(learner, f"/evidence/{video.public_id}/media", Range="bytes=-50")
    assert status == 206 and body == VIDEO[-50:]
    status, body, _ = fetch(learner, f"/evidence/{video.public_id}/media")
    assert status == 200 and body == VIDEO


def test_deleting_a_photo_removes_it_and_its_thumbnail_from_the_bucket(app, learner):
    photo = upload(learner, samples.jpeg(), "photo.jpg", "image/jpeg")
    keys = [photo.object_key, photo.thumbnail_key]
    assert all(in_bucket(key) for key in keys)
    assert fetch(learner, f"/evidence/{photo.public_id}/thumbnail")[0] == 200

    deleted = learner.client.post(
        f"/evidence/{photo.public_id}/delete", headers={"X-CSRFToken": learner.csrf("/evidence"), "Accept": "application/json"}
    )
    assert deleted.status_code == 204
    assert [in_bucket(key) for key in keys] == [None, None]
