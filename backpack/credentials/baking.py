"""Bake a signed credential into its badge image (PNG or SVG), and read it back.

A baked image carries the credential with it, so a learner can share one file
that any Open Badges 3.0 verifier can check. Open Badges 3.0 puts the JSON in a
PNG ``iTXt`` chunk with keyword ``openbadgecredential`` (uncompressed, once), or
in one ``<openbadges:credential>`` element of an SVG, inside CDATA.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
MAX_TEXT_BYTES = 1 << 20  # a credential is a few KB; refuse inflating beyond 1 MiB

_PROLOG = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)*", re.DOTALL)
_ROOT_TAG = re.compile(r"<(?P<prefix>[\w.-]+:)?svg\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(?P<end>/?>)")
_OB_PREFIX = re.compile(r"\sxmlns:openbadges\s*=\s*([\"'])(.*?)\1", re.DOTALL)
_CREDENTIAL_ELEMENT = re.compile(
    r"\s*<openbadges:credential\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*?"
    r"(?:/>|>(?:<!\[CDATA\[.*?\]\]>|[^<])*</openbadges:credential\s*>)",
    re.DOTALL,
)


class BakingError(ValueError):
    """Raised when an image cannot hold or yield a credential."""


def _text(credential: str | Mapping[str, Any]) -> str:
    """Return the credential as JSON text."""
    if isinstance(credential, Mapping):
        return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
    return credential


def _png_chunks(image: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """Split a PNG into (type, data, raw chunk bytes), checking every CRC."""
    if not image.startswith(PNG_SIGNATURE):
        raise BakingError("The image is not a PNG.")
    chunks, offset = [], len(PNG_SIGNATURE)
    while offset < len(image):
        if offset + 12 > len(image):
            raise BakingError("The PNG ends in the middle of a chunk.")
        (length,) = struct.unpack(">I", image[offset:offset + 4])
        end = offset + 12 + length
        kind, data = image[offset + 4:offset + 8], image[offset + 8:end - 4]
        if end > len(image) or struct.unpack(">I", image[end - 4:end])[0] != zlib.crc32(kind + data):
            raise BakingError("The PNG is damaged (bad chunk length or checksum).")
        chunks.append((kind, data, image[offset:end]))
        offset = end
        if kind == b"IEND":
            break
    if not chunks or chunks[-1][0] != b"IEND":
        raise BakingError("The PNG has no end chunk.")
    return chunks


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    """Serialise one PNG chunk with its length and CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _itxt_text(data: bytes) -> tuple[bytes, str]:
    """Return (keyword, text) of an iTXt chunk body, inflating compressed text."""
    try:
        keyword, rest = data.split(b"\0", 1)
        compressed, _method, rest = rest[0], rest[1], rest[2:]
        _language, rest = rest.split(b"\0", 1)
        _translated, text = rest.split(b"\0", 1)
        if compressed:
            inflater = zlib.decompressobj()
            text = inflater.decompress(text, MAX_TEXT_BYTES)
            if inflater.unconsumed_tail:
                raise BakingError("The baked credential is too large.")
        return keyword, text.decode("utf-8")
    except (ValueError, IndexError, zlib.error) as error:
        raise BakingError("The PNG has a malformed iTXt chunk.") from error


def _is_credential_chunk(kind: bytes, data: bytes) -> bool:
    """Tell whether a chunk is an Open Badges 3.0 credential chunk."""
    return kind == b"iTXt" and data.split(b"\0", 1)[0] == PNG_KEYWORD


def bake_png(image: bytes, credential: str | Mapping[str, Any]) -> bytes:
    """Return the PNG with exactly one openbadgecredential iTXt chunk, just before IEND."""
    body = PNG_KEYWORD + b"\0\0\0\0\0" + _text(credential).encode("utf-8")
    kept = [raw for kind, data, raw in _png_chunks(image) if not _is_credential_chunk(kind, data)]
    return PNG_SIGNATURE + b"".join(kept[:-1]) + _png_chunk(b"iTXt", body) + kept[-1]


def unbake_png(image: bytes) -> str | None:
    """Return the credential text baked into a PNG, or None if there is none."""
    for kind, data, _raw in _png_chunks(image):
        if _is_credential_chunk(kind, data):
            return _itxt_text(data)[1]
    return None


