"""RDFC-1.0 canonical N-Quads, fast: JSON-LD expansion memoised by shape, canonicalised by pyoxigraph.

Signing spent nearly all its time in pyld's JSON-LD expansion, yet the credentials of one
award differ only in their text. So pyld expands a document once per *shape* (its keys,
types, contexts, and the values that must stay as they are), with each text value replaced
by a placeholder; later documents of that shape get the stored expansion with their own
values put back, and pyoxigraph (Rust) reads it as RDF and canonicalises it with RDFC-1.0.

This is exact, because a placeholder expands the way the value it stands for does:

* in a literal position any text is kept as it is;
* in an IRI position an absolute IRI that is neither a term nor a compact IRI of a defined
  prefix is kept as it is. Such values get an IRI placeholder; all others get a relative
  one, which the undefined-term guard (jsonld.expand) refuses in an IRI position, and the
  value then becomes part of the shape instead.

A shape seen for the first time costs one pyld expansion. A placeholder that does not come
out exactly once, an embedded @context, anything beyond plain nodes and values (lists,
graphs, @json, language tags, doubles...) and anything pyoxigraph refuses send the document
down the reference path, jsonld.canonicalize (pyld). The tests compare both paths on every
kind of document signed here and on values chosen to trip the shortcut.
"""

from __future__ import annotations

import json
import re
import threading
import weakref
from collections.abc import Mapping
from typing import Any

import pyoxigraph
from cachetools import LRUCache
from pyld.jsonld import JsonLdError

from . import jsonld
from .jsonld import DocumentLoader, UndefinedTermError, bundled_loader

# pyld's absolute-IRI test (a scheme, a colon, no white space); "_:" blank nodes excluded.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*):[^\s]*$")
_MARK = "x-backpack-value"
_IRI_MARK = f"urn:{_MARK}:"
_TEXT_MARK = f"{_MARK}-"
_PLACEHOLDER = re.compile(r'"(?:urn:x-backpack-value:|x-backpack-value-)(\d+)"')
# Values under these keys are part of the shape: they select contexts or are types.
_SHAPE_KEYS = frozenset({"@context", "type", "@type"})
_NODE_KEYS = frozenset({"@id", "@type"})
_VALUE_KEYS = frozenset({"@value", "@type"})
_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
# JSON-LD writes larger numbers as doubles; far below that, both write plain digits.
_LARGEST_INTEGER = 10**15


class _ReferencePath(Exception):
    """The document is canonicalised by pyld instead."""


class _Shapes:
    """What one document loader's documents have taught: terms per context, expansions per shape."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.terms: LRUCache = LRUCache(maxsize=64)
        self.fixed: LRUCache = LRUCache(maxsize=512)
        self.templates: LRUCache = LRUCache(maxsize=512)


_SHAPES: weakref.WeakKeyDictionary[DocumentLoader, _Shapes] = weakref.WeakKeyDictionary()
_SHAPES_LOCK = threading.Lock()


def _shapes_of(loader: DocumentLoader) -> _Shapes:
    with _SHAPES_LOCK:
        shapes = _SHAPES.get(loader)
        if shapes is None:
            shapes = _SHAPES[loader] = _Shapes()
        return shapes


def _context_terms(context: Any, loader: DocumentLoader, seen: set[str], terms: set[str]) -> None:
    """Collect every term these contexts define, with those of their scoped and imported contexts."""
    for item in context if isinstance(context, list) else [context]:
        if isinstance(item, str):
            if item in seen:
                continue
            seen.add(item)
            if not loader.serves(item):
                raise _ReferencePath
            _context_terms(loader(item)["document"].get("@context"), loader, seen, terms)
        elif isinstance(item, Mapping):
            for key, value in item.items():
                terms.add(key)
                if key == "@import":
                    _context_terms(value, loader, seen, terms)
                elif isinstance(value, Mapping) and "@context" in value:
                    _context_terms(value["@context"], loader, seen, terms)
        elif item is not None:
            raise _ReferencePath


def _terms(document: Mapping[str, Any], shapes: _Shapes, loader: DocumentLoader) -> frozenset[str]:
    """Return the terms the document's @context defines (contexts deeper in it take the reference path)."""
    key = json.dumps(document.get("@context"), sort_keys=True)
    with shapes.lock:
        terms = shapes.terms.get(key)
    if terms is None:
        found: set[str] = set()
        _context_terms(document.get("@context"), loader, set(), found)
        terms = frozenset(found)
        if "urn" in terms:  # the IRI placeholders' scheme must mean nothing in these contexts
            raise _ReferencePath
        with shapes.lock:
            shapes.terms[key] = terms
    return terms


def _iri_safe(value: str, terms: frozenset[str]) -> bool:
    """Tell whether JSON-LD keeps this text as it is in any IRI position (see the module doc)."""
    match = _ABSOLUTE_IRI.match(value)
    if match is None or value in terms:
        return False
    prefix = match.group(1)
    return prefix not in terms or value[len(prefix) + 1:].startswith("//")


