"""Which database errors mean "away for a moment" (503, try again) and which are faults (500, seen)."""
import sqlite3

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from backpack.extensions import db
from backpack.web.errors import database_unavailable
from tests.conftest import build_app, new_client, with_tables
from tests.support.servers import free_port


def test_a_mistake_in_our_sql_stays_a_fault(app):
    with pytest.raises(OperationalError) as fault:
        db.session.execute(db.text("SELECT * FROM no_such_table"))
    db.session.rollback()
    assert not database_unavailable(fault.value)


def test_a_database_kept_busy_by_another_writer_is_away_for_a_moment(app):
    holder = sqlite3.connect(db.engine.url.database, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    db.session.execute(db.text("PRAGMA busy_timeout=0"))  # fail at once instead of waiting 5 s
    try:
        with pytest.raises(OperationalError) as locked:
            db.session.execute(db.text("UPDATE users SET display_name = display_name"))
    finally:
        db.session.rollback()
        db.session.execute(db.text("PRAGMA busy_timeout=5000"))
        holder.rollback()
        holder.close()
    assert database_unavailable(locked.value)


def test_a_database_server_that_cannot_be_reached_is_away_for_a_moment():
    engine = create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    with pytest.raises(OperationalError) as refused, engine.connect():
        pass
    engine.dispose()
    assert database_unavailable(refused.value)


def test_a_fault_is_answered_500_and_a_busy_database_503_in_words(tmp_path):
    app = build_app(tmp_path, PROPAGATE_EXCEPTIONS=False)

    @app.get("/probe/<kind>")
    def probe(kind):
        if kind == "fault":
            db.session.execute(db.text("SELECT * FROM no_such_table"))
        raise OperationalError("UPDATE users", {}, sqlite3.OperationalError("database is locked"))

    for _app in with_tables(app):  # inside the app, its tables made, then closed
        client = new_client(app)
        fault = client.get("/probe/fault", headers={"Accept": "application/json"})
        assert fault.status_code == 500 and "Retry-After" not in fault.headers
        busy = client.get("/probe/busy")
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "10"
        assert "We cannot reach our records for a moment." in busy.get_data(as_text=True)
