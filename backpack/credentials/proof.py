"""Embedded Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (W3C vc-di-eddsa).

The signature covers SHA-256(canonical proof configuration) followed by
SHA-256(canonical document), both canonicalised with RDFC-1.0, so a change to
any signed statement, or to the proof's own options, breaks it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld.jsonld import JsonLdError

from .canonical import canonicalize
from .jsonld import (
    VC_V2_CONTEXT,
    ContextUnavailableError,
    DocumentLoader,
    UndefinedTermError,
    javascript_order_agrees,
)
from .keys import (
    IssuerKey,
    KeyFormatError,
    ResolvedKey,
    multibase_decode,
    multibase_encode,
    resolve_did_key,
)
from .translatable import mark as _l

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
# Read (never made) for badges from elsewhere: the 2020 suite and the cryptosuite's draft name.
# Both sign SHA-256(canonical proof options) + SHA-256(canonical document) with Ed25519.
ED25519_2020 = "Ed25519Signature2020"
DRAFT_CRYPTOSUITE = "eddsa-2022"
DATA_INTEGRITY_V1_CONTEXT = "https://w3id.org/security/data-integrity/v1"
# Contexts that define a DataIntegrityProof's own terms (cryptosuite, proofValue, ...).
_SUITE_CONTEXTS = {DATA_INTEGRITY_V1_CONTEXT, "https://w3id.org/security/data-integrity/v2", VC_V2_CONTEXT}


def _readable_suite(options: Mapping[str, Any]) -> bool:
    """Tell whether a proof uses an Ed25519 suite this module verifies."""
    if options.get("type") == ED25519_2020:
        return "cryptosuite" not in options
    return options.get("type") == PROOF_TYPE and options.get("cryptosuite") in (CRYPTOSUITE, DRAFT_CRYPTOSUITE)
ASSERTION_METHOD = "assertionMethod"

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


class ProofError(ValueError):
    """Raised when a document cannot be signed."""


@dataclass(frozen=True)
class SigningInput:
    """The canonical forms and hashes that an eddsa-rdfc-2022 signature covers."""

    canonical_document: str
    canonical_proof_config: str

    @property
    def document_hash(self) -> bytes:
        """Return SHA-256 of the canonical document."""
        return hashlib.sha256(self.canonical_document.encode("utf-8")).digest()

    @property
    def proof_config_hash(self) -> bytes:
        """Return SHA-256 of the canonical proof configuration."""
        return hashlib.sha256(self.canonical_proof_config.encode("utf-8")).digest()

    @property
    def data(self) -> bytes:
        """Return the bytes to sign: proof configuration hash, then document hash."""
        return self.proof_config_hash + self.document_hash


def timestamp(moment: datetime | None = None) -> str:
    """Format a moment (default now) as an XML Schema dateTime in UTC, to the second."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def proof_options(verification_method: str, created: str | None = None) -> dict:
    """Return the proof options (the proof without its value) for an assertion."""
    return {
        "type": PROOF_TYPE,
        "created": created or timestamp(),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": ASSERTION_METHOD,
    }


def signing_input(
    unsecured_document: Mapping[str, Any],
    options: Mapping[str, Any],
    *,
    loader: DocumentLoader | None = None,
) -> SigningInput:
    """Canonicalise a document and its proof configuration as the cryptosuite specifies."""
    if not _readable_suite(options):
        raise ProofError("The proof must be a DataIntegrityProof using eddsa-rdfc-2022, or Ed25519Signature2020.")
    created = options.get("created")
    if created is not None and not (isinstance(created, str) and _DATETIME.match(created)):
        raise ProofError("The proof's created time is not an XML Schema dateTime.")
    proof_config = {key: value for key, value in options.items() if key != "proofValue"}
    proof_config["@context"] = _proof_config_context(unsecured_document.get("@context"), options)
    return SigningInput(
        canonical_document=canonicalize(unsecured_document, loader=loader),
        canonical_proof_config=canonicalize(proof_config, loader=loader),
    )