def _skeleton(node: Any, values: list, terms: frozenset[str], fixed: frozenset[int], top: bool = True) -> Any:
    """Return the document with its text values replaced by numbered placeholders (values collected)."""
    if isinstance(node, Mapping):
        if not top and "@context" in node:
            raise _ReferencePath  # an embedded context could define terms that _terms did not see
        return {
            key: value if key in _SHAPE_KEYS else _skeleton(value, values, terms, fixed, False)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_skeleton(item, values, terms, fixed, False) for item in node]
    if isinstance(node, str):
        number = len(values)
        values.append(node)
        if _MARK in node:
            raise _ReferencePath
        if number in fixed:
            return node
        return f"{_IRI_MARK}{number}" if _iri_safe(node, terms) else f"{_TEXT_MARK}{number}"
    if isinstance(node, float):
        raise _ReferencePath  # doubles: leave their canonical lexical form to the reference path
    return node


def _plain(expanded: Any) -> bool:
    """Tell whether an expanded document holds only node objects, IRIs and simple typed values."""
    if isinstance(expanded, list):
        return all(_plain(item) for item in expanded)
    if not isinstance(expanded, dict):
        return False
    if "@value" in expanded:
        value = expanded["@value"]
        if isinstance(value, str):
            return expanded.keys() <= _VALUE_KEYS and expanded.get("@type") != "@json"
        # A native boolean is "true" or "false" whatever its datatype; integers only as xsd:integer.
        if isinstance(value, bool):
            return expanded.keys() <= _VALUE_KEYS
        return (
            isinstance(value, int)
            and abs(value) < _LARGEST_INTEGER
            and expanded.keys() <= _VALUE_KEYS
            and expanded.get("@type", _INTEGER) == _INTEGER
        )
    for key, value in expanded.items():
        if key.startswith("@") and key not in _NODE_KEYS:
            return False
        if key not in _NODE_KEYS and not _plain(value):
            return False
    return True


def _learn(document: Mapping[str, Any], shapes: _Shapes, loader: DocumentLoader, base_key: str, values: list,
           terms: frozenset[str]) -> tuple[tuple, str | None]:
    """Expand the document's shape with pyld; return its cache key and expansion (None: use pyld)."""
    with shapes.lock:
        fixed = shapes.fixed.get(base_key, frozenset())
    while True:
        skeleton = _skeleton(document, [], terms, fixed)
        key = (base_key, tuple(values[number] for number in sorted(fixed)))
        try:
            expanded = jsonld.expand(skeleton, loader=loader)
        except UndefinedTermError as error:
            marks = [term for term in error.terms if term.startswith(_TEXT_MARK)]
            if not marks or len(marks) != len(error.terms):
                raise _ReferencePath from error
            fixed = fixed | {int(term[len(_TEXT_MARK):]) for term in marks}
            with shapes.lock:
                shapes.fixed[base_key] = fixed
            continue
        except JsonLdError as error:
            raise _ReferencePath from error
        break
    text = json.dumps(expanded, ensure_ascii=False)
    found = [int(number) for number in _PLACEHOLDER.findall(text)]
    wanted = [number for number in range(len(values)) if number not in fixed]
    exact = sorted(found) == wanted and _MARK not in _PLACEHOLDER.sub("", text)
    template = text if exact and _plain(expanded) else None
    with shapes.lock:
        shapes.templates[key] = template
    return key, template


def _expanded_text(document: Mapping[str, Any], loader: DocumentLoader) -> str:
    """Return the document's expanded JSON-LD as JSON text, from its shape's template."""
    shapes = _shapes_of(loader)
    terms = _terms(document, shapes, loader)
    values: list = []
    base_key = json.dumps(_skeleton(document, values, terms, frozenset()), ensure_ascii=False)
    with shapes.lock:
        fixed = shapes.fixed.get(base_key, frozenset())
        key = (base_key, tuple(values[number] for number in sorted(fixed)))
        known = key in shapes.templates
        template = shapes.templates.get(key)
    if not known:
        key, template = _learn(document, shapes, loader, base_key, values, terms)
    if template is None:
        raise _ReferencePath
    return _PLACEHOLDER.sub(lambda match: json.dumps(values[int(match.group(1))], ensure_ascii=False), template)


def canonicalize(document: Mapping[str, Any], *, loader: DocumentLoader | None = None) -> str:
    """Return the RDFC-1.0 canonical N-Quads of a JSON-LD document (same result as jsonld.canonicalize)."""
    loader = loader or bundled_loader()
    try:
        text = _expanded_text(document, loader)
        dataset = pyoxigraph.Dataset(pyoxigraph.parse(text, format=pyoxigraph.RdfFormat.JSON_LD))
    except (_ReferencePath, SyntaxError, ValueError):
        return jsonld.canonicalize(document, loader=loader)
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    lines = pyoxigraph.serialize(dataset, format=pyoxigraph.RdfFormat.N_QUADS).decode("utf-8").split("\n")[:-1]
    return "".join(sorted(line + "\n" for line in lines))
