"""A learner's own data, everything exported as one ZIP (deleting the account is account.deletion).

The ZIP is written to an anonymous temporary file, copying evidence from the media store
in chunks, so a long video never sits in memory.
"""
import hashlib
import json
import tempfile
import zipfile
from typing import BinaryIO

from flask import current_app, render_template

from backpack.evidence import voice_feedback
from backpack.evidence.capture import evidence_of
from backpack.learner import badges, importing
from backpack.learner.collections import collections_of
from backpack.models import (
    Evidence,
    User,
)
from backpack.storage import CHUNK, media_store

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/png": "png",
    "video/mp4": "mp4",
    "video/webm": "webm",
    "audio/mp4": "m4a",
    "audio/webm": "webm",
    "audio/ogg": "ogg",
    "audio/aac": "aac",
    "audio/mpeg": "mp3",
    "application/pdf": "pdf",
}


def extension(mimetype: str) -> str:
    return EXTENSIONS.get(mimetype, "bin")


class _Writer:
    """Adds files to the ZIP and remembers each one's size and SHA-256 for the manifest."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.files: list[dict] = []

    def add_bytes(self, name: str, data: bytes, *, compress: bool = True) -> None:
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        self.archive.writestr(info, data)
        self.files.append({"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})

    def add_stream(self, name: str, source: BinaryIO) -> dict:
        """Copy a stream into the ZIP in chunks (stored: media is already compressed)."""
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_STORED
        digest, size = hashlib.sha256(), 0
        with self.archive.open(info, "w", force_zip64=True) as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        entry = {"path": name, "size": size, "sha256": digest.hexdigest()}
        self.files.append(entry)
        return entry


def build_export(learner: User) -> BinaryIO:
    """Write the learner's ZIP to a temporary file and return it, rewound; the caller closes it."""
    awards = badges.awards_of(learner)
    items = evidence_of(learner)
    store = media_store()
    spool = tempfile.TemporaryFile()
    try:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
            writer = _Writer(archive)
            badge_rows = []
            for award in awards:
                base = award.public_id
                writer.add_bytes(f"credentials/{base}.json", award.credential_json.encode("utf-8"))
                writer.add_bytes(f"images/{base}.png", badges.baked_png(award), compress=False)
                writer.add_bytes(f"images/{base}.svg", badges.baked_svg(award))
                badge_rows.append({"award": award, "name": award.achievement.name, "state": badges.state(award)})
            evidence_rows = []
            for item in items:
                base = f"evidence/{item.public_id}"
                media_name = f"{base}.{extension(item.mimetype)}"
                with store.open(item.object_key) as source:
                    entry = writer.add_stream(media_name, source)
                if entry["sha256"] != item.sha256:
                    current_app.logger.warning("evidence %s does not match its checksum", item.public_id)
                writer.add_bytes(f"{base}.txt", _evidence_text(item).encode("utf-8"))
                evidence_rows.append({"item": item, "file": media_name, "text": f"{base}.txt"})
            _add_voice_messages(writer, learner)
            imported_rows = _add_imported(writer, learner)
            index = render_template(
                "learner/export_index.html",
                learner=learner,
                badges=badge_rows,
                evidence=evidence_rows,
                collections=collections_of(learner),
            )
            writer.add_bytes("index.html", index.encode("utf-8"))
            manifest = {
                "format": "backpack-export/1",
                "learner": learner.display_name,
                "files": writer.files,
                "imported": imported_rows,
            }
            archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        spool.seek(0)
        return spool
    except BaseException:
        spool.close()
        raise


def _add_voice_messages(writer: _Writer, learner: User) -> None:
    """Add the teachers' voice messages on the learner's submissions, named by submission and step."""
    store = media_store()
    for step in voice_feedback.voice_messages_of(learner):
        name = f"feedback/{step.submission.public_id}-{step.id}.{extension(step.audio_mimetype)}"
        with store.open(step.audio_key) as source:
            entry = writer.add_stream(name, source)
        if entry["sha256"] != step.audio_sha256:
            current_app.logger.warning("voice message %s does not match its checksum", step.id)


def _add_imported(writer: _Writer, learner: User) -> list[dict]:
    """Add each badge from elsewhere byte for byte, as received; return its manifest rows."""
    rows = []
    for found in importing.imported_of(learner):
        path = f"imported/{importing.filename(found)}"
        writer.add_bytes(path, found.raw, compress=found.media_type != "image/png")
        rows.append({
            "path": path,
            "sha256": found.raw_sha256,
            "name": found.name,
            "issuer": found.issuer_name,
            "format": found.format,
            "status": found.status,
            "source_url": found.source_url,
        })
    return rows


def _evidence_text(item: Evidence) -> str:
    lines = [item.title or "", "", item.reflection or ""]
    return "\n".join(lines).strip() + "\n"
