"""The fast canonicaliser (shape-memoised expansion + pyoxigraph RDFC-1.0) equals the pyld reference.

Every kind of document signed here is canonicalised both ways; then every text value of a
credential is swapped for values chosen to trip the shortcut (terms, compact IRIs, blank
node ids, relative IRIs, keyword look-alikes, placeholders, control characters).
"""

import copy
from unittest import mock

import pytest
from pyld.jsonld import JsonLdError

from backpack.credentials import canonical, jsonld, openbadge, proof, status_list
from backpack.credentials.jsonld import UndefinedTermError

from .conftest import AWKWARD_TEXT
from .test_eddsa_vector import load_vector
from .test_openbadge import full_credential

TRICKY = [
    "assertionMethod", "Profile", "name", "id", "xsd:string", "cred:issuer", "schema:name", "_:b0",
    "@id", "@foo", "urn:x", "https://example.org/a b", "http://example.org/é?q=1#f", "did:key:z6Mk",
    "mailto:a@example.org", "", " ", "1", "true", "urn:x-backpack-value:0", "x-backpack-value-1",
    "a:b:c", "urn:", "http:", ":x", "x:", "revocation", "2024-01-01T00:00:00Z", AWKWARD_TEXT,
    "Welder 🎉 焊工 ！", "\x00\x7f\u2028\ufeff", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement",
]


def fast_only(document, loader=None):
    """Canonicalise without ever taking the reference path."""
    with mock.patch.object(canonical.jsonld, "canonicalize", side_effect=AssertionError("reference path taken")):
        return canonical.canonicalize(document, loader=loader)


def outcome(function, document, loader=None):
    """Return the canonical form, or the kind of error raised."""
    try:
        return function(document, loader=loader)
    except (UndefinedTermError, JsonLdError, ValueError) as error:
        return type(error).__name__


@pytest.fixture(scope="module")
def issued(issuer_key, make_credential):
    """Documents of every shape this app signs: credentials, a status list, proof configurations."""
    entry = status_list.build_status_entry(list_url="https://riverside.example/status/1", index=3)
    credentials = {
        "plain": make_credential(),
        "full": full_credential(issuer_key),
        "awkward": make_credential(name=AWKWARD_TEXT, criteria=AWKWARD_TEXT),
        "emoji": make_credential(name="Welder 🎉 焊工 ！", criteria="Done 👍🏽 完成！"),
        "evidence and expiry": make_credential(
            evidence=[openbadge.Evidence(id="https://example.org/e/1", narrative="Line\nnext")],
            valid_until="2030-01-01T00:00:00Z",
            status=entry,
        ),
        "identical twins": make_credential(
            evidence=[openbadge.Evidence(narrative="Same"), openbadge.Evidence(narrative="Same"), openbadge.Evidence(name="x")],
            identifier=[{"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": "A"}] * 2,
        ),
        "identifier only": make_credential(
            subject_id=None,
            identifier=[{"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": AWKWARD_TEXT}],
        ),
        "status list": status_list.build_status_list_credential(
            list_url="https://riverside.example/status/1", issuer_id=issuer_key.did, status_list=status_list.StatusList(),
            valid_from="2024-01-01T00:00:00Z", valid_until="2024-01-02T00:00:00Z", ttl_ms=86_400_000,
        ),
    }
    options = proof.proof_options(issuer_key.verification_method, "2024-01-01T00:00:00Z")
    credentials["proof configuration"] = {**options, "@context": credentials["plain"]["@context"]}
    credentials["status list proof configuration"] = {**options, "@context": credentials["status list"]["@context"]}
    return credentials


@pytest.mark.parametrize(
    "name",
    ["plain", "full", "awkward", "emoji", "evidence and expiry", "identical twins", "identifier only", "status list",
     "proof configuration", "status list proof configuration"],
)
def test_every_shape_signed_here_takes_the_fast_path_and_agrees(issued, name):
    document = issued[name]

    assert fast_only(document) == jsonld.canonicalize(document)
    assert fast_only(document) == jsonld.canonicalize(document)  # second time: from the stored shape


@pytest.mark.parametrize("name", ["ob3-impl-guide", "ob3-impl-guide-vc2", "w3c-eddsa-rdfc-2022"])
def test_published_vectors_agree(name):
    vector, loader, expected = load_vector(name)
    config = {**vector["proofOptions"], "@context": vector["credential"]["@context"]}

    assert canonical.canonicalize(config, loader=loader) == expected["proof-config"]
    if "document" in expected:
        assert canonical.canonicalize(vector["credential"], loader=loader) == expected["document"]
    assert canonical.canonicalize(vector["credential"], loader=loader) == jsonld.canonicalize(
        vector["credential"], loader=loader
    )


def _text_leaves(node, path=()):
    """Yield the path of every text value outside @context and type."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in ("@context", "type"):
                yield from _text_leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _text_leaves(item, (*path, index))
    elif isinstance(node, str):
        yield path


def _replaced(document, path, value):
    document = copy.deepcopy(document)
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return document


@pytest.mark.parametrize("name", ["full", "proof configuration"])
def test_tricky_values_in_every_position_agree(issued, name):
    document = issued[name]
    leaves = list(_text_leaves(document))
    assert len(leaves) > 3
    tried = 0
    for number, path in enumerate(leaves):
        # Each position gets a few tricky values in turn; over all positions, every value is tried.
        for value in TRICKY[number % 4::4]:
            changed = _replaced(document, path, value)
            assert outcome(canonical.canonicalize, changed) == outcome(jsonld.canonicalize, changed), (path, value)
            tried += 1
    assert tried >= len(TRICKY)


def test_the_same_value_in_an_iri_and_a_vocabulary_position(issued):
    """proofPurpose is vocabulary-relative: its value becomes part of the shape, and both values agree."""
    config = issued["proof configuration"]
    other = {**config, "proofPurpose": "authentication"}

    assert fast_only(config) == jsonld.canonicalize(config)
    assert fast_only(other) == jsonld.canonicalize(other)
    assert fast_only(other) != fast_only(config)


@pytest.mark.parametrize(
    "extra",
    [
        {"name": {"@value": "Bonjour", "@language": "fr"}},
        {"score": 1.5},
        {"listed": {"@list": ["a", "b"]}},
        {"credentialSubject": {"@context": {"urn": "https://example.org/urn#"}, "id": "urn:x", "urn:y": "z"}},
    ],
    ids=["language tag", "double", "list", "embedded context"],
)
def test_features_beyond_the_shortcut_take_the_reference_path(extra):
    document = {
        "@context": [jsonld.VC_V2_CONTEXT, {"score": "https://example.org/score", "listed": "https://example.org/listed"}],
        "id": "urn:uuid:1f0e0c4e-8d6a-4a53-9a43-000000000001",
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        **extra,
    }

    assert canonical.canonicalize(document) == jsonld.canonicalize(document)
    with pytest.raises(AssertionError, match="reference path"):
        fast_only(document)


def test_undefined_terms_are_still_refused(make_credential):
    document = make_credential()
    fast_only(document)
    document["favouriteColour"] = "blue"

    with pytest.raises(UndefinedTermError):
        canonical.canonicalize(document)
    relative = make_credential(credential_id="not-an-iri")
    with pytest.raises(UndefinedTermError):
        canonical.canonicalize(relative)


def test_unknown_contexts_are_still_refused(make_credential):
    document = make_credential()
    document["@context"] = [*document["@context"], "https://example.org/unknown-context"]

    with pytest.raises(jsonld.ContextUnavailableError):
        canonical.canonicalize(document)
