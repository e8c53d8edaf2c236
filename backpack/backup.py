"""One archive holding everything an instance needs: the database, the media and the keys.

`flask backup PATH` writes a gzipped tar:

    manifest.json                 what is inside, and each file's SHA-256
    database.sqlite3              SQLite: a consistent copy made with SQLite's backup API,
                                  safe while the app runs and writes
    database.pgdump               PostgreSQL: `pg_dump --format=custom` (needs PostgreSQL's client tools)
    media/<key>                   evidence files, when they live on this machine's disk
    keys/secret_key               signs sessions
    keys/key_encryption_secret    seals the issuers' private keys (without it no badge can be issued again)
    keys/vapid_private_key.pem    Web Push: browsers' subscriptions are bound to it

The archive is written to a temporary file beside PATH and renamed onto PATH only when
complete, so a full disk or a crash leaves no half-written archive. `flask restore PATH`
puts it all back into an empty instance (the one BACKPACK_INSTANCE_PATH and DATABASE_URL
name), refusing one that already holds data unless told to overwrite it.
"""
import errno
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from backpack.extensions import db

FORMAT = 1
KEY_FILES = {
    "secret_key": "SECRET_KEY",
    "key_encryption_secret": "KEY_ENCRYPTION_SECRET",
}
VAPID_FILE = "vapid_private_key.pem"


class BackupError(Exception):
    """A backup or restore that cannot be done, with a reason a person can act on."""


def _database_kind(app: Flask) -> str:
    backend = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL databases, not {backend}.")
    return backend


def _libpq(app: Flask) -> tuple[str, dict]:
    """The database URL as pg_dump and pg_restore read it, and their environment: the password
    goes in PGPASSWORD, never on a command line that `ps` shows."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(password=None).render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} was not found: backing up or restoring PostgreSQL needs PostgreSQL's client tools "
            "(apt-get install postgresql-client), of a version at least the server's."
        )
    return found


def _sqlite_path(app: Flask) -> str:
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database


def _dump_database(app: Flask, folder: Path) -> Path:
    """Write a consistent copy of the database into folder; return its path."""
    if _database_kind(app) == "sqlite":
        target = folder / "database.sqlite3"
        source = sqlite3.connect(_sqlite_path(app))
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)  # one snapshot, even while the app writes
        finally:
            copy.close()
            source.close()
        return target
    target = folder / "database.pgdump"
    url, env = _libpq(app)
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", url], env)
    return target


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=3600, env=env)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _key_values(app: Flask) -> dict[str, bytes]:
    """The instance's secrets as they are in use (from the environment or the instance folder)."""
    values = {name: app.config[setting].encode() for name, setting in KEY_FILES.items()}
    configured = app.config.get("NOTIFY_VAPID_PRIVATE_KEY")
    vapid_path = Path(app.instance_path) / VAPID_FILE
    if configured:
        values[VAPID_FILE] = configured.encode()
    elif vapid_path.exists():
        values[VAPID_FILE] = vapid_path.read_bytes()
    return values


def _media_root(app: Flask) -> Path | None:
    return Path(app.config["MEDIA_PATH"]) if app.config["MEDIA_STORE"] == "local" else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_backup(app: Flask, path: Path) -> dict:
    """Write the instance's database, media and keys to one archive at path; return its manifest."""
    path = Path(path).absolute()
    if path.is_dir():
        raise BackupError(f"{path} is a folder: name the archive to write, e.g. {path / 'backpack.tar.gz'}")
    with tempfile.TemporaryDirectory(prefix="backpack-backup-") as scratch:
        database = _dump_database(app, Path(scratch))
        keys = _key_values(app)
        media_root = _media_root(app)
        media = sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root and media_root.exists() else []
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": _database_kind(app),
            "media": "included" if media_root else f"not included: evidence lives in the S3 bucket {app.config['S3_BUCKET']}",
            "files": {},
        }
        manifest["files"][database.name] = _sha256(database)
        for item in media:
            manifest["files"]["media/" + item.relative_to(media_root).as_posix()] = _sha256(item)
        for name, value in keys.items():
            manifest["files"]["keys/" + name] = hashlib.sha256(value).hexdigest()
        _write_atomically(path, lambda archive: _fill(archive, manifest, database, media, media_root, keys))
    return manifest


