"""Backpack: where adult learners keep the badges they earn."""
import os
from pathlib import Path

from flask import Flask

from backpack import config
from backpack.extensions import babel, compress, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Assemble the app: settings, extensions, blueprints, error pages, commands."""
    instance_path = Path(
        (test_config or {}).get("INSTANCE_PATH")
        or os.environ.get("BACKPACK_INSTANCE_PATH")
        or ROOT / "instance"
    ).resolve()
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(config.load(instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    instance_path.mkdir(parents=True, exist_ok=True)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from backpack import models  # noqa: F401  (tables must be known to SQLAlchemy)
    from backpack.auth import sessions
    from backpack.i18n import select_locale
    from backpack.web import hosts, security_headers, templating

    hosts.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    compress.init_app(app)
    app.after_request(_close_streamed_body)  # runs before Compress's hook: reverse order
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    sessions.init_login(app, login_manager)
    security_headers.init_app(app)
    templating.init_app(app)


def _close_streamed_body(response):
    """Close a streamed body (a static file) when the response closes.

    Flask-Compress swaps it for a compressing generator and never closes the file.
    """
    if response.is_streamed and hasattr(response.response, "close"):
        response.call_on_close(response.response.close)
    return response


def register_blueprints(app: Flask) -> None:
    from backpack.account import bp as account_bp
    from backpack.admin import bp as admin_bp
    from backpack.auth import bp as auth_bp
    from backpack.evidence import bp as evidence_bp
    from backpack.home import bp as home_bp
    from backpack.i18n import bp as i18n_bp
    from backpack.issuing import bp as issuing_bp
    from backpack.learner import bp as learner_bp
    from backpack.notify import bp as notify_bp
    from backpack.pwa import bp as pwa_bp
    from backpack.sharing import bp as sharing_bp

    for bp in (
        home_bp,
        auth_bp,
        account_bp,
        i18n_bp,
        issuing_bp,
        learner_bp,
        evidence_bp,
        sharing_bp,
        notify_bp,
        admin_bp,
        pwa_bp,
    ):
        app.register_blueprint(bp)


def register_errorhandlers(app: Flask) -> None:
    from backpack.web import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from backpack import cli

    cli.init_app(app)
