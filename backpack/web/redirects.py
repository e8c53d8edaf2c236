"""Where to go after an action, without becoming an open redirect."""
from urllib.parse import urlsplit

from flask import request


def safe_next() -> str | None:
    """Return the 'next' target if it is a path on this site, else None."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return None
    if "\\" in target:
        return None
    return target
