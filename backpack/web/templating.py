"""Template helpers shared by every page."""
import re
from functools import cache

from flask import Flask, url_for
from markupsafe import Markup, escape

from backpack.config import ROOT


def icon(name: str) -> Markup:
    """Return a decorative icon from the sprite; the words beside it carry the meaning."""
    href = url_for("static", filename="icons/icons.svg") + "#" + escape(name)
    return Markup(f'<svg class="icon" aria-hidden="true" focusable="false"><use href="{href}"></use></svg>')


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
        f'<svg class="icon" aria-hidden="true" focusable="false" viewBox="{box}">{body}</svg>'
    )


def init_app(app: Flask) -> None:
    app.jinja_env.globals["icon"] = icon
    app.jinja_env.globals["inline_icon"] = inline_icon
