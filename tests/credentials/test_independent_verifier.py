"""Credentials signed here pass (or fail) two independent verifiers on Node: DCC verifier-core,
and Digital Bazaar's vc / data-integrity / eddsa-rdfc-2022 / bitstring status list stack.

All cases are verified in one Node run per verifier, then each test reads its verdict.
"""

import copy
from datetime import UTC, datetime

import pytest

from backpack.credentials import status_list
from backpack.credentials.verify import EXPIRED, INVALID, REVOKED, VALID, verify_credential
from tests.support import verifier_db
from tests.support.verifier_core import run as verifier_core_run
from tests.support.verifier_core import verdict

from .conftest import AWKWARD_TEXT

NOW = datetime.now(UTC)


def tampered(credential, change):
    credential = copy.deepcopy(credential)
    change(credential)
    return credential


@pytest.fixture(scope="module")
def cases(make_credential, sign, publish_status_list):
    """Build every credential to check, with the verdict both verifiers should reach."""
    genuine = sign(make_credential())
    url = publish_status_list("/status/independent", revoked=[7])

    def with_status(index):
        return sign(make_credential(status=status_list.build_status_entry(list_url=url, index=index)))

    return {
        "genuine": (genuine, VALID),
        "awkward text": (sign(make_credential(name=AWKWARD_TEXT, criteria=AWKWARD_TEXT)), VALID),
        "emoji": (sign(make_credential(name="Welder 🎉 焊工 ！", criteria="Done 👍🏽 完成！")), VALID),
        "changed name": (tampered(genuine, lambda c: c.update(name="Master welder")), INVALID),
        "changed learner": (
            tampered(genuine, lambda c: c["credentialSubject"].update(id="did:example:someone-else")),
            INVALID,
        ),
        "changed criteria": (
            tampered(genuine, lambda c: c["credentialSubject"]["achievement"]["criteria"].update(narrative="x")),
            INVALID,
        ),
        "changed issuer name": (tampered(genuine, lambda c: c["issuer"].update(name="Another school")), INVALID),
        "changed date": (tampered(genuine, lambda c: c.update(validFrom="2023-01-01T00:00:00Z")), INVALID),
        "undefined property added": (tampered(genuine, lambda c: c.update(favouriteColour="blue")), INVALID),
        "revoked": (with_status(7), REVOKED),
        "not revoked": (with_status(8), VALID),
        "expired": (sign(make_credential(valid_until="2025-01-01T00:00:00Z")), EXPIRED),
        "proof as an object (issued before)": ({**genuine, "proof": genuine["proof"][0]}, VALID),
        "changed object-form proof": (
            tampered({**genuine, "proof": genuine["proof"][0]}, lambda c: c.update(name="Master welder")),
            INVALID,
        ),
    }


@pytest.fixture(scope="module")
def verifier_core(cases):
    """Run verifier-core once over all cases; return its result per case name."""
    names = list(cases)
    return dict(zip(names, verifier_core_run([cases[name][0] for name in names]), strict=True))


@pytest.fixture(scope="module")
def digital_bazaar(cases):
    """Run Digital Bazaar's stack once over all cases; return its result per case name."""
    names = list(cases)
    return dict(zip(names, verifier_db.run([cases[name][0] for name in names]), strict=True))


CASE_NAMES = [
    "genuine", "awkward text", "emoji", "changed name", "changed learner", "changed criteria",
    "changed issuer name", "changed date", "undefined property added", "revoked", "not revoked", "expired",
    "proof as an object (issued before)", "changed object-form proof",
]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_verifier_core_agrees(name, cases, verifier_core):
    _credential, expected = cases[name]

    assert verdict(verifier_core[name]) == expected, verifier_core[name]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_digital_bazaar_agrees(name, cases, digital_bazaar):
    _credential, expected = cases[name]

    assert verifier_db.verdict(digital_bazaar[name]) == expected, digital_bazaar[name]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_our_verifier_agrees(name, cases, status_server):
    credential, expected = cases[name]

    result = verify_credential(credential, fetch_status_list=status_server.fetch, now=NOW)

    assert result.status == expected, result.checks
