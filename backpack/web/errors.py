"""Error pages and JSON errors, in the user's language."""
from contextlib import suppress

from flask import Flask, current_app, g, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from backpack.extensions import db, login_manager
from backpack.web.refusal import Refusal

# How long a client should wait before asking again while the database is away.
RETRY_AFTER_SECONDS = 10


def wants_json() -> bool:
    """Tell whether the client asked for JSON: a JSON body, or Accept: application/json first."""
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _message_for(code: int) -> str:
    messages = {
        400: _("Something in the request was not right. Please try again."),
        401: _("Please sign in to see this page."),
        403: _("You do not have access to this page."),
        404: _("We could not find this page."),
        405: _("This action is not allowed here."),
        410: _("This link is no longer valid."),
        413: _("This file is too large."),
        429: _("Too many attempts. Please wait a minute and try again."),
    }
    return messages.get(code, _("Something went wrong on our side. Please try again later."))


def render_error(code: int, message: str | None = None):
    """Render an error as a page or as JSON, whichever the client asked for."""
    message = message or _message_for(code)
    if wants_json():
        return jsonify(error=message), code
    return render_template("errors/error.html", code=code, message=message), code


def form_expired():
    """Answer a form sent with a missing or stale CSRF token."""
    return render_error(400, _("This form has expired or was sent twice. Please go back, reload and try again."))


def database_unavailable(error: OperationalError) -> bool:
    """Tell a database that cannot answer now (down, restarting, busy) from a fault in our own SQL.

    PostgreSQL's driver keeps OperationalError for the server's state; SQLite also uses it for
    mistakes such as a missing table, which stay 500s so that they are seen.
    """
    if error.connection_invalidated or type(error.orig).__module__.split(".")[0] == "psycopg":
        return True
    text = str(error.orig).lower()
    return any(word in text for word in ("locked", "busy", "unable to open", "disk i/o", "disk is full"))


def init_app(app: Flask) -> None:
    @app.errorhandler(OperationalError)
    def database_away(error: OperationalError):
        if not database_unavailable(error):
            raise error
        current_app.logger.warning("database unavailable: %s", error.orig)
        with suppress(SQLAlchemyError):
            db.session.rollback()
        # Who is asking cannot be looked up now: the page is answered as to someone signed out.
        g._login_user = login_manager.anonymous_user()
        response = make_response(
            render_error(503, _("We cannot reach our records for a moment. Please try again in a minute."))
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.teardown_appcontext
    def close_session_even_if_its_connection_died(exception):
        # Runs before Flask-SQLAlchemy's own teardown (registered earlier, so run later): a
        # rollback on a connection the database cut would otherwise replace the answer with a 500.
        if not db.session.registry.has():  # this request made no session (a cached page): none to close
            return
        try:
            db.session.close()
        except OperationalError as error:
            if not database_unavailable(error):
                raise
            db.session().invalidate()

    @app.errorhandler(Refusal)
    def refused(error: Refusal):
        return render_error(error.status, str(error.message))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return form_expired()

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code == 401 and not wants_json():
            return redirect(url_for("auth.signin", next=request.full_path.rstrip("?")))
        message = getattr(error, "user_message", None)
        return render_error(error.code or 500, message)

    @app.errorhandler(500)
    def server_error(error):
        # An error after the view (an after-request hook) comes here rather than to the handler above.
        cause = getattr(error, "original_exception", None)
        if isinstance(cause, OperationalError) and database_unavailable(cause):
            return database_away(cause)
        return render_error(500)
