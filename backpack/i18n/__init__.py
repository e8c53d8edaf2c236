"""Language selection: the user's choice, then the cookie, then the browser."""
from flask import Blueprint, current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

bp = Blueprint("i18n", __name__)

COOKIE = "lang"


def supported() -> dict[str, str]:
    """Return the languages offered, by code, each named in its own language."""
    return current_app.config["LANGUAGES"]


def select_locale() -> str:
    """Pick the locale for this request (the default outside requests, e.g. in commands)."""
    languages = supported()
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated:
        if current_user.preferred_language in languages:
            return current_user.preferred_language
    chosen = request.cookies.get(COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages.keys()) or "en"


def text_direction(locale: str) -> str:
    """Return 'rtl' for right-to-left languages such as Arabic."""
    return "rtl" if locale in current_app.config["RTL_LANGUAGES"] else "ltr"


@bp.app_context_processor
def language_context() -> dict:
    locale = str(get_locale())
    return {"locale": locale, "text_direction": text_direction(locale), "languages": supported()}
