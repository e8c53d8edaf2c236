"""A status list speaks for a credential only if it is the issuer's, for that URL and purpose, and fresh.

Otherwise a revoked badge could verify as genuine: an attacker replays an old saved copy of
the list, or serves a list made for another address, by another issuer or for another purpose.
Each of these leaves the status unknown ("could not check revocation"), never valid.
"""
import copy
from datetime import UTC, datetime

import pytest

from backpack.credentials import status_list
from backpack.credentials.verify import REVOKED, UNKNOWN_STATUS, VALID, verify_credential

LIST_URL = "https://riverside.example/status/1"
INDEX = 7
DAY_ONE = "2024-06-01T00:00:00Z"
DAY_TWO = "2024-06-02T00:00:00Z"
DAY_THREE = "2024-06-03T00:00:00Z"
DAY_FOUR = "2024-06-04T00:00:00Z"
ON_DAY_ONE = datetime(2024, 6, 1, 12, tzinfo=UTC)
ON_DAY_THREE = datetime(2024, 6, 3, 12, tzinfo=UTC)


@pytest.fixture
def make_list(sign, issuer_key):
    """Return a factory of signed status lists; by default our issuer's, fresh on day one, nothing revoked."""

    def make(
        *,
        revoked=(),
        url=LIST_URL,
        key=None,
        issuer=None,
        valid_from=DAY_ONE,
        valid_until=DAY_TWO,
        purpose=status_list.REVOCATION,
    ):
        key = key or issuer_key
        bits = status_list.StatusList()
        for index in revoked:
            bits.set(index)
        unsigned = status_list.build_status_list_credential(
            list_url=url,
            issuer_id=issuer or key.did,
            status_list=bits,
            valid_from=valid_from,
            valid_until=valid_until,
            ttl_ms=24 * 3600 * 1000,
            purpose=purpose,
        )
        return sign(unsigned, key)

    return make


@pytest.fixture
def badge(make_credential, sign):
    entry = status_list.build_status_entry(list_url=LIST_URL, index=INDEX)
    return sign(make_credential(status=entry))


def check(badge, served, now):
    """Verify the badge with `served` as whatever the list URL returned."""
    return verify_credential(badge, fetch_status_list=lambda url: served, now=now)


def assert_unknown(result, reason):
    assert result.status == UNKNOWN_STATUS
    revocation = result.check("revocation")
    assert not revocation.passed
    assert revocation.reason == reason


def test_a_fresh_list_is_believed_either_way(badge, make_list):
    assert check(badge, make_list(), ON_DAY_ONE).status == VALID
    assert check(badge, make_list(revoked=[INDEX]), ON_DAY_ONE).status == REVOKED


def test_a_saved_old_list_is_refused_once_it_lapsed(badge, make_list):
    saved = make_list()  # copied by the holder on day one, before the revocation
    current = make_list(revoked=[INDEX], valid_from=DAY_THREE, valid_until=DAY_FOUR)

    assert check(badge, current, ON_DAY_THREE).status == REVOKED
    replayed = check(badge, saved, ON_DAY_THREE)
    assert_unknown(replayed, "The issuer's revocation list is out of date.")


def test_a_list_at_its_exact_validuntil_has_lapsed(badge, make_list):
    assert_unknown(check(badge, make_list(), datetime(2024, 6, 2, tzinfo=UTC)), "The issuer's revocation list is out of date.")


def test_a_list_made_for_another_address_is_refused(badge, make_list):
    elsewhere = make_list(url="https://riverside.example/status/2")
    reason = "The revocation list is for a different address than the one the credential names."
    assert_unknown(check(badge, elsewhere, ON_DAY_ONE), reason)


def test_a_list_from_another_issuer_is_refused(badge, make_list, other_key):
    theirs = make_list(key=other_key)
    assert_unknown(check(badge, theirs, ON_DAY_ONE), "The revocation list was not published by the credential's issuer.")


def test_a_list_naming_our_issuer_but_signed_by_another_key_is_refused(badge, make_list, issuer_key, other_key):
    forged = make_list(key=other_key, issuer=issuer_key.did)
    assert_unknown(check(badge, forged, ON_DAY_ONE), "The revocation list was not signed with the issuer's own key.")


def test_a_list_for_another_purpose_is_refused(badge, make_list):
    suspension = make_list(purpose="suspension")
    assert_unknown(check(badge, suspension, ON_DAY_ONE), "The issuer's list is for a different purpose, not for revocation.")


def test_a_list_not_yet_valid_is_refused(badge, make_list):
    early = make_list(valid_from=DAY_THREE, valid_until=DAY_FOUR)
    assert_unknown(check(badge, early, ON_DAY_ONE), "The issuer's revocation list is not valid yet.")


def test_unreadable_list_dates_are_refused(badge, make_list):
    odd = make_list(valid_until="tomorrow")
    assert_unknown(check(badge, odd, ON_DAY_ONE), "The dates on the issuer's revocation list cannot be read.")


def test_an_unsigned_or_tampered_list_is_refused(badge, make_list):
    unsigned = make_list()
    del unsigned["proof"]
    tampered = make_list(revoked=[INDEX])
    tampered["credentialSubject"]["encodedList"] = status_list.StatusList().encode()
    stretched = make_list()
    stretched["validUntil"] = "2030-01-01T00:00:00Z"
    for forged in (unsigned, tampered, stretched):
        assert_unknown(check(badge, forged, ON_DAY_ONE), "The issuer's revocation list is not correctly signed.")


def test_something_other_than_a_status_list_is_refused(badge, make_list):
    not_a_list = copy.deepcopy(make_list())
    not_a_list["type"] = ["VerifiableCredential"]
    reason = "The document given as the issuer's revocation list is not a revocation list."
    for served in (not_a_list, badge, ["not", "an", "object"]):
        assert_unknown(check(badge, served, ON_DAY_ONE), reason)


def test_a_list_without_validuntil_from_another_issuer_is_accepted(badge, make_list):
    """Many issuers publish lists that never lapse; ours always carry validUntil."""
    assert check(badge, make_list(valid_until=None), ON_DAY_THREE).status == VALID
