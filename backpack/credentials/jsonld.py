"""JSON-LD for credentials: offline contexts and RDFC-1.0 canonical N-Quads.

A Data Integrity signature covers exactly what canonicalisation emits, so two gaps
in pyld are closed here:

* pyld silently drops properties and types that the ``@context`` does not define;
  they would travel in the JSON unsigned. ``canonicalize`` refuses such documents,
  as the JavaScript verifiers do in "safe mode".
* pyld escapes only ``\\t \\n \\r " \\`` in literals, while canonical N-Quads
  (RDF 1.2 N-Triples canonical form, used by RDFC-1.0) writes ``\\b \\t \\n \\f \\r
  \\" \\\\`` as ECHAR and every other C0 control and U+007F as ``\\uXXXX``. Hashes
  of text holding such characters would differ from every other implementation.
  The escaping inside pyld is replaced, because blank-node labelling hashes
  serialised quads too, so fixing the output afterwards would not be enough.

``canonicalize`` here is the reference; signing and verifying go through
``canonical.canonicalize``, which gives the same result much faster and falls back to it.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pyld.nquads
from cachetools import LRUCache
from pyld import jsonld as pyld_jsonld
from pyld.context_resolver import ContextResolver

CONTEXTS_DIR = Path(__file__).with_name("contexts")

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"

CONTEXT_FILES = {
    VC_V2_CONTEXT: "credentials-v2.jsonld",
    VC_V1_CONTEXT: "credentials-v1.jsonld",
    OB_CONTEXT: "ob-context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-context-3.0.json",
    OB_EXTENSIONS_CONTEXT: "ob-extensions.json",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
    "https://w3id.org/security/suites/ed25519-2020/v1": "ed25519-signature-2020-v1.jsonld",
    "https://w3id.org/vc/status-list/2021/v1": "status-list-2021-v1.jsonld",
}

# Put first in the @context only while checking: a term the real contexts do not
# define then expands to this prefix instead of vanishing, while a document that
# sets its own @vocab still overrides it.
_UNDEFINED_VOCAB = "urn:backpack:undefined-term:"
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")

_ECHAR = {
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}
_LITERAL_ESCAPES = re.compile('[\x00-\x1f\x7f"\\\\]')


class UndefinedTermError(ValueError):
    """Raised when a document uses terms its @context does not define."""

    def __init__(self, terms: list[str]):
        self.terms = terms
        super().__init__(
            "The @context does not define these terms, so they would not be signed: "
            + ", ".join(terms)
        )


class ContextUnavailableError(ValueError):
    """Raised when a document names a context that is not bundled."""


def escape_literal(value: str) -> str:
    """Escape a literal's text as canonical N-Quads requires."""
    return _LITERAL_ESCAPES.sub(
        lambda match: _ECHAR.get(match.group()) or f"\\u{ord(match.group()):04X}", value
    )


def _install_canonical_escaping() -> None:
    """Make pyld's N-Quads serialiser (used for output and blank-node hashing) escape canonically."""
    if not callable(getattr(pyld.nquads, "escape", None)) or not callable(
        getattr(pyld.nquads, "serialize_nquad", None)
    ):
        raise RuntimeError("This pyld version has no pyld.nquads.escape to replace; pin PyLD 3.x.")
    pyld.nquads.escape = escape_literal


_install_canonical_escaping()


class _ContextCache:
    """Share processed contexts between threads; pyld only calls get and item assignment."""

    def __init__(self, size: int = 256):
        self._cache: LRUCache = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def get(self, key: Any, default: Any = None) -> Any:
        with self._lock:
            return self._cache.get(key, default)

    def __setitem__(self, key: Any, value: Any) -> None:
        with self._lock:
            self._cache[key] = value


