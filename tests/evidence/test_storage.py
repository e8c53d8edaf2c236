"""The media store contract, on local disk and on a real S3 server: random keys only, whole
objects only, ranges read back exactly."""
import hashlib
import io
from pathlib import Path

import pytest

from backpack import create_app, storage
from backpack.storage import StoredObject, media_store, new_key, s3
from backpack.storage.local import LocalMediaStore
from tests.support.servers import s3_store


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "s3":
        return s3_store(request.getfixturevalue("s3_bucket"))
    return LocalMediaStore(tmp_path / "media")


def partial_writes(store) -> list:
    """Return what a failed write left behind: temporary files, or unfinished multipart uploads."""
    if isinstance(store, LocalMediaStore):
        return list((store.root / ".incoming").iterdir())
    return store.client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])


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
        """Sends two S3 parts and then fails, so the S3 store has a multipart upload to abort."""

        sent = 0

        def read(self, size=-1):
            self.sent += 1
            if self.sent * size > 2 * s3.PART_SIZE + size:
                raise ConnectionResetError("client went away")
            return b"x" * size

    key = new_key()
    with pytest.raises(ConnectionResetError):
        store.put(Dropping(), key)
    assert not store.exists(key)
    assert partial_writes(store) == []


def test_a_large_stream_goes_up_in_parts_and_reads_back_from_any_offset(store):
    data = bytes(range(251)) * (2 * s3.PART_SIZE // 251 + 3)  # two full parts and a short one
    key = new_key()
    stored = store.put(io.BytesIO(data), key)
    assert stored.size == len(data) and stored.sha256 == hashlib.sha256(data).hexdigest()
    assert store.size(key) == len(data)
    with store.open(key) as stream:
        stream.seek(s3.PART_SIZE - 3)
        assert stream.read(6) == data[s3.PART_SIZE - 3 : s3.PART_SIZE + 3]
        stream.seek(-5, io.SEEK_END)
        assert stream.read() == data[-5:] and stream.read() == b""
        stream.seek(10)
        assert stream.read(4) == data[10:14] and stream.tell() == 14


def test_a_missing_object_is_file_not_found(store):
    key = new_key()
    with pytest.raises(FileNotFoundError):
        store.open(key)
    with pytest.raises(FileNotFoundError):
        store.size(key)


def test_an_empty_object_is_kept(store):
    key = new_key()
    assert store.put(b"", key) == StoredObject(key, 0, hashlib.sha256(b"").hexdigest())
    assert store.exists(key) and store.read(key) == b""


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
        create_app({"INSTANCE_PATH": str(tmp_path), "MEDIA_STORE": "ftp", "SECRET_KEY": "x"})


def test_the_sweep_sees_old_objects_and_leaves_young_ones(store):
    key = store.put(b"an object", new_key()).key
    assert key in set(store.keys_older_than(-60))  # everything is older than a minute from now
    assert key not in set(store.keys_older_than(3600))  # nothing here is an hour old yet
    assert store.sweep_partial(3600) == 0
