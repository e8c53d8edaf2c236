"""Benchmark: the employer's verification page (/s/<token>), warm, on the embedded default.

Run: .venv/bin/python benchmarks/verification_page.py [requests] [--collection]
--collection measures a shared collection instead: five badges and two photos, all shareable.
Budgets (DESIGN.md section 6): server time p50 <= 3 ms, p99 <= 10 ms; first load,
everything included (the badge picture a 2x screen fetches, and every response's status line
and headers, as Lighthouse counts a transfer), <= 10 KB in <= 3 requests.
"""
import functools
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from werkzeug.http import http_date

from backpack import create_app
from backpack.evidence import capture
from backpack.extensions import db
from backpack.issuing import achievements, awarding, badge_image, issuers
from backpack.learner import collections
from backpack.models import Classroom, Enrolment, Role, User
from backpack.sharing import links

# What the production server (gunicorn) adds to each response, besides the app's own headers.
SERVER_HEADERS = ["Server: gunicorn", f"Date: {http_date()}", "Connection: keep-alive"]


def header_bytes(response) -> int:
    """Return the bytes of a response's status line and headers on the wire (HTTP/1.1, as Lighthouse counts them)."""
    lines = [f"HTTP/1.1 {response.status}", *SERVER_HEADERS, *(f"{name}: {value}" for name, value in response.headers.items())]
    return sum(len(line.encode()) + 2 for line in lines) + 2


def setup(app, collection: bool = False) -> str:
    teacher = User(display_name="Ms Rivera", role=Role.TEACHER.value)
    learner = User(display_name="Nguyễn Thị Lan", role=Role.LEARNER.value)
    classroom = Classroom(name="ESL", teacher=teacher)
    db.session.add_all([teacher, learner, classroom, Enrolment(classroom=classroom, learner=learner)])
    issuer = issuers.create_issuer("Riverside Adult School", members=[teacher], url="https://riverside.example")
    badge = achievements.create_achievement(
        issuer, by=teacher, name="Everyday conversation", description="Talks about daily life in simple English.",
        criteria="Hold a five-minute conversation about your week with your teacher.",
        image_png=badge_image.design_badge("chat", "teal", "ESL 2"),
        alignments=[{"name": "A2 spoken interaction", "framework": "CEFR", "url": "https://example.org/cefr", "code": "A2"}],
        validity_days=730,
    )
    award = awarding.award(badge, [learner], by=teacher, note="Talked about cooking").created[0]
    if not collection:
        _link, token = links.create(award, owner=learner, expiry="never", include_evidence=True)
        db.session.commit()
        return token
    folio = collections.create(learner, "For my job interview")
    items = [collections.add_award(folio, award)]
    for number, icon in enumerate(["book", "pencil", "star", "trophy"]):
        other = achievements.create_achievement(
            issuer, by=teacher, name=f"Skill {number + 1}", description="A skill.", criteria="Show it.",
            image_png=badge_image.design_badge(icon, "teal", "ESL 2"),
        )
        items.append(collections.add_award(folio, awarding.award(other, [learner], by=teacher).created[0]))
    for _ in range(2):
        photo, _new = capture.save_evidence(
            learner, badge_image.design_badge("star", "teal", "Work"), idempotency_key=str(uuid.uuid4()), title="My work"
        )
        items.append(collections.add_evidence(folio, photo))
    for item in items:
        collections.set_shareable(item, True)
    _link, token = links.create(folio, owner=learner, expiry="never", include_evidence=False)
    db.session.commit()
    return token


def main(count: int, collection: bool = False) -> None:
    folder = Path(tempfile.mkdtemp(prefix="backpack-bench-"))
    app = create_app({
        "INSTANCE_PATH": str(folder),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
        "RATELIMIT_ENABLED": False,
        "BACKPACK_ORIGIN": "https://badges.example.org",
    })
    with app.app_context():
        db.create_all()
        token = setup(app, collection)
    client = app.test_client()
    # The app answers only requests for its own host.
    get = functools.partial(client.get, base_url="https://badges.example.org")
    headers = {"Accept-Encoding": "br, gzip", "Accept-Language": "en"}
    path = f"/s/{token}"
    for _ in range(20):
        get(path, headers=headers)
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        response = get(path, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    what = "shared collection (5 badges, 2 photos)" if collection else "verification page"
    print(f"{what}, {count} warm requests (Flask test client, SQLite, cached verdict):")
    print(f"  p50 {statistics.median(timings):.2f} ms, p99 {p99:.2f} ms")

    page = get(path, headers=headers)
    html = page.get_data(as_text=False)
    plain = get(path).get_data()
    stylesheets = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', plain)
    scripts = re.findall(rb"<script[^>]*src=\"([^\"]+)\"", plain)
    total, heads = len(html), header_bytes(page)
    lines = [f"  {page.headers.get('Content-Encoding')} HTML {len(html)} B + headers {header_bytes(page)} B"]
    for url in stylesheets + scripts:
        asset = get(url.decode(), headers=headers)
        body = asset.get_data()
        asset.close()
        total += len(body)
        heads += header_bytes(asset)
        lines.append(f"  {asset.headers.get('Content-Encoding')} {url.decode()} {len(body)} B + headers {header_bytes(asset)} B")
    requests = 1 + len(stylesheets) + len(scripts)
    print(f"first load before images: {requests} requests, {total} B ({total / 1024:.1f} KB) compressed, "
          f"{total + heads} B ({(total + heads) / 1024:.1f} KB) with headers")
    print("\n".join(lines))
    # Everything a phone with a sharp (2x) screen fetches: images by their srcset's 2x entry, icons.
    icons = [url for url in re.findall(rb'<link rel="icon" href="([^"]+)"', plain) if not url.startswith(b"data:")]
    pictures = []
    for tag in re.findall(rb"<img [^>]*>", plain):
        if b'loading="lazy"' in tag:
            continue
        two_x = re.search(rb'srcset="[^"]*?(\S+) 2x"', tag)
        pictures.append((two_x or re.search(rb'src="([^"]+)"', tag)).group(1))
    for url in icons + pictures:
        asset = get(url.decode().replace("&amp;", "&"), headers=headers)
        body = asset.get_data()
        asset.close()
        total += len(body)
        heads += header_bytes(asset)
        requests += 1
        print(f"  {asset.headers.get('Content-Type')} {url.decode()} {len(body)} B + headers {header_bytes(asset)} B")
    print(f"everything on a 2x screen: {requests} requests, {total} B ({total / 1024:.1f} KB) compressed, "
          f"{total + heads} B ({(total + heads) / 1024:.1f} KB) with headers (HTTPS, as served by gunicorn)")

if __name__ == "__main__":
    numbers = [arg for arg in sys.argv[1:] if arg.isdigit()]
    main(int(numbers[0]) if numbers else 500, collection="--collection" in sys.argv)
