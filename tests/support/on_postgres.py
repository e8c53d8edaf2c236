"""Run any test on PostgreSQL: `pytest -p tests.support.on_postgres tests/issuing`.

Every app the tests build (tests/conftest.py's build_app) gets a fresh database of its own
on one PostgreSQL server started for the session. Not part of CI (it doubles the run);
tests/scale is. Use it after changing a query or a model.
"""
import uuid

_server = None


def pytest_configure(config):
    global _server
    # Imported here, not at the top: pytest must load conftest.py first to rewrite its asserts.
    import tests.conftest as root
    from tests.support import servers

    _server = servers.start_postgres()
    build_on_sqlite = root.build_app

    def build_on_postgres(tmp_path, **settings):
        name = f"test_{uuid.uuid4().hex[:12]}"
        settings.setdefault("SQLALCHEMY_DATABASE_URI", servers.create_database(_server, name))
        return build_on_sqlite(tmp_path, **settings)

    root.build_app = build_on_postgres


def pytest_unconfigure(config):
    if _server is not None:
        _server.stop()
