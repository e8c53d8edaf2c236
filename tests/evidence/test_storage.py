"""The local media store: random keys only, whole objects only, ranges read back exactly."""
import hashlib
import io
from pathlib import Path

import pytest

from backpack import create_app, storage
from backpack.storage import StoredObject, media_store, new_key
from backpack.storage.local import LocalMediaStore


@pytest.fixture
def store(tmp_path):
    return LocalMediaStore(tmp_path / "media")


def test_put_returns_size_and_checksum_and_reads_back(store):
    key = new_key()
    stored = store.put(b"hello evidence", key)
    assert stored == StoredObject(key, 14, hashlib.sha256(b"hello evidence").hexdigest())
    assert store.exists(key) and store.size(key) == 14
    assert store.read(key) == b"hello evidence"
    assert store.read(key, 6, 3) == b"evi"
    assert store.read(key, 6) == b"evidence"


def test_a_stream_is_copied_in_chunks(store):
    data = bytes(range(256)) * 12_000  # 3 MB, more than one chunk
    key = new_key()
    stored = store.put(io.BytesIO(data), key)
    assert stored.size == len(data) and stored.sha256 == hashlib.sha256(data).hexdigest()
    with store.open(key) as stream:
        stream.seek(len(data) - 4)
        assert stream.read() == data[-4:]


def test_objects_are_write_once(store):
    key = new_key()
    store.put(b"first", key)
    with pytest.raises(FileExistsError):
        store.put(b"second", key)
    assert store.read(key) == b"first"


@pytest.mark.parametrize("key", ["../../etc/passwd", "photo.jpg", "A" * 32, "", "0" * 31, "0" * 33, None])
def test_keys_not_made_by_the_store_are_refused(store, key):
    with pytest.raises(ValueError):
        store.put(b"x", key)
    with pytest.raises(ValueError):
        store.exists(key)


def test_keys_are_random():
    keys = {new_key() for _ in range(1000)}
    assert len(keys) == 1000 and all(storage.KEY_PATTERN.fullmatch(key) for key in keys)


def test_a_write_that_fails_half_way_leaves_nothing(store):
    class Dropping(io.RawIOBase):
        sent = 0

        def read(self, size=-1):
            self.sent += 1
            if self.sent > 2:
                raise ConnectionResetError("client went away")
            return b"x" * 1024

    key = new_key()
    with pytest.raises(ConnectionResetError):
        store.put(Dropping(), key)
    assert not store.exists(key)
    assert list((store.root / ".incoming").iterdir()) == []


def test_deleting_twice_is_fine(store):
    key = new_key()
    store.put(b"x", key)
    store.delete(key)
    store.delete(key)
    assert not store.exists(key)


def test_the_app_keeps_media_in_its_instance_folder(app):
    assert isinstance(media_store(), LocalMediaStore)
    assert media_store().root == Path(app.instance_path) / "media"


def test_an_unknown_store_stops_the_app_at_start_up(tmp_path):
    with pytest.raises(RuntimeError, match="MEDIA_STORE"):
        create_app({"INSTANCE_PATH": str(tmp_path), "MEDIA_STORE": "s3", "SECRET_KEY": "x"})
