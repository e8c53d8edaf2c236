"""`alg: none` and HS256 keyed with the issuer's public key (the algorithm-confusion attack):
such a badge is never genuine, whether a learner adds it or a platform sends it."""
import base64
import json

from backpack.extensions import db
from backpack.learner import importing
from backpack.models import ImportedCredential, Role
from tests.api.platform import API, connect
from tests.credentials import jose_tokens
from tests.learner.test_importing_jwt import credential, failed, vc_jwt_of

UNSAFE = "The badge is signed with a method that is not safe or not supported."


def part(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def unsigned_copy(token: str) -> str:
    """The same claims under `alg: none`, keeping a signature part so it still looks like a JWS."""
    _header, payload, signature = token.split(".")
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{payload}.{signature}"


def test_an_alg_none_token_is_kept_as_not_genuine_and_says_why(app, holder):
    [pair] = jose_tokens.generate("EdDSA")
    genuine = vc_jwt_of(pair, "EdDSA", credential(jose_tokens.did_key(pair["publicJwk"])))
    outcome = importing.import_credential(holder, data=unsigned_copy(genuine).encode())
    db.session.commit()
    assert outcome.created and outcome.credential.status == "invalid"
    assert UNSAFE in failed(outcome.credential)


def test_a_platform_sending_none_or_hs256_tokens_gets_them_kept_as_not_genuine(app, signed_in):
    learner = signed_in(Role.LEARNER, "Amina")
    session, _token = connect(app, learner)
    [pair] = jose_tokens.generate("EdDSA")
    did = jose_tokens.did_key(pair["publicJwk"])
    hmac = vc_jwt_of({"privateJwk": {"kty": "oct", "k": pair["publicJwk"]["x"]}}, "HS256", credential(did))
    document = credential(did)
    document["id"] = "urn:uuid:0c7d5a55-8f0e-4a0b-9a8e-0d1c2b3a4f60"
    none = unsigned_copy(vc_jwt_of(pair, "EdDSA", document, jti=document["id"]))
    for token in (hmac, none):
        answer = session.post(f"{API}/credentials", data=token, headers={"Content-Type": "text/plain"})
        assert answer.status_code == 201
    db.session.expire_all()
    kept = db.session.scalars(db.select(ImportedCredential)).all()
    assert [row.status for row in kept] == ["invalid", "invalid"]
    assert all(UNSAFE in failed(row) for row in kept)