def _proof_config_context(context: Any, options: Mapping[str, Any]) -> Any:
    """Return the proof configuration's @context: the document's.

    For the draft eddsa-2022, the Data Integrity v1 context is added when the document names no
    context defining the proof's terms, as that suite's implementation (Digital Bazaar's
    data-integrity 1) does; its signers put it in the document, so only a copy that lost it differs.
    """
    if options.get("cryptosuite") != DRAFT_CRYPTOSUITE:
        return context
    listed = [] if context is None else _as_list(context)
    if any(isinstance(item, str) and item in _SUITE_CONTEXTS for item in listed):
        return context
    return [*listed, DATA_INTEGRITY_V1_CONTEXT]


def sign(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey | IssuerKey,
    verification_method: str,
    created: str | None = None,
    *,
    loader: DocumentLoader | None = None,
) -> dict:
    """Return a copy of the document with an embedded eddsa-rdfc-2022 assertion proof.

    The proof goes in a one-item array, as 1EdTech's OB 3.0 JSON Schemas require; readers
    (verify_proof) accept the single-object form too, which credentials signed before used.
    """
    if "proof" in document:
        raise ProofError("The document already has a proof; sign the unsecured document.")
    if isinstance(private_key, IssuerKey):
        private_key = private_key.private_key
    options = proof_options(verification_method, created)
    prepared = signing_input(document, options, loader=loader)
    if not javascript_order_agrees(prepared.canonical_document):
        raise ProofError(
            "Common verifiers would sort this text differently (an emoji or other character "
            "beyond U+FFFF next to one from U+E000 to U+FFFF); change the text and sign again."
        )
    secured = _json_copy(document)
    secured["proof"] = [{**options, "proofValue": multibase_encode(private_key.sign(prepared.data))}]
    return secured


def _json_copy(node: Any) -> Any:
    """Copy a JSON document (dicts, lists and scalars) deeply; much cheaper than copy.deepcopy."""
    if isinstance(node, Mapping):
        return {key: _json_copy(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [_json_copy(item) for item in node]
    return node


def _as_list(value: Any) -> list:
    """Return value as a list."""
    return list(value) if isinstance(value, list) else [value]


def _single_proof(document: Mapping[str, Any]) -> dict | None:
    """Return the document's only proof, or None if it has none or several."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    return proof if isinstance(proof, dict) else None


def verify_proof(
    document: Mapping[str, Any],
    *,
    resolve_key: Callable[[str], ResolvedKey] = resolve_did_key,
    loader: DocumentLoader | None = None,
    purpose: str = ASSERTION_METHOD,
) -> tuple[bool, str]:
    """Check the document's eddsa-rdfc-2022 proof; return (ok, plain-language reason).

    purpose: what the proof must be made for; a wallet's DID Authentication proves "authentication".
    """
    proof = _single_proof(document)
    if proof is None:
        return False, _l("The credential has no single embedded proof to check.")
    if not _readable_suite(proof):
        return False, _l("The proof does not use the eddsa-rdfc-2022 cryptosuite.")
    if proof.get("proofPurpose") != purpose:
        if purpose != ASSERTION_METHOD:
            return False, _l("The proof was not made for authentication.")
        return False, _l("The proof was not made for asserting a credential.")
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    if "@context" in options:
        wanted, given = _as_list(options["@context"]), _as_list(unsecured.get("@context"))
        if given[: len(wanted)] != wanted:
            return False, _l("The proof's context does not match the credential's context.")
        unsecured["@context"] = options["@context"]
    try:
        signature = multibase_decode(proof.get("proofValue"))
    except KeyFormatError:
        return False, _l("The proof value is not a base58btc multibase signature.")
    try:
        key = resolve_key(proof.get("verificationMethod"))
        data = signing_input(unsecured, options, loader=loader).data
        key.public_key.verify(signature, data)
    except KeyFormatError:
        return False, _l("The signing key named in the proof cannot be read.")
    except UndefinedTermError:
        return False, _l("The credential has fields that its context does not define, so they are unsigned.")
    except ContextUnavailableError:
        return False, _l("The credential uses a context that this verifier does not know.")
    except (ProofError, JsonLdError):
        return False, _l("The credential could not be processed for checking.")
    except InvalidSignature:
        return False, _l("The signature does not match the credential's content.")
    return True, _l("The signature matches the credential's content.")
