"""Build a database from the migrations and another from the models, and describe both.

Shared by the SQLite check (tests/cli) and the PostgreSQL one (tests/scale), so the two
databases are compared the same way everywhere.
"""
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from backpack import create_app
from backpack.extensions import db


def migrated(url: str, instance: str) -> None:
    """Apply every migration to the empty database at url, as `flask db upgrade` does."""
    app = create_app({"INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def downgraded(url: str, instance: str) -> None:
    """Undo every migration, as `flask db downgrade base` does."""
    app = create_app({"INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        downgrade(revision="base")
        db.engine.dispose()


def modelled(url: str, instance: str) -> None:
    """Create the tables straight from the models in the empty database at url."""
    app = create_app({"INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        db.engine.dispose()


def describe(url: str) -> dict:
    """Return each table's columns (name, type as the database spells it, nullable), indexes, unique constraints and foreign keys."""
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        return {
            name: {
                "columns": sorted(
                    (c["name"], c["type"].compile(dialect=engine.dialect), c["nullable"]) for c in inspector.get_columns(name)
                ),
                "indexes": sorted((i["name"], str(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes(name)),
                "unique": sorted((u["name"], str(u["column_names"])) for u in inspector.get_unique_constraints(name)),
                "foreign_keys": sorted(
                    (f["name"], str(f["constrained_columns"]), f["referred_table"], str(f["referred_columns"]))
                    for f in inspector.get_foreign_keys(name)
                ),
            }
            for name in inspector.get_table_names()
            if name != "alembic_version"
        }
    finally:
        engine.dispose()
