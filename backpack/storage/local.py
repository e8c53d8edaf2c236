"""Media on the local disk: one file per object, written atomically."""
import errno
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from backpack.storage import CHUNK, KEY_PATTERN, MediaStore, MediaStoreUnavailable, StoredObject, check_key

# The disk cannot take a file now; the phone keeps it and sends it again later.
UNAVAILABLE = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}


class LocalMediaStore(MediaStore):
    """Objects under root/<first two hex digits>/<key>; partial writes live in root/.incoming.

    A write goes to a temporary file in the same file system, is flushed to disk and only
    then renamed into place, so a reader (or a crash) never sees half an object.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.incoming = self.root / ".incoming"
        self.incoming.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        """Return where the object lives on disk (for tests and the data export)."""
        key = check_key(key)
        return self.root / key[:2] / key

    def put(self, source: bytes | BinaryIO, key: str) -> StoredObject:
        target = self.path(key)
        if target.exists():
            raise FileExistsError(key)
        digest, size = hashlib.sha256(), 0
        handle, temporary = tempfile.mkstemp(dir=self.incoming)
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in _chunks(source):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            target.parent.mkdir(exist_ok=True)
            os.replace(temporary, target)
        except BaseException as error:
            Path(temporary).unlink(missing_ok=True)
            if isinstance(error, OSError) and error.errno in UNAVAILABLE:
                raise MediaStoreUnavailable(error.errno, f"cannot store {key}: {error.strerror}") from error
            raise
        return StoredObject(key=key, size=size, sha256=digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def size(self, key: str) -> int:
        return self.path(key).stat().st_size

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def keys_older_than(self, seconds: float) -> Iterator[str]:
        cutoff = time.time() - seconds
        for folder in self.root.iterdir():
            if folder.name.startswith(".") or not folder.is_dir():
                continue
            for path in folder.iterdir():
                if KEY_PATTERN.fullmatch(path.name) and path.stat().st_mtime < cutoff:
                    yield path.name

    def sweep_partial(self, seconds: float) -> int:
        cutoff, removed = time.time() - seconds, 0
        for path in self.incoming.iterdir():
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def _chunks(source: bytes | BinaryIO):
    if isinstance(source, (bytes, bytearray, memoryview)):
        yield bytes(source)
        return
    while chunk := source.read(CHUNK):
        yield chunk
