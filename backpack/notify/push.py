"""Send one encrypted message to one device's push service, and say what happened.

No database here: the worker runs these sends on a thread pool and records the outcomes
itself, so a push service that hangs holds one pool thread for at most the timeout.
"""
import email.utils
import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests
from pywebpush import WebPushException, webpush

from backpack.notify import endpoints
from backpack.notify.vapid import VapidKey, b64url

log = logging.getLogger(__name__)

# RFC 8291: a push service must take 4096 bytes of encrypted body; aes128gcm adds a
# 86-byte header, a 16-byte tag and a 1-byte padding delimiter.
MAX_PAYLOAD_BYTES = 4096 - 86 - 16 - 1
MAX_REPLY_BYTES = 64 * 1024
# A VAPID token may live at most 24 hours (RFC 8292); 12 leaves room for clock skew.
TOKEN_LIFETIME_SECONDS = 12 * 60 * 60

SENT, GONE, RETRY, FAILED = "sent", "gone", "retry", "failed"


@dataclass(frozen=True)
class Outcome:
    """What a push service said: sent, gone (forget the device), retry later, or failed for good."""

    kind: str
    status: int | None = None
    error: str | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class Message:
    data: bytes
    ttl: int
    urgency: str
    topic: str | None


class PushSession(requests.Session):
    """Never follow a redirect (it could lead into our network); read at most 64 KiB back."""

    def request(self, method, url, **kwargs):
        kwargs["allow_redirects"] = False
        kwargs["stream"] = True
        response = super().request(method, url, **kwargs)
        try:
            response._content = response.raw.read(MAX_REPLY_BYTES, decode_content=True) or b""
        finally:
            response.close()
        return response


_sessions = threading.local()


def _session() -> PushSession:
    """One session per sending thread: requests sessions are not thread-safe, pooling is."""
    if not hasattr(_sessions, "session"):
        _sessions.session = PushSession()
    return _sessions.session


def topic_for(key: str) -> str:
    """Return an RFC 8030 Topic: a push service replaces an undelivered message of the same topic."""
    return b64url(hashlib.sha256(key.encode()).digest())[:32]


def _retry_after(value: str | None) -> float | None:
    """Read Retry-After as seconds or as an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def classify(status: int, retry_after: str | None = None) -> Outcome:
    """Map a push service's HTTP status to what the worker should do (RFC 8030 section 5)."""
    if status in (200, 201, 202):
        return Outcome(SENT, status)
    if status in (404, 410):
        return Outcome(GONE, status, f"push service says the subscription is gone ({status})")
    if status == 429 or status >= 500:
        return Outcome(RETRY, status, f"push service busy ({status})", _retry_after(retry_after))
    if status == 413:
        return Outcome(FAILED, status, "push service says the message is too large (413)")
    return Outcome(FAILED, status, f"push service refused the message ({status})")


def origin_of(endpoint: str) -> str:
    """Return scheme://host[:port], the audience of a VAPID token for this endpoint."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def send(info: dict, message: Message, *, key: VapidKey, subject: str, timeout: float, allow_local: bool) -> Outcome:
    """Encrypt (aes128gcm) and POST the message with a VAPID token for this push service."""
    endpoint = info["endpoint"]
    if len(message.data) > MAX_PAYLOAD_BYTES:
        return Outcome(FAILED, None, "message larger than Web Push allows")
    try:
        endpoints.check(endpoint, allow_local=allow_local)
    except endpoints.EndpointRefused as refusal:
        return Outcome(GONE, None, f"endpoint refused: {refusal.message}")
    claims = {"sub": subject, "aud": origin_of(endpoint), "exp": int(time.time()) + TOKEN_LIFETIME_SECONDS}
    headers = {"Urgency": message.urgency}
    if message.topic:
        headers["Topic"] = message.topic
    try:
        response = webpush(
            info,
            data=message.data,
            vapid_private_key=key.signer,
            vapid_claims=claims,
            content_encoding="aes128gcm",
            ttl=message.ttl,
            headers=headers,
            timeout=timeout,
            requests_session=_session(),
        )
    except WebPushException as error:
        if error.status_code is None:
            return Outcome(FAILED, None, str(error.message)[:200])
        return classify(error.status_code, error.retry_after)
    except requests.Timeout:
        return Outcome(RETRY, None, f"push service did not answer within {timeout:g} s")
    except requests.RequestException as error:
        return Outcome(RETRY, None, f"could not reach the push service: {type(error).__name__}")
    return classify(response.status_code)