def _fill(archive: tarfile.TarFile, manifest: dict, database: Path, media: list[Path], media_root, keys) -> None:
    _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
    archive.add(database, arcname=database.name, recursive=False)
    for item in media:
        archive.add(item, arcname="media/" + item.relative_to(media_root).as_posix(), recursive=False)
    for name, value in keys.items():
        _add_bytes(archive, "keys/" + name, value, mode=0o600)


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _write_atomically(path: Path, fill) -> None:
    """Write to a temporary file beside path, flush it to disk, then rename it onto path."""
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    except OSError as error:
        raise BackupError(f"Cannot write the backup to {path}: {error.strerror}.") from error
    try:
        os.fchmod(fd, 0o600)  # it holds every secret of the instance
        with os.fdopen(fd, "wb") as stream:
            with tarfile.open(fileobj=stream, mode="w:gz") as archive:
                fill(archive)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        reason = "the disk is full" if error.errno == errno.ENOSPC else error.strerror or str(error)
        raise BackupError(f"Cannot write the backup to {path}: {reason}. Nothing was written.") from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def holds_data(app: Flask) -> bool:
    """Return whether the instance already holds something a restore would overwrite."""
    names = set(inspect(db.engine).get_table_names())
    for table in db.metadata.sorted_tables:
        if table.name in names and db.session.execute(db.select(1).select_from(table).limit(1)).first():
            return True
    media_root = _media_root(app)
    return bool(media_root and media_root.exists() and any(p.is_file() for p in media_root.rglob("*")))


def restore_backup(app: Flask, path: Path, *, force: bool = False) -> dict:
    """Put an archive's database, media and keys into this instance; return its manifest."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a backup archive.")
    with tempfile.TemporaryDirectory(prefix="backpack-restore-") as scratch:
        folder = Path(scratch)
        try:
            with tarfile.open(path, mode="r:gz") as archive:
                archive.extractall(folder, filter="data")
            manifest = json.loads((folder / "manifest.json").read_text())
        except (OSError, EOFError, zlib.error, tarfile.TarError, ValueError, KeyError) as error:
            raise BackupError(f"{path} is not a readable backup archive: {error}") from error
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{path} was written by another version of Backpack (format {manifest.get('format')}).")
        for name, digest in manifest["files"].items():
            if not (folder / name).is_file() or _sha256(folder / name) != digest:
                raise BackupError(f"{path} is damaged: {name} is missing or changed.")
        kind = _database_kind(app)
        if manifest["database"] != kind:
            raise BackupError(f"The archive holds a {manifest['database']} database, and this instance uses {kind}.")
        if not force and holds_data(app):
            raise BackupError(
                "This instance already holds data; restoring would replace it. "
                "Restore into an empty instance, or pass --force to overwrite it."
            )
        db.session.remove()
        db.engine.dispose()
        _restore_database(app, folder, kind)
        _restore_media(app, folder)
        _restore_keys(app, folder)
    return manifest


def _restore_database(app: Flask, folder: Path, kind: str) -> None:
    if kind == "sqlite":
        target = _sqlite_path(app)
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(folder / "database.sqlite3")
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)  # replaces every page of the target, WAL included
        finally:
            copy.close()
            source.close()
        return
    url, env = _libpq(app)
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          f"--dbname={url}", str(folder / "database.pgdump")], env)


def _restore_media(app: Flask, folder: Path) -> None:
    source = folder / "media"
    if not source.exists():
        return
    media_root = _media_root(app)
    if media_root is None:
        raise BackupError("The archive holds evidence files, and this instance keeps evidence in S3: copy them to the bucket.")
    for item in source.rglob("*"):
        if item.is_file():
            target = media_root / item.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(item, target)


def _restore_keys(app: Flask, folder: Path) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    for name in (*KEY_FILES, VAPID_FILE):
        source = folder / "keys" / name
        if source.is_file():
            target = instance / name
            target.write_bytes(source.read_bytes())
            target.chmod(0o600)
