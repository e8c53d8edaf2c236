"""Canonical N-Quads: offline contexts, exact escaping, and no silently dropped terms."""

import pytest
from pyld import jsonld as pyld_jsonld

from backpack.credentials import jsonld


def small_document(**extra):
    document = {
        "@context": [jsonld.VC_V2_CONTEXT, jsonld.OB_CONTEXT],
        "id": "urn:uuid:1f0e0c4e-8d6a-4a53-9a43-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:example:issuer", "type": ["Profile"], "name": "Issuer"},
        "validFrom": "2024-01-01T00:00:00Z",
    }
    document.update(extra)
    return document


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain é 中文 لحام", "plain é 中文 لحام"),
        ('say "hi" \\ now', 'say \\"hi\\" \\\\ now'),
        ("\b\t\n\f\r", "\\b\\t\\n\\f\\r"),
        ("\x00\x07\x0b\x0e\x1f\x7f", "\\u0000\\u0007\\u000B\\u000E\\u001F\\u007F"),
        ("\x80\u2028", "\x80\u2028"),
    ],
)
def test_literals_are_escaped_as_canonical_n_quads(text, escaped):
    assert jsonld.escape_literal(text) == escaped


def test_canonical_output_escapes_control_characters():
    document = small_document(name="A\bB\fC\x7fD\x01E\nF")

    canonical = jsonld.canonicalize(document)

    assert '<https://schema.org/name> "A\\bB\\fC\\u007FD\\u0001E\\nF" .\n' in canonical


def test_canonical_escaping_also_labels_blank_nodes():
    """Blank-node hashing serialises quads too, so it must see the same escaping."""
    document = small_document(
        credentialSubject={
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "urn:example:achievement",
                "type": ["Achievement"],
                "name": "n",
                "description": "d",
                "criteria": {"narrative": "first\b"},
            },
        }
    )

    canonical = jsonld.canonicalize(document)

    assert '_:c14n0 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative> "first\\b" .' in canonical


def test_undefined_property_is_refused():
    with pytest.raises(jsonld.UndefinedTermError) as raised:
        jsonld.canonicalize(small_document(favouriteColour="blue"))

    assert raised.value.terms == ["favouriteColour"]


def test_undefined_nested_property_and_type_are_refused():
    document = small_document(issuer={"id": "did:example:issuer", "type": ["Profile", "Guild"], "motto": "x"})

    with pytest.raises(jsonld.UndefinedTermError) as raised:
        jsonld.canonicalize(document)

    assert raised.value.terms == ["Guild", "motto"]


def test_relative_identifier_is_refused():
    with pytest.raises(jsonld.UndefinedTermError):
        jsonld.canonicalize(small_document(id="credentials/1"))


def test_document_with_its_own_vocab_is_accepted():
    document = small_document()
    document["@context"] = [*document["@context"], {"@vocab": "https://example.org/terms#"}]

    assert "<https://example.org/terms#favouriteColour>" in jsonld.canonicalize(
        {**document, "favouriteColour": "blue"}
    )


def test_unknown_context_is_never_fetched():
    document = small_document()
    document["@context"] = [*document["@context"], "https://example.org/context.jsonld"]

    with pytest.raises(jsonld.ContextUnavailableError):
        jsonld.canonicalize(document)
    with pytest.raises(pyld_jsonld.JsonLdError):
        jsonld.bundled_loader()("https://example.org/context.jsonld")


def test_every_bundled_context_loads():
    loader = jsonld.bundled_loader()

    for url in jsonld.CONTEXT_FILES:
        assert "@context" in loader(url)["document"]
