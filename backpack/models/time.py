"""Time for models: always timezone-aware UTC, computed when called."""
from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Store UTC and always hand back aware UTC datetimes.

    SQLite forgets the zone, so a naive value read back is UTC; PostgreSQL returns
    timestamptz in the session's TimeZone setting, so an aware value is turned to UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
