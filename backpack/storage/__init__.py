"""The media store: where evidence files live, behind one small interface.

The app only ever talks to a MediaStore. Local disk under the instance folder is the
default; an S3-compatible bucket (storage/s3.py) is the other, chosen with MEDIA_STORE,
with no change to the code that calls it.

Keys are always made here by new_key(), never from a file name or anything a person sent,
so a key can't climb out of the store or collide with another person's file.
"""
import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

KEY_PATTERN = re.compile(r"[0-9a-f]{32}")
CHUNK = 1024 * 1024


def new_key() -> str:
    """Return a fresh random object key (128 bits, hex)."""
    return secrets.token_hex(16)


def check_key(key: str) -> str:
    """Return the key if new_key() could have made it; refuse anything else."""
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise ValueError("not a media key")
    return key


class MediaStoreUnavailable(OSError):
    """The store cannot keep anything now (disk full, read-only, bucket unreachable): try again later."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str


class MediaStore(ABC):
    """Write-once objects addressed by random keys."""

    @abstractmethod
    def put(self, source: bytes | BinaryIO, key: str) -> StoredObject:
        """Store the bytes (or the rest of the stream) under a new key, all or nothing."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """Return a seekable binary file for reading the object; the caller closes it."""

    @abstractmethod
    def size(self, key: str) -> int:
        """Return the object's size in bytes."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; removing one that is already gone is not an error."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Tell whether an object is stored under the key."""

    @abstractmethod
    def keys_older_than(self, seconds: float) -> Iterator[str]:
        """Yield the keys of objects stored more than `seconds` ago (for the orphan sweep)."""

    @abstractmethod
    def sweep_partial(self, seconds: float) -> int:
        """Remove writes abandoned more than `seconds` ago (a crash mid-upload); return how many."""

    def read(self, key: str, start: int = 0, length: int | None = None) -> bytes:
        """Return `length` bytes from `start` (to the end when length is None)."""
        with self.open(key) as stream:
            stream.seek(start)
            return stream.read(-1 if length is None else length)


def _local(app: Flask) -> MediaStore:
    from backpack.storage.local import LocalMediaStore

    return LocalMediaStore(app.config["MEDIA_PATH"])


def _s3(app: Flask) -> MediaStore:
    try:
        from backpack.storage.s3 import S3MediaStore
    except ImportError as error:
        raise RuntimeError("MEDIA_STORE='s3' needs boto3: pip install 'backpack[s3]'") from error
    return S3MediaStore.from_config(app)


# MEDIA_STORE name -> factory; imported lazily so boto3 is only needed where it is used.
STORES = {"local": _local, "s3": _s3}


# Keys waiting on the session's transaction, in Session.info.
WRITTEN = "backpack.media.written"  # stored for rows not yet committed: delete unless they commit
UNUSED = "backpack.media.unused"  # of rows deleted but not yet committed: delete once they commit


def keep_with_transaction(session: Session, *keys: str | None) -> None:
    """Delete these new objects again unless the session's transaction commits.

    Feature functions store a file, add its row and flush; the view commits. Whatever
    ends the transaction otherwise (an error, a rollback, a closed session) removes the
    files, so a file and its row become visible together or not at all.
    """
    session.info.setdefault(WRITTEN, []).extend(key for key in keys if key)


def delete_after_commit(session: Session, *keys: str | None) -> None:
    """Delete these objects once the transaction that removed their rows commits.

    A failed commit keeps the rows and their files; a failed delete afterwards leaves an
    unused file, never a row without its file.
    """
    session.info.setdefault(UNUSED, []).extend(key for key in keys if key)


def _delete_quietly(keys: list[str]) -> None:
    store = media_store()
    for key in keys:
        try:
            store.delete(key)
        except OSError:
            current_app.logger.exception("could not delete media object %s", key)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(WRITTEN, None)
    if unused := session.info.pop(UNUSED, None):
        _delete_quietly(unused)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction) -> None:
    if transaction.parent is not None:
        return
    session.info.pop(UNUSED, None)
    if written := session.info.pop(WRITTEN, None):
        _delete_quietly(written)


def init_app(app: Flask) -> None:
    """Create the configured store once, failing at start-up on an unknown name."""
    name = app.config["MEDIA_STORE"]
    if name not in STORES:
        raise RuntimeError(f"MEDIA_STORE={name!r} is not one of {sorted(STORES)}")
    app.extensions["media_store"] = STORES[name](app)


def media_store() -> MediaStore:
    """Return the current app's media store."""
    return current_app.extensions["media_store"]
