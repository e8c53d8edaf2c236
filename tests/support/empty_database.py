"""Give a test's new SQLite file its tables by copying a file made once per run.

Creating the tables (db.create_all) costs each test tens of milliseconds of DDL; copying
an empty database made by that same create_all costs well under one.
tests/test_fast_setup.py proves the copy's schema equal to a fresh create_all's.
"""
import atexit
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import Engine, create_engine

from backpack.extensions import db

_made: Path | None = None


def copy_tables(engine: Engine) -> bool:
    """Copy the empty tables into engine's SQLite file; False if it is not a new SQLite file."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") or url.query:
        return False
    target = Path(url.database)
    if target.exists() or set(db.metadatas) != {None}:
        return False
    shutil.copyfile(_empty_database(), target)
    return True


def _empty_database() -> Path:
    """Make the empty database once, with the same create_all over the models' metadata."""
    global _made
    if _made is None:
        folder = Path(tempfile.mkdtemp(prefix="backpack-empty-db-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = folder / "empty.db"
        engine = create_engine(f"sqlite:///{path}")
        try:
            db.metadata.create_all(engine)
        finally:
            engine.dispose()  # the last connection closes: WAL is checkpointed into the file
        _made = path
    return _made
