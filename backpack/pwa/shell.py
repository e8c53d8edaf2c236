"""The app shell's version: a hash of the static files, so a deploy renews every cache."""
import hashlib
import json
import re
from functools import cache, lru_cache
from pathlib import Path

from flask import Flask

from backpack.config import ROOT

SW_SOURCE = ROOT / "service_worker" / "sw.js"
VERSION_PLACEHOLDER = 'const VERSION = "dev";'
SESSION_CHANGES_PLACEHOLDER = "const SESSION_CHANGES = [];"


@cache
def version(static_folder: str = str(ROOT / "static")) -> str:
    """Hash every static file and the manifest; computed once per process."""
    digest = hashlib.sha256()
    for path in sorted(Path(static_folder).rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(static_folder).as_posix().encode())
            digest.update(path.read_bytes())
    digest.update((ROOT / "manifest.json").read_bytes())
    return digest.hexdigest()[:12]


def session_change_patterns(app: Flask) -> tuple[str, ...]:
    """Return a regular expression for the path of every route marked changes_session."""
    patterns = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        if getattr(view, "changes_session", False):
            parts = re.split(r"<[^>]+>", rule.rule)
            patterns.append("^" + "[^/]+".join(re.escape(part) for part in parts) + "$")
    return tuple(sorted(patterns))


@lru_cache(maxsize=4)
def service_worker_source(session_changes: tuple[str, ...] = ()) -> str:
    """Return sw.js with its cache version and the session-changing routes filled in."""
    source = SW_SOURCE.read_text()
    if VERSION_PLACEHOLDER not in source or SESSION_CHANGES_PLACEHOLDER not in source:
        raise RuntimeError("sw.js lost a placeholder")
    source = source.replace(VERSION_PLACEHOLDER, f'const VERSION = "{version()}";')
    return source.replace(SESSION_CHANGES_PLACEHOLDER, f"const SESSION_CHANGES = {json.dumps(list(session_changes))};")