def _svg_text(image: bytes | str) -> str:
    """Decode SVG bytes and refuse entity declarations (no entity expansion tricks)."""
    try:
        text = image.decode("utf-8") if isinstance(image, bytes) else image
    except UnicodeDecodeError as error:
        raise BakingError("The SVG is not UTF-8 text.") from error
    if "<!ENTITY" in text:
        raise BakingError("SVG images with entity declarations are not accepted.")
    return text


def _parse_svg(text: str) -> ElementTree.Element:
    """Parse SVG text and check that its root is an svg element."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise BakingError("The SVG is not well-formed XML.") from error
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise BakingError("The image is not an SVG.")
    return root


def _cdata(text: str) -> str:
    """Wrap text in CDATA, splitting any ']]>' so it survives unchanged."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def bake_svg(image: bytes | str, credential: str | Mapping[str, Any]) -> bytes:
    """Return the SVG with the openbadges namespace on its root and one credential element."""
    text = _svg_text(image)
    _parse_svg(text)
    start = _PROLOG.match(text).end()
    root = _ROOT_TAG.match(text, start)
    if root is None:
        raise BakingError("The SVG's root element could not be found.")
    tag = root.group(0)
    declared = _OB_PREFIX.search(tag)
    if declared and declared.group(2) != OB_NAMESPACE:
        raise BakingError("The SVG already uses the openbadges prefix for another namespace.")
    if not declared:
        cut = len(tag) - len(root.group("end"))
        tag = f'{tag[:cut]} xmlns:openbadges="{OB_NAMESPACE}"{tag[cut:]}'
    payload = _text(credential)
    element = f"<openbadges:credential>{_cdata(payload)}</openbadges:credential>"
    rest = _CREDENTIAL_ELEMENT.sub("", text[root.end():])
    if root.group("end") == "/>":
        prefix = root.group("prefix") or ""
        baked = f"{text[:start]}{tag[:-2]}>{element}</{prefix}svg>{rest}"
    else:
        baked = f"{text[:start]}{tag}{element}{rest}"
    if unbake_svg(baked) != payload.strip():
        raise BakingError("The SVG could not be baked safely.")
    return baked.encode("utf-8")


def unbake_svg(image: bytes | str) -> str | None:
    """Return the credential text baked into an SVG, or None if there is none."""
    found = _parse_svg(_svg_text(image)).findall(f".//{{{OB_NAMESPACE}}}credential")
    if len(found) > 1:
        raise BakingError("The SVG holds more than one credential.")
    return (found[0].text or "").strip() if found else None


def bake(image: bytes, credential: str | Mapping[str, Any]) -> bytes:
    """Bake a credential into a PNG or SVG image, chosen by the image's content."""
    return bake_png(image, credential) if image.startswith(PNG_SIGNATURE) else bake_svg(image, credential)


def unbake(image: bytes) -> str | None:
    """Return the credential text baked into a PNG or SVG image, or None."""
    return unbake_png(image) if image.startswith(PNG_SIGNATURE) else unbake_svg(image)


OB2_PNG_KEYWORD = b"openbadges"
OB2_NAMESPACE = "http://openbadges.org"


def unbake_png_assertion(image: bytes) -> str | None:
    """Return the Open Badges 2.0 assertion (JSON, JWS or URL) baked into a PNG, or None."""
    for kind, data, _raw in _png_chunks(image):
        if kind == b"iTXt" and data.split(b"\0", 1)[0] == OB2_PNG_KEYWORD:
            return _itxt_text(data)[1]
        if kind == b"tEXt" and data.split(b"\0", 1)[0] == OB2_PNG_KEYWORD:
            return data.split(b"\0", 1)[1].decode("latin-1")
    return None


def unbake_svg_assertion(image: bytes | str) -> str | None:
    """Return the Open Badges 2.0 assertion baked into an SVG (its text, or its verify URL), or None."""
    found = _parse_svg(_svg_text(image)).findall(f".//{{{OB2_NAMESPACE}}}assertion")
    if len(found) > 1:
        raise BakingError("The SVG holds more than one assertion.")
    if not found:
        return None
    return (found[0].text or "").strip() or found[0].get("verify")
