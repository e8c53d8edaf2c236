"""Units of work that write: on SQLite they take the write lock before the reads that decide them.

SQLite lets one connection write at a time. A transaction that has read and then wants to
write must upgrade its lock, and if another connection committed meanwhile its reads are stale:
SQLite answers at once with "database is locked" (SQLITE_BUSY_SNAPSHOT in WAL mode), without
waiting out busy_timeout. The cure SQLite's and SQLAlchemy's documentation give is to begin
such a unit of work with BEGIN IMMEDIATE, which waits for the lock and then reads the latest
rows, so what it decides on is still true when it writes.

The pysqlite driver (Python's sqlite3, legacy transaction control) begins a transaction only
at the first INSERT, UPDATE or DELETE; reads before it run on their own, outside any
transaction. So page views never hold a lock, and a unit of work whose reads decide its
writes calls take_write_lock() before those reads. PostgreSQL needs none of this (row locks,
SELECT ... FOR UPDATE), so there it does nothing.
"""
from sqlalchemy.exc import DBAPIError, IntegrityError

from backpack.extensions import db

# SQLite's primary code for "another connection holds the lock" (its extended codes share it).
SQLITE_BUSY = 5
# PostgreSQL: serialization failure, deadlock detected.
POSTGRES_CONFLICTS = {"40001", "40P01"}


def take_write_lock() -> None:
    """Hold the write lock from now to the commit (SQLite: BEGIN IMMEDIATE, waiting busy_timeout).

    Does nothing if this transaction has written already (it holds the lock) or on other
    databases.
    """
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def met_another(error: Exception) -> bool:
    """Tell whether a failed unit of work met another one at the same moment (so trying again may work).

    An IntegrityError (mostly a unique index refusing a row another stored first), SQLite's
    lock still held by another after busy_timeout, or PostgreSQL's serialization failure or deadlock.
    """
    if isinstance(error, IntegrityError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    cause = error.orig
    code = getattr(cause, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == SQLITE_BUSY
    return (getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)) in POSTGRES_CONFLICTS
