"""Media in an S3-compatible bucket (AWS S3, SeaweedFS, MinIO, Ceph, R2...), through boto3.

Writes stream: small objects go up in one PUT, larger ones as a multipart upload of
PART_SIZE parts, so at most one part is in memory however long the video. S3 shows an
object only once its PUT or multipart upload completes, so a write that fails half way
leaves nothing (the upload is aborted). Every write is conditional (If-None-Match: *):
objects are write-once, as on local disk.

Reads are lazy ranged GETs: `open` returns a seekable file whose read streams from the
current position to the end in one GET, and a seek that moves elsewhere starts a new one.
Werkzeug's Range handling seeks once and reads on, so a 206 costs one HEAD and one GET,
and nothing is downloaded that the client did not ask for.
"""
import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from typing import BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask

from backpack.storage import CHUNK, KEY_PATTERN, MediaStore, MediaStoreUnavailable, StoredObject, check_key

# S3's smallest part (but the last) is 5 MiB; 8 MiB keeps a 200 MB video under 30 parts.
PART_SIZE = 8 * 1024 * 1024
MISSING = {"404", "NoSuchKey", "NotFound"}
TAKEN = {"412", "PreconditionFailed", "ConditionalRequestConflict"}
BUSY = {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout"}


class S3MediaStore(MediaStore):
    """Objects at <bucket>/<key>; the bucket is made by whoever deploys, not by the app."""

    def __init__(self, client, bucket: str):
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_config(cls, app: Flask) -> "S3MediaStore":
        """Make a client from the S3_* settings.

        Credentials come from boto3's usual places (AWS_ACCESS_KEY_ID and
        AWS_SECRET_ACCESS_KEY, ~/.aws, an instance role) unless the app's config
        carries S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, as the tests' does.
        """
        config = app.config
        if not config.get("S3_BUCKET"):
            raise RuntimeError("MEDIA_STORE='s3' needs S3_BUCKET")
        client = boto3.client(
            "s3",
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            region_name=config.get("S3_REGION"),
            aws_access_key_id=config.get("S3_ACCESS_KEY_ID"),
            aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
            # Path-style addressing works with every S3-compatible server, with or without DNS.
            config=Config(s3={"addressing_style": config.get("S3_ADDRESSING_STYLE") or "path"}, retries={"mode": "standard"}),
        )
        return cls(client, config["S3_BUCKET"])

    def name(self, key: str) -> str:
        """Return the object's name in the bucket."""
        return check_key(key)

    def put(self, source: bytes | BinaryIO, key: str) -> StoredObject:
        name = self.name(key)
        if self.exists(key):
            raise FileExistsError(key)
        digest, size = hashlib.sha256(), 0
        parts = _parts(source)
        first = next(parts, b"")
        second = next(parts, None)
        with _translated(key):
            if second is None:
                digest.update(first)
                self.client.put_object(Bucket=self.bucket, Key=name, Body=first, IfNoneMatch="*")
                return StoredObject(key=key, size=len(first), sha256=digest.hexdigest())
            upload = self.client.create_multipart_upload(Bucket=self.bucket, Key=name)["UploadId"]
            try:
                done = []
                for number, part in enumerate(_chain(first, second, parts), start=1):
                    digest.update(part)
                    size += len(part)
                    answer = self.client.upload_part(
                        Bucket=self.bucket, Key=name, UploadId=upload, PartNumber=number, Body=part
                    )
                    done.append({"PartNumber": number, "ETag": answer["ETag"]})
                self.client.complete_multipart_upload(
                    Bucket=self.bucket, Key=name, UploadId=upload, MultipartUpload={"Parts": done}, IfNoneMatch="*"
                )
            except BaseException:
                # If the abort fails too, the bucket's lifecycle rule for incomplete uploads cleans up.
                with suppress(ClientError, BotoCoreError):
                    self.client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload)
                raise
        return StoredObject(key=key, size=size, sha256=digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        return io.BufferedReader(RangedObject(self, key, self.size(key)), buffer_size=CHUNK)

    def size(self, key: str) -> int:
        name = self.name(key)
        with _translated(key):
            return self.client.head_object(Bucket=self.bucket, Key=name)["ContentLength"]

    def delete(self, key: str) -> None:
        name = self.name(key)
        with _translated(key):
            self.client.delete_object(Bucket=self.bucket, Key=name)  # S3 answers 204 for a missing key too

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except FileNotFoundError:
            return False
        return True

    def keys_older_than(self, seconds: float) -> Iterator[str]:
        cutoff = datetime.now(UTC) - timedelta(seconds=seconds)
        with _translated("(listing)"):
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
                for item in page.get("Contents", []):
                    if item["LastModified"] < cutoff and KEY_PATTERN.fullmatch(item["Key"]):
                        yield item["Key"]

    def sweep_partial(self, seconds: float) -> int:
        cutoff, removed = datetime.now(UTC) - timedelta(seconds=seconds), 0
        with _translated("(multipart uploads)"):
            answer = self.client.list_multipart_uploads(Bucket=self.bucket)
            for upload in answer.get("Uploads", []):
                if upload["Initiated"] < cutoff:
                    self.client.abort_multipart_upload(Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"])
                    removed += 1
        return removed


class RangedObject(io.RawIOBase):
    """A read-only, seekable view of one object that fetches bytes with ranged GETs."""

    def __init__(self, store: S3MediaStore, key: str, length: int):
        self.store = store
        self.key = key
        self.length = length
        self.position = 0
        self.body = None  # the open GET, positioned at self.position

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.length}[whence]
        target = max(0, base + offset)
        if target != self.position:
            self._drop()
            self.position = target
        return self.position

    def readinto(self, buffer) -> int:
        if self.position >= self.length or len(buffer) == 0:
            return 0
        if self.body is None:
            with _translated(self.key):
                answer = self.store.client.get_object(
                    Bucket=self.store.bucket, Key=self.store.name(self.key), Range=f"bytes={self.position}-"
                )
            self.body = answer["Body"]
        data = self.body.read(len(buffer))
        if not data:
            raise OSError(f"media object {self.key} ended early at byte {self.position}")
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)

    def close(self) -> None:
        self._drop()
        super().close()

    def _drop(self) -> None:
        if self.body is not None:
            self.body.close()
            self.body = None


def _parts(source: bytes | BinaryIO):
    """Yield the source in PART_SIZE pieces (the last may be shorter; at least one, maybe empty)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        for start in range(0, max(len(data), 1), PART_SIZE):
            yield data[start : start + PART_SIZE]
        return
    part = bytearray()
    while chunk := source.read(CHUNK):
        part += chunk
        if len(part) >= PART_SIZE:
            yield bytes(part[:PART_SIZE])
            del part[:PART_SIZE]
    if part:
        yield bytes(part)


def _chain(first: bytes, second: bytes, rest):
    yield first
    yield second
    yield from rest


@contextmanager
def _translated(key: str):
    """Turn S3 errors into the OSErrors the local store raises, so callers handle one kind."""
    try:
        yield
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in MISSING:
            raise FileNotFoundError(key) from error
        if code in TAKEN:
            raise FileExistsError(key) from error
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if status >= 500 or code in BUSY:
            raise MediaStoreUnavailable(f"S3 cannot take {key} now: {code}") from error
        raise OSError(f"S3 refused {key}: {code}") from error
    except BotoCoreError as error:
        raise MediaStoreUnavailable(f"S3 unreachable for {key}: {error}") from error
