"""Template helpers shared by every page."""
import base64
import hashlib
import re
from functools import cache

from flask import Flask, url_for
from markupsafe import Markup, escape

from backpack.config import ROOT


def icon(name: str) -> Markup:
    """Return a decorative icon from the sprite; the words beside it carry the meaning.

    The icon-<name> class lets the stylesheet mirror the icons that point, in right-to-left pages.
    """
    href = url_for("static", filename="icons/icons.svg") + "#" + escape(name)
    return Markup(
        f'<svg class="icon icon-{escape(name)}" aria-hidden="true" focusable="false"><use href="{href}"></use></svg>'
    )


@cache
def _sprite() -> dict[str, tuple[str, str]]:
    """Read the icon sprite once: symbol id -> (viewBox, inner markup)."""
    text = (ROOT / "static" / "icons" / "icons.svg").read_text()
    return {
        match["id"]: (match["box"], match["body"])
        for match in re.finditer(
            r'<symbol id="(?P<id>[^"]+)" viewBox="(?P<box>[^"]+)">(?P<body>.*?)</symbol>', text, re.S
        )
    }


def inline_icon(name: str) -> Markup:
    """Return an icon drawn inside the page: public pages spend no request on the sprite."""
    box, body = _sprite()[name]
    return Markup(
        f'<svg class="icon icon-{escape(name)}" aria-hidden="true" focusable="false" viewBox="{box}">{body}</svg>'
    )


def minify_css(text: str) -> str:
    """Return the stylesheet without its comments and needless spaces: the same rules, fewer bytes.

    Only spaces no rule can need go: around braces, semicolons, commas and child combinators, and
    after a colon (a space before one may be a descendant combinator, as in `[dir="rtl"] :is(…)`).
    """
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r" ?([{};,>]) ?", r"\1", text)
    return text.replace(": ", ":").replace(";}", "}").strip()


@cache
def public_stylesheet() -> Markup:
    """Return core.css to inline in the public pages: an employer's phone then needs no second request."""
    return Markup(minify_css((ROOT / "static" / "css" / "core.css").read_text()))


@cache
def public_stylesheet_hash() -> str:
    """Return the CSP source that allows exactly that inline stylesheet and nothing else."""
    digest = hashlib.sha256(str(public_stylesheet()).encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def init_app(app: Flask) -> None:
    app.jinja_env.globals["icon"] = icon
    app.jinja_env.globals["inline_icon"] = inline_icon
    app.jinja_env.globals["public_stylesheet"] = public_stylesheet
