"""Ed25519 issuer keys: Multikey encoding, did:key identifiers and sealing at rest.

A did:key embeds the public key itself, so any verifier can resolve it offline,
without this server or its database.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Multicodec varint prefixes: ed25519-pub (0xed) and ed25519-priv (0x1300).
ED25519_PUBLIC_PREFIX = b"\xed\x01"
ED25519_PRIVATE_PREFIX = b"\x80\x26"
DID_KEY_PREFIX = "did:key:"

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {char: value for value, char in enumerate(BASE58_ALPHABET)}

SEAL_VERSION = "v1"
_SEAL_INFO = b"backpack issuer signing key v1"
_SALT_SIZE = 16
_NONCE_SIZE = 12


class KeyFormatError(ValueError):
    """Raised when a key, multibase string, did:key or sealed key cannot be used."""


def base58_encode(data: bytes) -> str:
    """Encode bytes in base58btc (Bitcoin alphabet), keeping leading zero bytes as '1'."""
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58_ALPHABET[remainder])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


def base58_decode(text: str) -> bytes:
    """Decode base58btc text; raise KeyFormatError on a character outside the alphabet."""
    number = 0
    for char in text:
        if char not in _BASE58_INDEX:
            raise KeyFormatError(f"Invalid base58 character {char!r}.")
        number = number * 58 + _BASE58_INDEX[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + body


def multibase_encode(data: bytes) -> str:
    """Encode bytes as multibase base58btc ('z' prefix)."""
    return "z" + base58_encode(data)


def multibase_decode(text: str) -> bytes:
    """Decode a multibase base58btc string ('z' prefix only)."""
    if not isinstance(text, str) or not text.startswith("z"):
        raise KeyFormatError("Expected a multibase base58btc value starting with 'z'.")
    return base58_decode(text[1:])


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """Return the Multikey publicKeyMultibase ('z6Mk...') of an Ed25519 public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return multibase_encode(ED25519_PUBLIC_PREFIX + raw)


def public_key_from_multibase(text: str) -> Ed25519PublicKey:
    """Read an Ed25519 public key from its Multikey publicKeyMultibase."""
    data = multibase_decode(text)
    if not data.startswith(ED25519_PUBLIC_PREFIX) or len(data) != 34:
        raise KeyFormatError("The multibase value is not an Ed25519 public key.")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def private_key_from_multibase(text: str) -> Ed25519PrivateKey:
    """Read an Ed25519 private key from a secretKeyMultibase (32-byte seed, or seed + public key)."""
    data = multibase_decode(text)
    if not data.startswith(ED25519_PRIVATE_PREFIX) or len(data) not in (34, 66):
        raise KeyFormatError("The multibase value is not an Ed25519 private key.")
    private_key = Ed25519PrivateKey.from_private_bytes(data[2:34])
    if len(data) == 66 and public_bytes(private_key) != data[34:]:
        raise KeyFormatError("The private key does not match the public key stored with it.")
    return private_key


def public_bytes(private_key: Ed25519PrivateKey) -> bytes:
    """Return the raw 32-byte public key of a private key."""
    return private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


@dataclass(frozen=True)
class IssuerKey:
    """An issuer's Ed25519 signing key with its did:key names."""

    private_key: Ed25519PrivateKey

    @property
    def seed(self) -> bytes:
        """Return the raw 32-byte private key (what gets sealed at rest)."""
        return self.private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    @property
    def public_key(self) -> Ed25519PublicKey:
        """Return the public half."""
        return self.private_key.public_key()

    @property
    def public_key_multibase(self) -> str:
        """Return the Multikey publicKeyMultibase."""
        return public_key_multibase(self.public_key)

    @property
    def secret_key_multibase(self) -> str:
        """Return the Multikey secretKeyMultibase of the 32-byte seed."""
        return multibase_encode(ED25519_PRIVATE_PREFIX + self.seed)

    @property
    def did(self) -> str:
        """Return the issuer's did:key."""
        return DID_KEY_PREFIX + self.public_key_multibase

    @property
    def verification_method(self) -> str:
        """Return the did:key verification method id used in proofs."""
        return f"{self.did}#{self.public_key_multibase}"


def generate_key() -> IssuerKey:
    """Create a fresh random issuer key."""
    return IssuerKey(Ed25519PrivateKey.generate())


def key_from_seed(seed: bytes) -> IssuerKey:
    """Rebuild an issuer key from its raw 32-byte private key."""
    if len(seed) != 32:
        raise KeyFormatError("An Ed25519 private key has 32 bytes.")
    return IssuerKey(Ed25519PrivateKey.from_private_bytes(seed))


@dataclass(frozen=True)
class ResolvedKey:
    """A verification method resolved to its controller and public key."""

    id: str
    controller: str
    public_key: Ed25519PublicKey


def resolve_did_key(verification_method: str) -> ResolvedKey:
    """Resolve a did:key verification method offline to its controller DID and public key."""
    if not isinstance(verification_method, str) or not verification_method.startswith(DID_KEY_PREFIX):
        raise KeyFormatError("Only did:key verification methods can be resolved offline.")
    did, _, fragment = verification_method.partition("#")
    multibase = did[len(DID_KEY_PREFIX):]
    if fragment and fragment != multibase:
        raise KeyFormatError("The did:key fragment does not name the key in the DID.")
    if not multibase.startswith("z6Mk"):
        raise KeyFormatError("The did:key is not an Ed25519 key.")
    public_key = public_key_from_multibase(multibase)
    return ResolvedKey(id=f"{did}#{multibase}", controller=did, public_key=public_key)


def _sealing_key(secret: str, salt: bytes) -> bytes:
    """Derive a 256-bit AES key from the app secret and a per-seal salt."""
    if not secret:
        raise KeyFormatError("A non-empty app secret is needed to seal keys.")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_SEAL_INFO)
    return hkdf.derive(secret.encode("utf-8"))


def seal_private_key(raw: bytes, secret: str) -> str:
    """Encrypt a raw private key with AES-256-GCM under a key derived from the app secret."""
    salt = os.urandom(_SALT_SIZE)
    nonce = os.urandom(_NONCE_SIZE)
    ciphertext = AESGCM(_sealing_key(secret, salt)).encrypt(nonce, raw, _SEAL_INFO)
    token = base64.urlsafe_b64encode(salt + nonce + ciphertext).decode("ascii").rstrip("=")
    return f"{SEAL_VERSION}.{token}"


def open_private_key(sealed: str, secret: str) -> bytes:
    """Decrypt a sealed private key; raise KeyFormatError if the secret is wrong or data altered."""
    version, _, token = sealed.partition(".")
    if version != SEAL_VERSION or not token:
        raise KeyFormatError("Unknown sealed key format.")
    try:
        blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError as error:
        raise KeyFormatError("The sealed key is not valid base64url.") from error
    salt, nonce = blob[:_SALT_SIZE], blob[_SALT_SIZE:_SALT_SIZE + _NONCE_SIZE]
    ciphertext = blob[_SALT_SIZE + _NONCE_SIZE:]
    try:
        return AESGCM(_sealing_key(secret, salt)).decrypt(nonce, ciphertext, _SEAL_INFO)
    except InvalidTag as error:
        raise KeyFormatError("The sealed key cannot be opened with this secret.") from error
