"""A signed-in learner, an upload helper that speaks like the capture script, and the store's files."""
import io
import uuid
from pathlib import Path

import pytest

from backpack.models import Role


@pytest.fixture
def learner(signed_in):
    return signed_in(Role.LEARNER, "Lena")


@pytest.fixture
def upload():
    """Post a file to /evidence as fetch() does: multipart, X-CSRFToken, Accept JSON."""

    def send(actor, data: bytes, filename="photo.jpg", content_type="image/jpeg", *, key=None, json=True, **fields):
        form = {
            "file": (io.BytesIO(data), filename, content_type),
            "idempotency_key": key or str(uuid.uuid4()),
            **fields,
        }
        headers = {"X-CSRFToken": actor.csrf("/evidence")}
        if json:
            headers["Accept"] = "application/json"
        return actor.client.post("/evidence", data=form, headers=headers)

    return send


@pytest.fixture
def stored_files(app):
    """Return the objects in the media store (and fail if a partial write was left behind)."""

    def files() -> list[Path]:
        root = Path(app.config["MEDIA_PATH"])
        assert not any((root / ".incoming").iterdir()), "a partial write was left behind"
        return sorted(path for path in root.glob("*/*") if path.parent.name != ".incoming")

    return files


def fetch(actor, url: str, **headers) -> tuple[int, bytes, dict]:
    response = actor.client.get(url, headers=headers)
    body = response.get_data()
    response.close()
    return response.status_code, body, response.headers
