"""A Web Push service on 127.0.0.1, and the browser's side of a subscription, for tests.

It does what FCM or Mozilla's autopush do with what our server sends: checks the VAPID
token (RFC 8292: ES256, audience = this service's origin, signed by the app's public key)
and decrypts the aes128gcm body (RFC 8291) with the subscription's private key, using
http_ece, a separate implementation from the sender's. Answers can be scripted per
device (410, 503 then 201, a hang...), and every attempt is recorded.
"""
import base64
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from backpack.extensions import db
from backpack.models import PushSubscription
from tests.support.sign_ins import live_handle


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Device:
    """A browser's subscription: a P-256 key pair and a 16-byte auth secret, made here."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def subscription(self) -> dict:
        """Return what PushSubscription.toJSON() gives in a browser."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)},
        }

    def decrypt(self, body: bytes) -> bytes:
        return http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm")


def fake_subscription(endpoint: str) -> dict:
    return Device(endpoint).subscription()


def verify_vapid(authorization: str, *, public_key: str | None, audience: str) -> dict:
    """Check a `vapid t=<JWT>,k=<key>` header and return the token's claims; raise if wrong."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise ValueError(f"not a VAPID authorization: {scheme!r}")
    parts = dict(item.strip().split("=", 1) for item in params.split(","))
    token, key = parts["t"], parts["k"]
    if public_key is not None and key != public_key:
        raise ValueError("signed with a key that is not the app's")
    encoded_header, encoded_claims, encoded_signature = token.split(".")
    header = json.loads(unb64url(encoded_header))
    if header.get("alg") != "ES256":
        raise ValueError(f"JWT algorithm {header.get('alg')!r}, not ES256")
    signature = unb64url(encoded_signature)
    if len(signature) != 64:
        raise ValueError("an ES256 signature is 64 bytes (r || s)")
    verifier = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        verifier.verify(der, f"{encoded_header}.{encoded_claims}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ValueError("JWT signature does not verify") from None
    claims = json.loads(unb64url(encoded_claims))
    now = time.time()
    if claims.get("aud") != audience:
        raise ValueError(f"JWT audience {claims.get('aud')!r}, expected {audience!r}")
    if not now < claims["exp"] <= now + 24 * 3600:
        raise ValueError("JWT expiry must be in the future and within 24 hours")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
        raise ValueError("JWT sub must be a mailto: or https: contact")
    return claims


class Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 makes concurrent senders wait a second for a
    # SYN retry; real push services accept far more connections at once.
    request_queue_size = 128


@dataclass
class Attempt:
    """One POST the service received, and what it answered."""

    device: str
    status: int
    headers: dict
    payload: dict | None = None
    text: str | None = None  # the decrypted body, as the phone's service worker gets it
    claims: dict | None = None
    error: str | None = None
    at: float = field(default_factory=time.monotonic)


class PushService:
    """The push service: start(), make devices, script answers, read what arrived."""

    def __init__(self, public_key: str | None = None):
        self.public_key = public_key
        self.devices: dict[str, Device] = {}
        self.answers: dict[str, list] = {}
        self.turns: list = []  # answers by arrival order, for devices with no script of their own
        self.attempts: list[Attempt] = []
        self.lock = threading.RLock()
        self.started: list[str] = []  # devices whose POST arrived (answered or not yet)
        self.hanging: list[str] = []  # devices whose whole POST arrived and was then held unanswered
        self.arrived = threading.Condition(self.lock)
        self.release = threading.Event()  # ends every hang at once, for shutdown
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                service.handle(self)

            def log_message(self, *args):
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # a client that gave up waiting
        self.origin = f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> "PushService":
        threading.Thread(target=self.server.serve_forever, name="push-service", daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def device(self, name: str) -> Device:
        device = Device(f"{self.origin}/push/{name}")
        self.devices[name] = device
        return device

    def answer(self, name: str, *answers) -> None:
        """Script the next answers for a device: a status, ("hang", seconds) or (status, headers)."""
        self.answers.setdefault(name, []).extend(answers)

    def answer_in_turn(self, *answers) -> None:
        """Script answers by arrival: the next POSTs to arrive, whichever devices they are for, get these."""
        self.turns.extend(answers)

    def end_hangs(self) -> None:
        """Answer every hanging request now (and any later hang at once), as a service that moved on."""
        self.release.set()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        name = request.path.rsplit("/", 1)[-1]
        with self.arrived:
            self.started.append(name)
            self.arrived.notify_all()
        body = request.rfile.read(int(request.headers.get("Content-Length", 0)))
        headers = {key.lower(): value for key, value in request.headers.items()}
        attempt = Attempt(device=name, status=201, headers=headers)
        with self.lock:
            scripted = self.answers.get(name) or self.turns
            answer = scripted.pop(0) if scripted else 201
        extra = {}
        if isinstance(answer, tuple) and answer[0] == "hang":
            with self.arrived:
                self.hanging.append(name)
                self.arrived.notify_all()
            self.release.wait(answer[1])
            answer = 201
        elif isinstance(answer, tuple):
            answer, extra = answer
        attempt.status = answer
        try:
            device = self.devices[name]
            if headers.get("content-encoding") != "aes128gcm":
                raise ValueError(f"content encoding {headers.get('content-encoding')!r}")
            attempt.claims = verify_vapid(headers.get("authorization", ""), public_key=self.public_key, audience=self.origin)
            attempt.text = device.decrypt(body).decode()
            attempt.payload = json.loads(attempt.text)
        except Exception as error:  # recorded for the test to see, answered like a real service
            attempt.error = f"{type(error).__name__}: {error}"
            attempt.status = 403 if "JWT" in str(error) or "key" in str(error) else 400
        self._reply(request, attempt.status, extra)
        with self.arrived:
            self.attempts.append(attempt)
            self.arrived.notify_all()

    def _reply(self, request, status: int, headers: dict) -> None:
        try:
            request.send_response(status)
            if status == 201:
                request.send_header("Location", f"{self.origin}/message/{time.monotonic_ns()}")
            for key, value in headers.items():
                request.send_header(key, value)
            request.send_header("Content-Length", "0")
            request.end_headers()
        except OSError:
            pass  # the sender timed out and left

    @property
    def errors(self) -> list[str]:
        return [a.error for a in self.attempts if a.error]

    def delivered(self, name: str | None = None) -> list[Attempt]:
        """Return attempts answered 201 with a payload that decrypted, for one device or all."""
        with self.lock:
            return [a for a in self.attempts if a.status == 201 and a.payload is not None and name in (None, a.device)]

    def wait_for(self, count: int, timeout: float = 10) -> list[Attempt]:
        """Wait until count messages were delivered; return them (fewer if time ran out)."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len([a for a in self.attempts if a.status == 201 and a.payload is not None]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.arrived.wait(left)
        return self.delivered()

    def wait_for_hanging(self, count: int, timeout: float = 10) -> int:
        """Wait until count whole POSTs are held unanswered by a scripted hang; return how many."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.hanging) < count and time.monotonic() < deadline:
                self.arrived.wait(max(0.01, deadline - time.monotonic()))
            return len(self.hanging)

    def wait_for_started(self, count: int, timeout: float = 10) -> int:
        """Wait until count POSTs have arrived, answered or still hanging; return how many."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.started) < count and time.monotonic() < deadline:
                self.arrived.wait(max(0.01, deadline - time.monotonic()))
            return len(self.started)


def give_device(user) -> None:
    """Give the user a phone that gets notifications, so events are written into the outbox."""
    endpoint = f"https://93.184.216.34/push/{uuid.uuid4()}"
    db.session.add(
        PushSubscription(
            user_id=user.id,
            endpoint=endpoint,
            label="Chrome · Android",
            session_hash=live_handle(user),
            **fake_subscription(endpoint)["keys"],
        )
    )
    db.session.commit()
