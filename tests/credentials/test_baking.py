"""Baking credentials into PNG and SVG badge images, and reading them back."""

import io
import json
import struct
import zlib

import pytest
from PIL import Image

from backpack.credentials import baking

CREDENTIAL = {"id": "urn:uuid:1", "name": "لحام 焊接 ]]> <tag> & \"q\"", "proofValue": "z123"}
CREDENTIAL_TEXT = json.dumps(CREDENTIAL, ensure_ascii=False)


def png_image():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def chunk_types(image):
    return [kind for kind, _data, _raw in baking._png_chunks(image)]


def test_png_round_trip_keeps_the_image_readable():
    baked = baking.bake_png(png_image(), CREDENTIAL_TEXT)

    assert baking.unbake_png(baked) == CREDENTIAL_TEXT
    assert Image.open(io.BytesIO(baked)).size == (4, 4)
    assert chunk_types(baked)[-2:] == [b"iTXt", b"IEND"]


def test_png_chunk_is_uncompressed_itxt_with_the_ob3_keyword():
    baked = baking.bake_png(png_image(), CREDENTIAL)

    (body,) = [data for kind, data, _raw in baking._png_chunks(baked) if kind == b"iTXt"]

    assert body.startswith(b"openbadgecredential\0\0\0\0\0")
    assert json.loads(body.split(b"\0", 5)[5]) == CREDENTIAL


def test_baking_again_replaces_the_credential():
    once = baking.bake_png(png_image(), "first")
    twice = baking.bake_png(once, "second")

    assert chunk_types(twice).count(b"iTXt") == 1
    assert baking.unbake_png(twice) == "second"


def test_png_without_credential_unbakes_to_none():
    assert baking.unbake_png(png_image()) is None


def test_compressed_itxt_is_still_read():
    image = png_image()
    body = b"openbadgecredential\0\1\0\0\0" + zlib.compress(b'{"a": 1}')
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body + struct.pack(">I", zlib.crc32(b"iTXt" + body))

    assert baking.unbake_png(image[:-12] + chunk + image[-12:]) == '{"a": 1}'


def test_damaged_png_is_refused():
    image = bytearray(png_image())
    image[20] ^= 0xFF

    with pytest.raises(baking.BakingError):
        baking.bake_png(bytes(image), CREDENTIAL_TEXT)
    with pytest.raises(baking.BakingError):
        baking.unbake_png(b"GIF89a")


SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!-- a badge -->\n'
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="5" cx="5" cy="5"/></svg>\n'
)


def test_svg_round_trip_survives_cdata_terminators():
    baked = baking.bake_svg(SVG, CREDENTIAL_TEXT)
    text = baked.decode("utf-8")

    assert baking.unbake_svg(baked) == CREDENTIAL_TEXT
    assert text.count('xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"') == 1
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!-- a badge -->\n<svg ')
    assert "<circle" in text


def test_svg_baking_again_keeps_one_credential():
    once = baking.bake_svg(SVG, CREDENTIAL_TEXT)
    twice = baking.bake_svg(once, '{"second": "]]>"}')

    assert twice.decode("utf-8").count("<openbadges:credential>") == 1
    assert twice.decode("utf-8").count("xmlns:openbadges=") == 1
    assert baking.unbake_svg(twice) == '{"second": "]]>"}'


def test_self_closing_svg_root_gets_the_credential():
    baked = baking.bake_svg('<svg xmlns="http://www.w3.org/2000/svg" width="1"/>', "{}")

    assert baking.unbake_svg(baked) == "{}"


@pytest.mark.parametrize(
    "image",
    [
        "<html></html>",
        "<svg xmlns='http://www.w3.org/2000/svg'>",
        '<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"/>',
    ],
)
def test_unusable_svg_is_refused(image):
    with pytest.raises(baking.BakingError):
        baking.bake_svg(image, "{}")


def test_bake_and_unbake_choose_the_format():
    assert baking.unbake(baking.bake(png_image(), "{}")) == "{}"
    assert baking.unbake(baking.bake(SVG.encode(), "{}")) == "{}"
