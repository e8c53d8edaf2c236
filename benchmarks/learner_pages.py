"""Benchmark: the first load of each learner page, and a repeat visit, in Chromium.

Budget (DESIGN.md section 6): HTML + CSS + JS, compressed, <= 20 KB in <= 5 requests on
first load; 0 requests for the shell (CSS, JS) on a repeat visit.

Run: .venv/bin/python benchmarks/learner_pages.py   (needs Debian's Chromium, as the browser tests)
Counts what crosses the network (CDP Network.loadingFinished encodedDataLength: bytes on the wire,
headers included), for documents, stylesheets and scripts; images and the service worker's own
fetches are left out (the budget is for the page's code).
"""
import logging
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backpack import create_app  # noqa: E402
from backpack.demo import LEARNERS, load_demo  # noqa: E402
from backpack.extensions import db  # noqa: E402
from backpack.models import Award, User  # noqa: E402
from benchmarks.sign_in import session_cookie  # noqa: E402

ARGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-quic", "--disable-gpu"]
KINDS = {"Document", "Stylesheet", "Script"}


def serve(folder: Path):
    app = create_app({"INSTANCE_PATH": str(folder), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
                      "RATELIMIT_ENABLED": False, "BACKPACK_INSECURE_COOKIES": "1"})
    app.config["SESSION_COOKIE_SECURE"] = False
    server = make_server("127.0.0.1", 0, app, threaded=True)
    origin = f"http://localhost:{server.server_port}"
    app.config["BACKPACK_ORIGIN"] = origin
    with app.app_context():
        db.create_all()
        load_demo()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, server, origin


def demo_learner_pages(app, origin: str) -> tuple[str, str, list[str]]:
    """Sign the first demo learner in; return the cookie and her pages."""
    with app.app_context():
        learner = db.session.scalar(db.select(User).where(User.display_name == LEARNERS[0][0]))
        name, value = session_cookie(app, origin, learner)
        award = db.session.scalar(db.select(Award).where(Award.learner_id == learner.id))
        pages = ["/", f"/my/badges/{award.public_id}", "/evidence", "/my/collections", "/my/submissions", "/account/",
                 "/notifications", "/my/imported/new"]
    return name, value, pages


def measure(context, url: str) -> tuple[int, int, list[str]]:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    seen: dict[str, tuple[str, str]] = {}
    sizes: dict[str, int] = {}
    cdp.on("Network.responseReceived", lambda e: seen.__setitem__(e["requestId"], (e["type"], e["response"]["url"])))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(url, wait_until="networkidle")
    page.close()
    counted = [(seen[rid], size) for rid, size in sizes.items() if rid in seen and seen[rid][0] in KINDS and size > 0]
    return len(counted), sum(size for _, size in counted), [f"{kind} {u.split('/', 3)[-1]} {size} B" for (kind, u), size in counted]


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    folder = Path(tempfile.mkdtemp(prefix="backpack-learner-pages-"))
    app, server, origin = serve(folder)
    name, value, pages = demo_learner_pages(app, origin)
    verbose = "-v" in sys.argv
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        for path in pages:
            context = browser.new_context(**driver.devices["Pixel 7"], extra_http_headers={"Accept-Encoding": "br, gzip"})
            context.add_cookies([{"name": name, "value": value, "url": origin}])
            count, total, lines = measure(context, origin + path)
            # The service worker installed on the first visit: the next visit's shell comes from it.
            _repeat_count, _repeat_total, repeat_lines = measure(context, origin + path)
            shell_requests = [line for line in repeat_lines if not line.startswith("Document")]
            print(f"{path}: first load {count} requests, {total / 1024:.1f} KB; repeat visit: {len(shell_requests)} shell requests")
            if verbose:
                print("   " + "\n   ".join(lines))
            context.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
