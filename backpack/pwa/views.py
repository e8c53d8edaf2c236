from flask import Response, current_app, make_response, render_template, send_file
from flask_babel import force_locale, get_locale

from backpack import i18n
from backpack.config import ROOT
from backpack.i18n.tags import language_tag
from backpack.pwa import bp, shell


@bp.get("/manifest.json")
def manifest():
    return send_file(ROOT / "manifest.json", mimetype="application/manifest+json", max_age=3600)


@bp.get("/sw.js")
def service_worker():
    """Serve the worker from the root so its scope is the whole app; never cache it long."""
    response = Response(shell.service_worker_source(shell.session_change_patterns(current_app)), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def offline():
    """The page the service worker shows for a page never opened before, in this visitor's language."""
    return render_template("pwa/offline.html")


@bp.get("/offline/<language>")
def offline_in(language: str):
    """The offline page in one language (a BCP 47 tag), kept by the worker when the learner's language changes.

    A tag we do not offer gives the visitor's own language, never an error.
    """
    code = i18n.offered(language) or str(get_locale())
    with force_locale(code):
        response = make_response(render_template("pwa/offline.html"))
    response.headers["Content-Language"] = language_tag(code)
    return response