class DocumentLoader:
    """Serve JSON-LD documents from memory and refuse every other URL (never the network)."""

    def __init__(self, documents: Mapping[str, Any]):
        self._texts = {url: json.dumps(document) for url, document in documents.items()}
        self._cache = _ContextCache()

    def with_documents(self, documents: Mapping[str, Any]) -> DocumentLoader:
        """Return a loader that also serves the given documents (e.g. test fixtures)."""
        merged = {url: json.loads(text) for url, text in self._texts.items()}
        merged.update(documents)
        return DocumentLoader(merged)

    def serves(self, url: str) -> bool:
        """Tell whether this loader holds the document at url."""
        return url in self._texts

    def __call__(self, url: str, options: dict | None = None) -> dict:
        """Return the pyld remote-document record for a known URL."""
        text = self._texts.get(url)
        if text is None:
            raise pyld_jsonld.JsonLdError(
                f"The JSON-LD context {url} is not available offline.",
                "jsonld.LoadDocumentError",
                {"url": url},
                code="loading document failed",
            )
        # "static" lets pyld keep the processed context instead of reprocessing it per call.
        return {"contextUrl": None, "documentUrl": url, "document": json.loads(text), "tag": "static"}

    def options(self) -> dict:
        """Return pyld options that use only this loader and its own context cache."""
        return {
            "documentLoader": self,
            "contextResolver": ContextResolver(self._cache, self),
        }


@cache
def bundled_loader() -> DocumentLoader:
    """Return the loader for the contexts shipped in backpack/credentials/contexts/."""
    return DocumentLoader(
        {
            url: json.loads((CONTEXTS_DIR / name).read_text(encoding="utf-8"))
            for url, name in CONTEXT_FILES.items()
        }
    )


def _contexts(document: Mapping[str, Any]) -> list:
    """Return the document's @context as a list."""
    context = document.get("@context")
    if context is None:
        return []
    return list(context) if isinstance(context, list) else [context]


def _undefined_terms(node: Any) -> Iterator[str]:
    """Yield every property, type or reference in an expanded document that would be dropped."""
    if isinstance(node, list):
        for item in node:
            yield from _undefined_terms(item)
        return
    if not isinstance(node, dict) or "@value" in node:
        return
    for key, value in node.items():
        if key.startswith(_UNDEFINED_VOCAB):
            yield key[len(_UNDEFINED_VOCAB):]
        elif not key.startswith("@") and not _ABSOLUTE_IRI.match(key):
            yield key
        if key in ("@id", "@type"):
            for reference in value if isinstance(value, list) else [value]:
                if not isinstance(reference, str):
                    continue
                if reference.startswith(_UNDEFINED_VOCAB):
                    yield reference[len(_UNDEFINED_VOCAB):]
                elif not _ABSOLUTE_IRI.match(reference):
                    yield reference
        else:
            yield from _undefined_terms(value)


def expand(document: Mapping[str, Any], *, loader: DocumentLoader | None = None) -> list:
    """Expand a document offline; raise UndefinedTermError if anything would be dropped."""
    loader = loader or bundled_loader()
    for context in _contexts(document):
        if isinstance(context, str) and not loader.serves(context):
            raise ContextUnavailableError(f"The JSON-LD context {context} is not available offline.")
    probe = dict(document)
    probe["@context"] = [{"@vocab": _UNDEFINED_VOCAB}, *_contexts(document)]
    expanded = pyld_jsonld.expand(probe, {**loader.options(), "base": None})
    undefined = sorted(set(_undefined_terms(expanded)))
    if undefined:
        raise UndefinedTermError(undefined)
    return expanded


def javascript_order_agrees(canonical: str) -> bool:
    """Tell whether JavaScript verifiers would order these canonical N-Quads the same way.

    RDFC-1.0 sorts by code point; the widely deployed JavaScript implementation
    sorts by UTF-16 code unit. The two disagree only when a character beyond
    U+FFFF meets one from U+E000 to U+FFFF at the same place in two lines.
    """
    lines = [line + "\n" for line in canonical.split("\n")[:-1]]
    return lines == sorted(lines, key=lambda line: line.encode("utf-16-be"))


def canonicalize(document: Mapping[str, Any], *, loader: DocumentLoader | None = None) -> str:
    """Return the RDFC-1.0 canonical N-Quads of a JSON-LD document, with pyld (the reference)."""
    loader = loader or bundled_loader()
    expanded = expand(document, loader=loader)
    return pyld_jsonld.normalize(
        expanded,
        {
            **loader.options(),
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "base": None,
        },
    )
