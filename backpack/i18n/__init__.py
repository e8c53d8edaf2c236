"""Language selection: the user's choice, then the cookie, then a page's suggestion, then the browser."""
from flask import Blueprint, current_app, g, has_request_context, request
from flask_babel import get_locale, refresh
from flask_login import current_user

from backpack.i18n.tags import best_match, language_tag, match

bp = Blueprint("i18n", __name__)

COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def supported() -> dict[str, str]:
    """Return the languages offered, by code, each named in its own language."""
    return current_app.config["LANGUAGES"]


def offered(code: object) -> str | None:
    """Return the offered language a code or BCP 47 tag names, or None for anything else."""
    return match(code, supported())


def browser_choice() -> str:
    """Return the offered language the browser asks for most, else the default (English)."""
    return best_match(request.accept_languages, supported()) or current_app.config["BABEL_DEFAULT_LOCALE"]


def chosen_language() -> str | None:
    """Return the language this browser chose (its cookie), if it names one we offer."""
    return offered(request.cookies.get(COOKIE))


def suggest(code: str | None) -> None:
    """Let this page open in a language (an invite's) unless the person chose one already."""
    g.suggested_language = offered(code)
    refresh()


def select_locale() -> str:
    """Pick the locale for this request (the default outside requests, e.g. in commands)."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated:
        found = offered(current_user.preferred_language)
        if found is not None:
            return found
    return chosen_language() or g.get("suggested_language") or browser_choice()


def text_direction(locale: str) -> str:
    """Return 'rtl' for right-to-left languages such as Arabic."""
    return "rtl" if locale in current_app.config["RTL_LANGUAGES"] else "ltr"


def remember(response, code: str):
    """Keep the language in the browser's cookie; it outlives sign-out, so the sign-in page after it is in that language."""
    response.set_cookie(
        COOKIE,
        code,
        max_age=COOKIE_MAX_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.after_app_request
def say_the_language(response):
    """Name the page's language (the service worker keeps the offline page in it) and remember a signed-in choice."""
    if response.mimetype == "text/html" and "Content-Language" not in response.headers:
        response.headers["Content-Language"] = language_tag(str(get_locale()))
    user = g.get("_login_user")  # only if this request loaded them: a static file loads no one
    if user is not None and user.is_authenticated:
        preferred = offered(user.preferred_language)
        if preferred is not None and request.cookies.get(COOKIE) != preferred:
            remember(response, preferred)
    return response


@bp.app_template_filter("language_tag")
def language_tag_filter(code: str) -> str:
    """Write a catalogue code as the BCP 47 tag HTML's lang attribute wants (zh_Hans: zh-Hans)."""
    return language_tag(code)


@bp.app_context_processor
def language_context() -> dict:
    locale = str(get_locale())
    return {"locale": locale, "text_direction": text_direction(locale), "languages": supported()}
