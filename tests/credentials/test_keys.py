"""Issuer keys: base58, Multikey, did:key and sealing at rest."""

import pytest

from backpack.credentials import keys


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"", ""),
        (b"\0", "1"),
        (b"\0\0\x01", "112"),
        (b"hello world", "StV1DL6CwTryKyV"),
        (bytes.fromhex("00eb15231dfceb60925886b67d065299925915aeb172c06647"), "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"),
    ],
)
def test_base58_matches_known_encodings(raw, text):
    assert keys.base58_encode(raw) == text
    assert keys.base58_decode(text) == raw


def test_base58_rejects_characters_outside_the_alphabet():
    with pytest.raises(keys.KeyFormatError):
        keys.base58_decode("0OIl")


def test_new_key_has_did_key_names():
    key = keys.generate_key()

    assert key.public_key_multibase.startswith("z6Mk")
    assert key.did == "did:key:" + key.public_key_multibase
    assert key.verification_method == f"{key.did}#{key.public_key_multibase}"
    assert keys.multibase_decode(key.public_key_multibase)[:2] == b"\xed\x01"
    assert keys.multibase_decode(key.secret_key_multibase)[:2] == b"\x80\x26"


def test_secret_key_multibase_round_trips():
    key = keys.generate_key()

    restored = keys.private_key_from_multibase(key.secret_key_multibase)

    assert keys.IssuerKey(restored).did == key.did


def test_key_from_seed_rebuilds_the_same_key():
    key = keys.generate_key()

    assert keys.key_from_seed(key.seed).did == key.did
    with pytest.raises(keys.KeyFormatError):
        keys.key_from_seed(b"short")


def test_did_key_resolves_offline_to_controller_and_key():
    key = keys.generate_key()

    resolved = keys.resolve_did_key(key.verification_method)

    assert resolved.controller == key.did
    assert resolved.id == key.verification_method
    assert keys.public_key_multibase(resolved.public_key) == key.public_key_multibase
    assert keys.resolve_did_key(key.did).controller == key.did


@pytest.mark.parametrize(
    "method",
    [
        "https://example.edu/issuers/1#key-1",
        "did:web:example.edu#key-1",
        "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",
        None,
    ],
)
def test_only_ed25519_did_keys_resolve(method):
    with pytest.raises(keys.KeyFormatError):
        keys.resolve_did_key(method)


def test_did_key_fragment_must_name_the_same_key():
    key, other = keys.generate_key(), keys.generate_key()

    with pytest.raises(keys.KeyFormatError):
        keys.resolve_did_key(f"{key.did}#{other.public_key_multibase}")


def test_sealed_key_opens_with_the_same_secret():
    key = keys.generate_key()

    sealed = keys.seal_private_key(key.seed, "app secret")

    assert key.seed.hex() not in sealed
    assert keys.open_private_key(sealed, "app secret") == key.seed
    assert keys.seal_private_key(key.seed, "app secret") != sealed


def test_sealed_key_refuses_a_wrong_secret_or_tampering():
    sealed = keys.seal_private_key(keys.generate_key().seed, "app secret")
    tampered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]

    with pytest.raises(keys.KeyFormatError):
        keys.open_private_key(sealed, "another secret")
    with pytest.raises(keys.KeyFormatError):
        keys.open_private_key(tampered, "app secret")
    with pytest.raises(keys.KeyFormatError):
        keys.open_private_key("v0." + sealed[3:], "app secret")
    with pytest.raises(keys.KeyFormatError):
        keys.seal_private_key(b"x" * 32, "")
