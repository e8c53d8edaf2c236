"""The verification result an employer sees, cached per credential and status-list version.

Canonicalising and checking a credential takes milliseconds; a page opened again and
again should not pay for it each time. The cache key changes when the stored credential
changes (its hash) or when the issuer's status list is re-signed (its version), so a
revocation or a tampered record shows at once; it also changes the moment the credential
expires.
"""
import hashlib
from collections import OrderedDict
from threading import Lock

from backpack.credentials.verify import VerificationResult
from backpack.issuing.verification import verify_award
from backpack.models import Award

CACHE_SIZE = 2048
_cache: OrderedDict[tuple, VerificationResult] = OrderedDict()
_lock = Lock()


def _key(award: Award) -> tuple:
    digest = hashlib.sha256(award.credential_json.encode()).hexdigest()
    return digest, award.status_list_id, award.status_list.version, award.is_expired()


def verdict(award: Award) -> VerificationResult:
    """Return the award's verification result, from the cache when nothing changed."""
    key = _key(award)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    result = verify_award(award)
    with _lock:
        _cache[key] = result
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def clear() -> None:
    with _lock:
        _cache.clear()
