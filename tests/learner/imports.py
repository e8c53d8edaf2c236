"""Badges earned elsewhere, for the import tests: one from another Backpack issuer, and a
small Open Badges 2.0 issuer website on 127.0.0.1 that serves hosted assertions."""
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from backpack.credentials import baking
from backpack.extensions import db
from backpack.issuing import awarding
from backpack.learner import badges
from backpack.models import Award, Role


def elsewhere_award(make_user, make_issuer, make_achievement) -> Award:
    """An award of another school, to a learner there: its credential is an OB 3.0 sample."""
    teacher = make_user(Role.TEACHER, "Mr Haddad")
    issuer = make_issuer(teacher, name="Harbour College")
    badge = make_achievement(issuer, by=teacher, name="Forklift safety")
    award = awarding.award(badge, [make_user(Role.LEARNER, "Earner")], by=teacher).created[0]
    db.session.commit()
    return award


def baked(award: Award) -> dict[str, bytes]:
    """The award's credential as JSON, baked PNG and baked SVG."""
    return {
        "json": award.credential_json.encode(),
        "png": badges.baked_png(award),
        "svg": badges.baked_svg(award),
    }


def tampered(award: Award) -> bytes:
    """The credential with its badge renamed after signing."""
    credential = json.loads(award.credential_json)
    credential["credentialSubject"]["achievement"]["name"] = "Crane operator"
    return json.dumps(credential).encode()


def png_with_ob2(image: bytes, text: str) -> bytes:
    """A PNG with an Open Badges 2.0 'openbadges' iTXt chunk (the 2.0 baking)."""
    chunk = baking._png_chunk(b"iTXt", b"openbadges\0\0\0\0\0" + text.encode())
    return image[:-12] + chunk + image[-12:]


@dataclass
class IssuerSite:
    """An Open Badges 2.0 issuer's website: path → (status, JSON), every request recorded."""

    server: ThreadingHTTPServer
    pages: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)
    media_types: dict = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def serve(self, path: str, body, status: int = 200, media_type: str = "application/ld+json") -> str:
        self.pages[path] = (status, body)
        self.media_types[path] = media_type
        return self.base + path

    def redirect(self, path: str, location: str) -> str:
        self.pages[path] = (302, location)
        return self.base + path

    def hosted_badge(self, number: int = 1, **changes) -> dict:
        """Publish an issuer, a BadgeClass and a hosted assertion; return the assertion."""
        issuer = {"@context": "https://w3id.org/openbadges/v2", "type": "Issuer", "id": f"{self.base}/issuer.json",
                  "name": "Lakeside Training Centre", "url": self.base}
        badge = {"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass", "id": f"{self.base}/badge.json",
                 "name": "First aid at work", "description": "Gives first aid.", "criteria": {"narrative": "Course."},
                 "image": f"{self.base}/badge.png", "issuer": issuer["id"]}
        assertion = {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
                     "id": f"{self.base}/assertions/{number}.json",
                     "recipient": {"type": "email", "hashed": True, "identity": "sha256$" + "0" * 64},
                     "badge": badge["id"], "verification": {"type": "hosted"},
                     "issuedOn": "2025-06-01T10:00:00+00:00", **changes}
        self.serve("/issuer.json", issuer)
        self.serve("/badge.json", badge)
        self.serve(f"/assertions/{number}.json", assertion)
        return assertion

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_issuer_site() -> IssuerSite:
    site = IssuerSite(None)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            site.requests.append(self.path)
            status, body = site.pages.get(self.path, (404, {"error": "not found"}))
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            if status == 302:
                self.send_header("Location", body)
            self.send_header("Content-Type", site.media_types.get(self.path, "application/ld+json"))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    site.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=site.server.serve_forever, daemon=True).start()
    return site
