"""A badge naming a JSON-LD context this app does not ship: the context's address is never
fetched (it could track the learner or change under the signature), and the verdict says why."""
import json

from backpack.extensions import db
from backpack.learner import importing
from backpack.models import ImportedCredential
from tests.credentials import jose_tokens
from tests.learner.imports import elsewhere_award

UNKNOWN_CONTEXT = "The credential uses a context that this verifier does not know."


def failed(imported: ImportedCredential) -> list[str]:
    return [item["reason"] for item in imported.reasons if not item["passed"]]


def with_context(credential: dict, url: str) -> dict:
    return {**credential, "@context": [*credential["@context"], url]}


def test_a_signed_badge_with_an_unknown_remote_context_is_kept_unverified_and_the_context_never_fetched(
    site, holder, make_user, make_issuer, make_achievement
):
    context = site.serve("/contexts/extra.jsonld", {"@context": {"@vocab": "https://example.org/terms#"}})
    credential = with_context(json.loads(elsewhere_award(make_user, make_issuer, make_achievement).credential_json), context)

    outcome = importing.import_credential(holder, data=json.dumps(credential).encode())
    db.session.commit()

    assert outcome.created and outcome.credential.status == "invalid"
    assert UNKNOWN_CONTEXT in failed(outcome.credential)
    assert importing.recheck(outcome.credential).status == "invalid"
    assert site.requests == []


def test_a_badge_fetched_by_its_address_does_not_lead_to_its_context(site, holder, make_user, make_issuer, make_achievement):
    context = site.serve("/contexts/extra.jsonld", {"@context": {"@vocab": "https://example.org/terms#"}})
    credential = with_context(json.loads(elsewhere_award(make_user, make_issuer, make_achievement).credential_json), context)
    url = site.serve("/badges/1.json", credential)

    outcome = importing.import_credential(holder, url=url)

    assert outcome.credential.status == "invalid" and UNKNOWN_CONTEXT in failed(outcome.credential)
    assert site.requests == ["/badges/1.json"]


def test_a_vc_jwt_whose_credential_names_a_remote_context_never_fetches_it(site, holder):
    [pair] = jose_tokens.generate("EdDSA")
    did = jose_tokens.did_key(pair["publicJwk"])
    context = site.serve("/contexts/extra.jsonld", {"@context": {"@vocab": "https://example.org/terms#"}})
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", context],
        "id": "urn:uuid:3f1c1a52-7d3e-4a8b-9c0f-5e6d7a8b9c01",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "Northgate Academy"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "First aid at work",
        "credentialSubject": {"id": "did:example:amina", "type": ["AchievementSubject"],
                              "achievement": {"id": "https://northgate.example/a/1", "type": ["Achievement"],
                                              "name": "First aid at work", "description": "Gives first aid.",
                                              "criteria": {"narrative": "Passed the course."}}},
    }
    token = jose_tokens.sign(pair["privateJwk"], {"alg": "EdDSA", "typ": "JWT"}, jose_tokens.vc_jwt_claims(document))

    outcome = importing.import_credential(holder, data=token.encode())

    # The JWS signs the bytes, not the JSON-LD graph: the badge is genuine without its context.
    assert outcome.created and outcome.credential.status == "valid", failed(outcome.credential)
    assert site.requests == []
