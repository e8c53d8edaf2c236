"""The app's VAPID key (RFC 8292): made once, kept in the instance folder, shared by every process.

Browsers bind each subscription to this public key, so replacing the key silently would
stop every notification: it is created only when missing, and never overwritten.
"""
import base64
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02, VapidException

KEY_FILE = "vapid_private_key.pem"


def b64url(data: bytes) -> str:
    """Encode as unpadded base64url, the form Web Push uses for keys."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class VapidKey:
    signer: Vapid02
    public_key: str  # base64url of the uncompressed P-256 point: the browser's applicationServerKey


def _create_once(path: Path) -> None:
    """Write a new key unless another process got there first (link fails if the file exists)."""
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, pem)
        os.close(fd)
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)


def _from_text(text: str) -> ec.EllipticCurvePrivateKey:
    """Read a PEM key, or the base64url raw/DER forms that VAPID tools print."""
    if "BEGIN" in text:
        return serialization.load_pem_private_key(text.encode(), password=None)
    return Vapid02.from_string(text.strip()).private_key


def load(instance_path: Path, configured: str | None = None) -> VapidKey:
    """Return the configured key, else the instance folder's, made now if there is none."""
    if configured:
        private_key = _from_text(configured)
    else:
        path = instance_path / KEY_FILE
        if not path.exists():
            _create_once(path)
        private_key = _from_text(path.read_text())
    public = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return VapidKey(signer=Vapid02(private_key), public_key=b64url(public))


def check_subject(key: VapidKey, subject: str) -> None:
    """Fail at start-up, not at every send, when the VAPID contact is not a valid mailto:/https: URL."""
    try:
        key.signer.sign({"sub": subject, "aud": "https://push.example"})
    except VapidException:
        raise ValueError(
            f"NOTIFY_VAPID_SUBJECT {subject!r} is not a mailto: address or an https: URL "
            "(set BACKPACK_VAPID_SUBJECT, e.g. mailto:admin@school.example)"
        ) from None
