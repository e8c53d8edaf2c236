"""A VC-JWT's `nbf` is its start of validity (OB 3.0 §8.2.4), as `exp` is its end: a badge
whose token is not valid yet is kept, not shown as genuine, and says from when it will be."""
from datetime import UTC, datetime, timedelta

from backpack.credentials import vc_jwt
from backpack.extensions import db
from backpack.learner import importing
from tests.credentials import jose_tokens
from tests.learner.test_importing_jwt import credential, failed, vc_jwt_of

NOT_YET = "The credential is not valid until %(date)s."


def test_a_jwt_whose_nbf_is_still_to_come_is_kept_and_not_valid_yet(app, holder):
    [pair] = jose_tokens.generate("EdDSA")
    did = jose_tokens.did_key(pair["publicJwk"])
    next_month = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    token = vc_jwt_of(pair, "EdDSA", credential(did), nbf=int(next_month.timestamp()))

    outcome = importing.import_credential(holder, data=token.encode())
    db.session.commit()

    assert outcome.created and outcome.credential.status == "invalid"
    assert NOT_YET in failed(outcome.credential)
    later = vc_jwt.verify_jwt(token, now=next_month + timedelta(seconds=1))
    assert later.status == "valid", [check.reason for check in later.checks if not check.passed]


def test_nbf_and_exp_give_the_dates_of_a_credential_that_has_none(app, holder):
    """A `vc` claim without validFrom/validUntil takes them from nbf/exp (OB 3.0 §8.2.4.1)."""
    [pair] = jose_tokens.generate("EdDSA")
    did = jose_tokens.did_key(pair["publicJwk"])
    document = credential(did)
    del document["validFrom"]
    start = datetime(2025, 3, 1, tzinfo=UTC)
    token = vc_jwt_of(pair, "EdDSA", document, nbf=int(start.timestamp()),
                      exp=int((start + timedelta(days=365)).timestamp()))

    decoded = vc_jwt.decode(token)
    assert (decoded.credential["validFrom"], decoded.credential["validUntil"]) == ("2025-03-01T00:00:00Z", "2026-03-01T00:00:00Z")
    assert vc_jwt.verify_jwt(token, now=start - timedelta(days=1)).status == "invalid"
    assert vc_jwt.verify_jwt(token, now=start + timedelta(days=1)).status == "valid"
    assert vc_jwt.verify_jwt(token, now=start + timedelta(days=366)).status == "expired"
