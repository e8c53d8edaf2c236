"""The shortcuts that make each test's fresh app cheap build exactly what the slow way builds."""
import sqlite3
from contextlib import closing

from werkzeug.routing.rules import Rule

from backpack.extensions import db
from tests.conftest import build_app
from tests.support import compiled_once
from tests.support.empty_database import copy_tables


def _code(function) -> tuple:
    return function.__code__, function.__defaults__


def test_reused_url_builders_equal_freshly_compiled_ones(tmp_path):
    build_app(tmp_path / "first")
    app = build_app(tmp_path / "second")
    assert Rule._compile_builder is compiled_once._reuse_builder, "the plugin is not installed"
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 100
    for rule in rules:
        for append_unknown, built in ((False, rule._build), (True, rule._build_unknown)):
            assert built.__self__ is rule
            fresh = compiled_once._compile_builder(rule, append_unknown)
            assert _code(built.__func__) == _code(fresh), rule.rule


def test_reused_url_builders_build_the_same_urls(tmp_path):
    app = build_app(tmp_path)
    with app.test_request_context():
        rule = next(r for r in app.url_map.iter_rules() if r.arguments and not r.defaults)
        values = {name: "1" for name in rule.arguments}
        fresh = compiled_once._compile_builder(rule, True).__get__(rule)
        assert rule.build({**values, "q": "a b"}) == fresh(**values, q="a b")


def test_reused_templates_equal_freshly_compiled_ones(tmp_path):
    first = build_app(tmp_path / "first")
    names = [name for name in first.jinja_env.list_templates() if name.endswith(".html")]
    assert len(names) > 20
    for name in names:
        first.jinja_env.get_template(name)
    app = build_app(tmp_path / "second")
    environment = app.jinja_env
    assert environment.bytecode_cache is compiled_once.templates, "the plugin is not installed"
    for name in names:
        source, filename, _ = environment.loader.get_source(environment, name)
        reused = compiled_once.templates.get_bucket(environment, name, filename, source).code
        assert reused is not None, name
        assert reused == environment.compile(source, name, filename), name


def test_a_template_is_not_reused_for_other_source_or_settings(tmp_path):
    environment = build_app(tmp_path).jinja_env
    source, filename, _ = environment.loader.get_source(environment, "base.html")
    environment.get_template("base.html")
    templates = compiled_once.templates
    assert templates.get_bucket(environment, "base.html", filename, source).code is not None
    assert templates.get_bucket(environment, "base.html", filename, source + " ").code is None
    environment.policies["ext.i18n.trimmed"] = not environment.policies.get("ext.i18n.trimmed")
    assert templates.get_bucket(environment, "base.html", filename, source).code is None


def _schema(path) -> list:
    with closing(sqlite3.connect(path)) as connection:
        return sorted(connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))


def test_copied_tables_equal_a_fresh_create_all(tmp_path):
    copied = build_app(tmp_path / "copied", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'copied.db'}")
    created = build_app(tmp_path / "created", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'created.db'}")
    with copied.app_context():
        assert copy_tables(db.engine)
        assert not copy_tables(db.engine), "an existing database must never be overwritten"
        db.engine.dispose()
    with created.app_context():
        db.create_all()
        db.engine.dispose()
    schema = _schema(tmp_path / "copied.db")
    assert len([row for row in schema if row[0] == "table"]) == len(db.metadata.tables)
    assert schema == _schema(tmp_path / "created.db")


def test_only_a_new_sqlite_file_gets_a_copy(tmp_path):
    for url in ("sqlite://", "sqlite:///:memory:"):
        with build_app(tmp_path / "memory", SQLALCHEMY_DATABASE_URI=url).app_context():
            assert not copy_tables(db.engine)
