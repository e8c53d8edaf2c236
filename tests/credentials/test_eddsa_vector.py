"""Reproduce published eddsa-rdfc-2022 test vectors byte for byte."""

import json
from pathlib import Path

import pytest

from backpack.credentials import keys, proof
from backpack.credentials.jsonld import CONTEXTS_DIR, bundled_loader

VECTORS = Path(__file__).with_name("vectors")


def load_vector(name):
    folder = VECTORS / name
    vector = json.loads((folder / "vector.json").read_text(encoding="utf-8"))
    extra = {}
    for url, document in vector.get("extraContexts", {}).items():
        if isinstance(document, str):
            document = json.loads((CONTEXTS_DIR / document).read_text(encoding="utf-8"))
        extra[url] = document
    loader = bundled_loader().with_documents(extra)
    expected = {
        path.stem: path.read_text(encoding="utf-8") for path in folder.glob("*.nq")
    }
    return vector, loader, expected


def test_ob3_implementation_guide_key_pair():
    vector, _, _ = load_vector("ob3-impl-guide")
    private = bytes.fromhex(vector["privateKeyHex"])
    issuer_key = keys.key_from_seed(private[:32])

    assert keys.public_bytes(issuer_key.private_key).hex() == vector["publicKeyHex"]
    assert issuer_key.public_key_multibase == vector["publicKeyMultibase"]
    assert keys.multibase_encode(keys.ED25519_PRIVATE_PREFIX + private) == vector["secretKeyMultibase"]
    from_multibase = keys.private_key_from_multibase(vector["secretKeyMultibase"])
    assert keys.IssuerKey(from_multibase).seed == issuer_key.seed


def test_ob3_implementation_guide_walk_through():
    vector, loader, expected = load_vector("ob3-impl-guide")
    signing_key = keys.private_key_from_multibase(vector["secretKeyMultibase"])

    result = proof.signing_input(vector["credential"], vector["proofOptions"], loader=loader)

    assert result.canonical_document == expected["document"]
    assert result.canonical_proof_config == expected["proof-config"]
    assert result.document_hash.hex() == vector["documentHash"]
    assert result.proof_config_hash.hex() == vector["proofConfigHash"]
    assert result.data.hex() == vector["dataToSign"]
    assert signing_key.sign(result.data).hex() == vector["signatureHex"]

    signed = proof.sign(
        vector["credential"],
        signing_key,
        vector["proofOptions"]["verificationMethod"],
        vector["proofOptions"]["created"],
        loader=loader,
    )
    assert signed["proof"] == [{**vector["proofOptions"], "proofValue": vector["proofValue"]}]


@pytest.mark.parametrize("as_array", [False, True], ids=["proof-object", "proof-array"])
def test_ob3_implementation_guide_verifies_with_its_key(as_array):
    """The guide's proof is an object, as credentials signed here before were; arrays verify too."""
    vector, loader, _ = load_vector("ob3-impl-guide")
    embedded = {**vector["proofOptions"], "proofValue": vector["proofValue"]}
    signed = {**vector["credential"], "proof": [embedded] if as_array else embedded}
    public_key = keys.public_key_from_multibase(vector["publicKeyMultibase"])

    def resolve(method):
        return keys.ResolvedKey(id=method, controller=method.partition("#")[0], public_key=public_key)

    assert proof.verify_proof(signed, resolve_key=resolve, loader=loader)[0]
    signed["name"] = "Teamwork Badge!"
    assert not proof.verify_proof(signed, resolve_key=resolve, loader=loader)[0]


def test_ob3_implementation_guide_vc2_canonical_forms():
    vector, loader, expected = load_vector("ob3-impl-guide-vc2")

    result = proof.signing_input(vector["credential"], vector["proofOptions"], loader=loader)

    assert result.canonical_document == expected["document"]
    assert result.canonical_proof_config == expected["proof-config"]


def test_w3c_vc_di_eddsa_vector():
    vector, loader, expected = load_vector("w3c-eddsa-rdfc-2022")
    signing_key = keys.private_key_from_multibase(vector["secretKeyMultibase"])
    assert keys.IssuerKey(signing_key).public_key_multibase == vector["publicKeyMultibase"]

    result = proof.signing_input(vector["credential"], vector["proofOptions"], loader=loader)
    assert result.canonical_proof_config == expected["proof-config"]
    assert result.data.hex() == vector["dataToSign"]

    signed = proof.sign(
        vector["credential"],
        signing_key,
        vector["proofOptions"]["verificationMethod"],
        vector["proofOptions"]["created"],
        loader=loader,
    )
    assert signed["proof"][0]["proofValue"] == vector["proofValue"]


@pytest.mark.parametrize("name", ["ob3-impl-guide", "w3c-eddsa-rdfc-2022"])
def test_vectors_refuse_to_load_contexts_they_do_not_ship(name):
    vector, _, _ = load_vector(name)
    with pytest.raises(ValueError):
        proof.signing_input(vector["credential"], vector["proofOptions"])
