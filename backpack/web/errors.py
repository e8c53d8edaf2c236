"""Error pages and JSON errors, in the user's language."""
from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from backpack.web.refusal import Refusal


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


def init_app(app: Flask) -> None:
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
        return render_error(500)
