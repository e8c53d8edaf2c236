"""Decide what an uploaded file really is from its bytes, and whether we keep it.

The file name and the Content-Type are the sender's word and are never read. Photos are
re-encoded (see photos.py); videos, sound recordings and PDFs are kept byte for byte once
their container has been walked from the first byte to the last, so a file that only
starts like a video, or carries something after the recording, is refused.
"""
import io
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app

from backpack import raster
from backpack.evidence import audio_streams, isobmff, matroska, photos
from backpack.evidence.refusals import Broken, TooLarge, TooLong, Unsupported
from backpack.models import EvidenceKind

HEAD = 64


@dataclass(frozen=True)
class Limits:
    max_bytes: dict  # kind -> bytes
    max_seconds: dict  # kind -> seconds (video and audio)
    max_pixels: int
    image_side: int

    @classmethod
    def from_config(cls, config=None) -> "Limits":
        config = config or current_app.config
        return cls(
            max_bytes=dict(config["EVIDENCE_MAX_BYTES"]),
            max_seconds=dict(config["EVIDENCE_MAX_SECONDS"]),
            max_pixels=config["EVIDENCE_MAX_PIXELS"],
            image_side=config["EVIDENCE_IMAGE_SIDE"],
        )


@dataclass(frozen=True)
class CheckedMedia:
    kind: str
    mimetype: str
    body: bytes | BinaryIO  # what to store: new bytes for photos, the upload itself otherwise
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    thumbnail: bytes | None = None


def check_media(source: bytes | BinaryIO, limits: Limits) -> CheckedMedia:
    """Return what to store for an upload, or raise a MediaRefused saying why not."""
    stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
    size = stream.seek(0, io.SEEK_END)
    if size == 0:
        raise Broken()
    largest = max(limits.max_bytes.values())
    if size > largest:
        raise TooLarge.over(largest)
    stream.seek(0)
    head = stream.read(HEAD)
    picture = raster.sniff(head)
    if picture:
        return _photo(stream, size, picture, limits)
    if head.startswith(b"%PDF-"):
        return _pdf(stream, size, limits)
    recording = _recording(stream, size, head)
    _within(limits, recording.kind, size)
    most = limits.max_seconds.get(recording.kind)
    if most and recording.duration and recording.duration > most:
        raise TooLong.over(most)
    stream.seek(0)
    return CheckedMedia(
        recording.kind,
        recording.mimetype,
        stream,
        width=recording.width,
        height=recording.height,
        duration=round(recording.duration, 3) if recording.duration else None,
    )


def _within(limits: Limits, kind: str, size: int) -> None:
    most = limits.max_bytes[kind]
    if size > most:
        raise TooLarge.over(most)


def _photo(stream, size, picture, limits) -> CheckedMedia:
    _within(limits, EvidenceKind.PHOTO, size)
    stream.seek(0)
    clean = photos.clean_photo(
        stream.read(), picture, longest=limits.image_side, max_pixels=limits.max_pixels
    )
    return CheckedMedia(
        EvidenceKind.PHOTO.value,
        clean.mimetype,
        clean.data,
        width=clean.width,
        height=clean.height,
        thumbnail=clean.thumbnail,
    )


def _pdf(stream, size, limits) -> CheckedMedia:
    """Keep a PDF that starts and ends like one; it is only ever served as a download."""
    _within(limits, EvidenceKind.FILE, size)
    stream.seek(max(0, size - 1024))
    if b"%%EOF" not in stream.read():
        raise Broken()
    stream.seek(0)
    return CheckedMedia(EvidenceKind.FILE.value, "application/pdf", stream)


def _recording(stream, size, head):
    if isobmff.is_isobmff(head):
        return isobmff.inspect(stream, size)
    if matroska.is_ebml(head):
        return matroska.inspect(stream, size)
    if audio_streams.is_ogg(head):
        return audio_streams.inspect_ogg(stream, size)
    if audio_streams.is_mpeg_audio(head):
        return audio_streams.inspect_mpeg(stream, size)
    raise Unsupported()
