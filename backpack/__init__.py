"""Backpack: where adult learners keep the badges they earn."""
import os
from pathlib import Path

from flask import Flask

from backpack import config
from backpack.config import ROOT
from backpack.extensions import (
    babel,
    cache,
    compress,
    csrf,
    db,
    limiter,
    login_manager,
    migrate,
)
from backpack.pwa import shell


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
        # Versioned by a hash of the files: cached for a year (web/static_files.py).
        static_url_path=f"/static/{shell.version()}",
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
    from backpack.web import hosts, security_headers, static_files, templating

    hosts.init_app(app)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config.engine_options(app.config)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    compress.init_app(app)
    cache.init_app(app)
    app.after_request(_close_streamed_body)  # runs before Compress's hook: reverse order
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    sessions.init_login(app, login_manager)
    security_headers.init_app(app)
    static_files.init_app(app)
    templating.init_app(app)


def _close_streamed_body(response):
    """Close a streamed body (a static file) when the response closes.

    Flask-Compress swaps it for a compressing generator and never closes the file.
    """
    if response.is_streamed and hasattr(response.response, "close"):
        response.call_on_close(response.response.close)
    return response


def register_blueprints(app: Flask) -> None:
    """Import every view module (its routes attach to its feature's blueprint), then register each blueprint once."""
    from backpack.account import views as account_views
    from backpack.admin import views as admin_views
    from backpack.api import consent_views as api_consent_views
    from backpack.api import views as api_views
    from backpack.auth import views as auth_views
    from backpack.evidence import submission_views
    from backpack.evidence import views as evidence_views
    from backpack.home import views as home_views
    from backpack.i18n import views as i18n_views
    from backpack.issuing import badge_views
    from backpack.issuing import public_views as issuing_public_views
    from backpack.learner import collection_views, import_views
    from backpack.learner import views as learner_views
    from backpack.notify import commands as notify_commands
    from backpack.notify import views as notify_views
    from backpack.pwa import views as pwa_views
    from backpack.roster import views as roster_views
    from backpack.sharing import public_views as sharing_public_views
    from backpack.sharing import views as sharing_views
    from backpack.wallet import protocol_views as wallet_protocol_views
    from backpack.wallet import views as wallet_views
    from backpack.web import health

    modules = (
        home_views,
        auth_views,
        account_views,
        i18n_views,
        roster_views,
        badge_views,
        issuing_public_views,
        learner_views,
        collection_views,
        import_views,
        evidence_views,
        submission_views,
        sharing_views,
        sharing_public_views,
        notify_views,
        notify_commands,
        admin_views,
        pwa_views,
        health,
        api_views,
        api_consent_views,
        wallet_views,
        wallet_protocol_views,
    )
    for bp in dict.fromkeys(module.bp for module in modules):
        app.register_blueprint(bp)


def register_errorhandlers(app: Flask) -> None:
    from backpack.web import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from backpack import cli

    cli.init_app(app)
