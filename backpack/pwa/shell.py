"""The app shell's version: a hash of the static files, so a deploy renews every cache."""
import hashlib
from functools import cache
from pathlib import Path

from backpack import ROOT

SW_SOURCE = ROOT / "service_worker" / "sw.js"
VERSION_PLACEHOLDER = 'const VERSION = "dev";'


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


@cache
def service_worker_source() -> str:
    """Return sw.js with its cache version filled in."""
    source = SW_SOURCE.read_text()
    if VERSION_PLACEHOLDER not in source:
        raise RuntimeError("sw.js lost its VERSION placeholder")
    return source.replace(VERSION_PLACEHOLDER, f'const VERSION = "{version()}";')
