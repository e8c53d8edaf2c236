"""Revocation through W3C Bitstring Status List v1.0.

Each award gets an index in a large bitstring; setting its bit revokes it. The
bitstring travels GZIP-compressed, base64url-encoded without padding and
multibase-prefixed with 'u', inside a signed BitstringStatusListCredential that
verifiers fetch from a stable URL.
"""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Mapping
from typing import Any

from .jsonld import VC_V2_CONTEXT

REVOCATION = "revocation"
ENTRY = "BitstringStatusListEntry"
LEGACY_ENTRY = "StatusList2021Entry"  # the W3C CCG Status List 2021, before Bitstring Status List
LIST_CREDENTIAL = {ENTRY: "BitstringStatusListCredential", LEGACY_ENTRY: "StatusList2021Credential"}
MIN_BITS = 131_072  # 16 KiB: the spec's minimum, so one list hides which index is whose
MAX_BITS = 16 * MIN_BITS * 64  # refuse lists that decompress past 16 MiB


class StatusListError(ValueError):
    """Raised when an encoded status list or a status entry is unusable."""


class StatusList:
    """A bitstring whose bit i tells whether the credential at index i is revoked."""

    def __init__(self, size: int = MIN_BITS, bits: bytes | None = None):
        if bits is None:
            if size < MIN_BITS or size % 8:
                raise StatusListError("A status list has at least 131072 bits, in whole bytes.")
            bits = bytes(size // 8)
        self._bits = bytearray(bits)

    @property
    def bits(self) -> bytes:
        """Return the raw bitstring, for storage."""
        return bytes(self._bits)

    @property
    def size(self) -> int:
        """Return the number of indexes in the list."""
        return len(self._bits) * 8

    def _locate(self, index: int) -> tuple[int, int]:
        """Return (byte, mask) for an index; the first index is the leftmost bit."""
        if not 0 <= index < self.size:
            raise StatusListError(f"Index {index} is outside the status list.")
        return index // 8, 0x80 >> (index % 8)

    def get(self, index: int) -> bool:
        """Tell whether the bit at index is set."""
        byte, mask = self._locate(index)
        return bool(self._bits[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        """Set (or clear) the bit at index."""
        byte, mask = self._locate(index)
        if value:
            self._bits[byte] |= mask
        else:
            self._bits[byte] &= ~mask & 0xFF

    def encode(self) -> str:
        """Return the encodedList value: 'u' + base64url(GZIP(bits)), no padding."""
        compressed = gzip.compress(bytes(self._bits), mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, encoded: str) -> StatusList:
        """Read an encodedList value, refusing oversized or malformed lists."""
        if not isinstance(encoded, str) or not encoded.startswith("u"):
            raise StatusListError("The encoded list must start with the multibase prefix 'u'.")
        body = encoded[1:]
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            inflater = zlib.decompressobj(wbits=31)
            bits = inflater.decompress(compressed, MAX_BITS // 8 + 1)
        except (ValueError, zlib.error) as error:
            raise StatusListError("The encoded list is not base64url GZIP data.") from error
        if len(bits) > MAX_BITS // 8 or not inflater.eof:
            raise StatusListError("The encoded list is too large or truncated.")
        return cls(bits=bits)


def build_status_list_credential(
    *,
    list_url: str,
    issuer_id: str,
    status_list: StatusList,
    valid_from: str,
    valid_until: str | None = None,
    ttl_ms: int | None = None,
    purpose: str = REVOCATION,
) -> dict:
    """Return the unsigned BitstringStatusListCredential to sign and serve at list_url.

    `valid_until` bounds how long a saved copy can be replayed; `ttl_ms` (the spec's
    `ttl`, in milliseconds) tells caches how soon to fetch the list again.
    """
    credential = {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": status_list.encode(),
        },
    }
    if valid_until:
        credential["validUntil"] = valid_until
    if ttl_ms is not None:
        credential["credentialSubject"]["ttl"] = ttl_ms
    return credential


def build_status_entry(*, list_url: str, index: int, purpose: str = REVOCATION) -> dict:
    """Return the credentialStatus entry pointing at one index of a list."""
    if index < 0:
        raise StatusListError("A status list index cannot be negative.")
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def read_status(entry: Mapping[str, Any], list_credential: Mapping[str, Any]) -> bool:
    """Tell whether the entry's bit is set in an (already verified) status list credential."""
    legacy = entry.get("type") == LEGACY_ENTRY
    subject = list_credential.get("credentialSubject")
    kind = "StatusList2021" if legacy else "BitstringStatusList"
    if not isinstance(subject, Mapping) or subject.get("type") != kind:
        raise StatusListError(f"The status list credential holds no {kind}.")
    if subject.get("statusPurpose") != entry.get("statusPurpose"):
        raise StatusListError("The status list is for a different purpose than the entry.")
    try:
        index = int(entry.get("statusListIndex"))
    except (TypeError, ValueError) as error:
        raise StatusListError("The status entry has no numeric index.") from error
    encoded = subject.get("encodedList")
    if legacy and isinstance(encoded, str):
        # Status List 2021: GZIP then base64 (url-safe in practice), without the multibase 'u'.
        encoded = "u" + encoded.translate(str.maketrans("+/", "-_")).rstrip("=")
    return StatusList.decode(encoded).get(index)
