"""Benchmark: Lighthouse (mobile: a mid-range phone on a slow 4G link, simulated) on the
pages people open cold: the first screen (language choice) and an employer's
verification pages for a badge and for a collection.

Run: (cd benchmarks/lighthouse && npm ci) once, then .venv/bin/python benchmarks/lighthouse_pages.py [words]
(with words, only the pages whose name holds them, e.g. `employer` or `one badge`).
Needs Debian's Chromium (/usr/bin/chromium), as the browser tests do.
"""
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

from werkzeug.serving import make_server

from backpack import create_app
from backpack.extensions import db

sys.path.insert(0, str(Path(__file__).parent))
from verification_page import setup  # noqa: E402  (the same data as the page benchmark)

HERE = Path(__file__).parent
LIGHTHOUSE = HERE / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run"


def serve(folder: Path):
    app = create_app({
        "INSTANCE_PATH": str(folder),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
        "RATELIMIT_ENABLED": False,
    })
    server = make_server("127.0.0.1", 0, app, threaded=True)
    origin = f"http://localhost:{server.server_port}"
    app.config["BACKPACK_ORIGIN"] = origin
    with app.test_request_context(base_url=origin):
        db.create_all()
        badge, collection, other = setup(app), setup(app, collection=True), setup(app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    warm_up(origin, f"/s/{other}")
    return server, origin, {"first screen": "/language", "employer, one badge": f"/s/{badge}", "employer, collection": f"/s/{collection}"}


def warm_up(origin: str, path: str) -> None:
    """Open another badge's page and picture first, as a server that has been running has: the
    audited pages are still rendered for the first time (their own verdict and picture), but no
    template compiles and no image codec starts inside the measurement."""
    page = urllib.request.urlopen(origin + path).read().decode()
    for picture in re.findall(r'(/badges/[^" ]+\.webp)', page):
        urllib.request.urlopen(origin + picture).read()


def audit(url: str, out: Path) -> dict:
    subprocess.run(
        [str(LIGHTHOUSE), url, "--form-factor=mobile", "--output=json", f"--output-path={out}", "--quiet",
         "--only-categories=performance,accessibility,best-practices", f"--chrome-flags={CHROME_FLAGS}"],
        check=True, env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
    )
    report = json.loads(out.read_text())
    audits = report["audits"]
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "best practices": round(report["categories"]["best-practices"]["score"] * 100),
        "FCP": audits["first-contentful-paint"]["displayValue"],
        "LCP": audits["largest-contentful-paint"]["displayValue"],
        "TBT": audits["total-blocking-time"]["displayValue"],
        "CLS": audits["cumulative-layout-shift"]["displayValue"],
        "transfer": f'{audits["total-byte-weight"]["numericValue"] / 1024:.1f} KB',
        "requests": len(audits["network-requests"]["details"]["items"]),
        "failed audits": [
            key for key, found in audits.items()
            if found.get("score") is not None and found["score"] < 1 and found.get("scoreDisplayMode") == "binary"
        ],
    }


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    if not LIGHTHOUSE.exists():
        sys.exit("Install Lighthouse first: (cd benchmarks/lighthouse && npm ci)")
    folder = Path(tempfile.mkdtemp(prefix="backpack-lighthouse-"))
    server, origin, pages = serve(folder)
    wanted = " ".join(sys.argv[1:])
    try:
        for name, path in pages.items():
            if wanted not in name:
                continue
            result = audit(origin + path, folder / f"{len(name)}.json")
            print(f"{name} ({path.split('/')[1] or '/'}): " + ", ".join(f"{k} {v}" for k, v in result.items()))
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
