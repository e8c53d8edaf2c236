"""Apps on the real servers: a fresh PostgreSQL database per test, Redis, an S3 bucket.

The servers themselves (tests/support/servers.py) start once per session, on first use.
"""
import uuid

import pytest

from tests.conftest import build_app, with_tables
from tests.notify.conftest import add_device, push_service, school  # noqa: F401  (fixtures for test_redis)
from tests.support.servers import create_database


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """An empty database of its own on the session's PostgreSQL server."""
    return create_database(postgres_server, f"backpack_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def pg_app(tmp_path, postgres_url):
    """The app on PostgreSQL, tables made from the models."""
    yield from with_tables(build_app(tmp_path, SQLALCHEMY_DATABASE_URI=postgres_url))
