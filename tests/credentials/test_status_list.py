"""Bitstring Status List: bits, encoding, list credentials and entries."""

import base64
import gzip

import pytest

from backpack.credentials import status_list
from backpack.credentials.jsonld import canonicalize
from backpack.credentials.status_list import StatusList, StatusListError


def test_new_list_has_the_minimum_size_and_no_bits_set():
    bits = StatusList()

    assert bits.size == 131072
    assert not any(bits.get(index) for index in (0, 1, 131071))


def test_set_and_clear_bits():
    bits = StatusList()

    bits.set(3)
    bits.set(131071)
    bits.set(4)
    bits.set(4, False)

    assert bits.get(3) and bits.get(131071)
    assert not bits.get(4) and not bits.get(2)
    with pytest.raises(StatusListError):
        bits.get(131072)
    with pytest.raises(StatusListError):
        bits.set(-1)


def test_first_index_is_the_leftmost_bit():
    bits = StatusList()
    bits.set(0)
    bits.set(9)

    raw = gzip.decompress(base64.urlsafe_b64decode(bits.encode()[1:] + "=="))

    assert raw[:2] == bytes([0b1000_0000, 0b0100_0000])


def test_encoding_is_multibase_base64url_gzip_without_padding():
    bits = StatusList()
    bits.set(42)

    encoded = bits.encode()

    assert encoded.startswith("u")
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    assert StatusList.decode(encoded).get(42)
    assert encoded == bits.encode()


def test_decodes_the_specification_example():
    # The Bitstring Status List v1.0 example: 16 KiB of zero bits.
    decoded = StatusList.decode("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")

    assert decoded.size == 131072
    assert not any(decoded.get(index) for index in range(0, 131072, 997))


def test_list_smaller_than_the_minimum_is_refused():
    with pytest.raises(StatusListError):
        StatusList(size=1024)


@pytest.mark.parametrize(
    "encoded",
    [
        "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
        "unot-gzip",
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(3 * 1024 * 1024 * 8))).decode().rstrip("="),
    ],
)
def test_malformed_or_oversized_lists_are_refused(encoded):
    with pytest.raises(StatusListError):
        StatusList.decode(encoded)


def test_status_list_credential_and_entry_use_defined_terms():
    url = "https://riverside.example/status/1"
    bits = StatusList()
    bits.set(5)

    credential = status_list.build_status_list_credential(
        list_url=url, issuer_id="did:example:issuer", status_list=bits, valid_from="2024-01-01T00:00:00Z"
    )
    entry = status_list.build_status_entry(list_url=url, index=5)

    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["credentialSubject"]["type"] == "BitstringStatusList"
    assert credential["credentialSubject"]["statusPurpose"] == "revocation"
    assert entry == {
        "id": f"{url}#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "5",
        "statusListCredential": url,
    }
    assert canonicalize(credential)
    assert status_list.read_status(entry, credential)
    assert not status_list.read_status({**entry, "statusListIndex": "6"}, credential)


def test_reading_a_list_for_another_purpose_is_refused():
    bits = StatusList()
    credential = status_list.build_status_list_credential(
        list_url="https://x.example/s", issuer_id="did:example:i", status_list=bits,
        valid_from="2024-01-01T00:00:00Z", purpose="suspension",
    )
    entry = status_list.build_status_entry(list_url="https://x.example/s", index=1)

    with pytest.raises(StatusListError):
        status_list.read_status(entry, credential)
