"""Benchmark: how many bytes a 12-megapixel phone photo costs to upload.

The photo (4000x3000 JPEG, a soft scene with sensor grain, made with Pillow) goes through
the evidence page's own module, static/js/photo_resize.js, in Debian's Chromium: the
blob it returns is exactly what the capture page queues and uploads.

Run: .venv/bin/python benchmarks/photo_upload_size.py
Budget (issue 4): <= 400 KB uploaded, longest side <= 1600 px.
"""
import logging
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from backpack import create_app
from backpack.extensions import db
from tests.browser.phone_photos import noisy_photo

BUDGET = 400_000
CHROMIUM = "/usr/bin/chromium"
DOWNSCALE = """async () => {
  const { downscalePhoto } = await import("/static/js/photo_resize.js");
  const source = await (await fetch("/benchmark/photo.jpg")).blob();
  const started = performance.now();
  const photo = await downscalePhoto(source);
  const milliseconds = performance.now() - started;
  const bitmap = await createImageBitmap(photo);
  return { before: source.size, bytes: photo.size, type: photo.type, width: bitmap.width, height: bitmap.height, milliseconds };
}"""


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    photo = noisy_photo(4000, 3000)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({
            "INSTANCE_PATH": f"{folder}/instance",
            "SECRET_KEY": "benchmark",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/backpack.db",
        })
        with app.app_context():
            db.create_all()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=["--disable-background-networking", "--no-first-run"])
                context = browser.new_context(**driver.devices["Pixel 7"])
                page = context.new_page()
                page.route("**/benchmark/photo.jpg",
                           lambda route: route.fulfill(status=200, content_type="image/jpeg", body=photo))
                page.goto(f"http://localhost:{server.server_port}/offline")
                result = page.evaluate(DOWNSCALE)
                browser.close()
        finally:
            server.shutdown()
    ok = result["bytes"] <= BUDGET and max(result["width"], result["height"]) <= 1600
    print(f"source: 4000x3000 JPEG, {result['before']:,} bytes")
    print(f"upload: {result['width']}x{result['height']} {result['type']}, {result['bytes']:,} bytes "
          f"({result['bytes'] / 1000:.0f} KB; budget {BUDGET / 1000:.0f} KB) in {result['milliseconds']:.0f} ms")
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
