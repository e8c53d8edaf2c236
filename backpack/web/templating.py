"""Template helpers shared by every page."""
from flask import Flask, url_for
from markupsafe import Markup, escape


def icon(name: str) -> Markup:
    """Return a decorative icon from the sprite; the words beside it carry the meaning."""
    href = url_for("static", filename="icons/icons.svg") + "#" + escape(name)
    return Markup(f'<svg class="icon" aria-hidden="true" focusable="false"><use href="{href}"></use></svg>')


def init_app(app: Flask) -> None:
    app.jinja_env.globals["icon"] = icon
