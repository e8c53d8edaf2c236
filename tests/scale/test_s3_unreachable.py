"""An S3 bucket that cannot be reached: the upload is refused in plain words, nothing is kept,
and the phone's retry of the same item is stored once the bucket answers again."""
import io
import uuid

import pytest
from flask_babel import force_locale

from backpack.evidence.refusals import NoRoom
from backpack.extensions import db
from backpack.models import Evidence, Role
from backpack.storage import media_store
from tests.conftest import build_app, with_tables
from tests.evidence import samples
from tests.support.servers import free_port, s3_store

NO_ROOM = "There is no space to keep this right now. It stays on your phone and will be sent later."


@pytest.fixture
def app(tmp_path, s3_bucket):
    # The bucket's settings, but at an address where no S3 server listens.
    unreachable = {**s3_bucket, "S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}
    yield from with_tables(build_app(tmp_path, **unreachable))


def send(actor, key: str):
    form = {"file": (io.BytesIO(samples.jpeg()), "photo.jpg", "image/jpeg"), "idempotency_key": key}
    headers = {"X-CSRFToken": actor.csrf("/evidence"), "Accept": "application/json"}
    return actor.client.post("/evidence", data=form, headers=headers)


def test_an_unreachable_bucket_is_refused_in_plain_words_and_the_retry_is_stored_once(app, signed_in, s3_bucket):
    learner = signed_in(Role.LEARNER, "Lena")
    key = str(uuid.uuid4())

    refused = send(learner, key)
    assert refused.status_code == 507
    assert refused.get_json()["error"] == NO_ROOM
    with force_locale("es"):
        in_spanish = str(NoRoom.default_message)
    assert in_spanish != NO_ROOM
    learner.user.preferred_language = "es"  # and in the language she reads
    db.session.commit()
    assert send(learner, key).get_json()["error"] == in_spanish
    assert db.session.scalar(db.select(db.func.count(Evidence.id))) == 0

    # The bucket answers again (here: the address is put right); the phone sends the same item.
    media_store().client = s3_store(s3_bucket).client
    stored = send(learner, key)
    assert stored.status_code == 201, stored.get_data(as_text=True)
    again = send(learner, key)
    assert again.status_code == 200
    evidence = db.session.scalars(db.select(Evidence)).one()
    assert media_store().exists(evidence.object_key)
