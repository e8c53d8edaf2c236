"""Photos through the real upload: metadata gone, size capped, polyglots and bombs defused."""
import hashlib
import io

import pytest
from PIL import Image, ImageCms

from backpack.extensions import db
from backpack.models import Evidence
from tests.evidence import samples
from tests.evidence.conftest import fetch


def jpeg_segments(data: bytes) -> list[int]:
    """Return the marker of every JPEG segment before the image data (SOS)."""
    assert data[:2] == b"\xff\xd8"
    markers, offset = [], 2
    while True:
        assert data[offset] == 0xFF
        marker = data[offset + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        offset += 2 + int.from_bytes(data[offset + 2 : offset + 4], "big")


def test_photo_with_gps_comes_back_with_no_metadata_at_all(learner, upload):
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = samples.jpeg(exif=samples.gps_exif(), icc_profile=srgb, comment=b"secret note")
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the GPS is really there

    response = upload(learner, original)
    assert response.status_code == 201, response.get_json()
    status, served, headers = fetch(learner, response.get_json()["url"])

    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    markers = jpeg_segments(served)
    assert 0xE1 not in markers  # no APP1: neither EXIF nor XMP
    assert 0xE2 not in markers and 0xFE not in markers  # no ICC profile, no comment
    for leak in (b"Exif", b"GPS", b"PhoneMaker", b"Phone 12", b"2026:03:01", b"secret note"):
        assert leak not in served
    with Image.open(io.BytesIO(served)) as image:
        assert len(image.getexif()) == 0
        assert "icc_profile" not in image.info and "exif" not in image.info


def test_photo_is_turned_upright_before_its_orientation_tag_is_dropped(learner, upload):
    response = upload(learner, samples.jpeg((640, 480), exif=samples.gps_exif(orientation=6)))
    _, served, _ = fetch(learner, response.get_json()["url"])
    assert Image.open(io.BytesIO(served)).size == (480, 640)


def test_twelve_megapixel_photo_sent_as_it_is_is_stored_at_1600_pixels(app, learner, upload):
    response = upload(learner, samples.jpeg((4000, 3000), quality=95))
    assert response.status_code == 201
    _, served, _ = fetch(learner, response.get_json()["url"])
    with Image.open(io.BytesIO(served)) as image:
        assert image.size == (1600, 1200)
    evidence = db.session.scalar(db.select(Evidence))
    assert (evidence.kind, evidence.width, evidence.height) == ("photo", 1600, 1200)
    assert evidence.size == len(served) and evidence.sha256 == hashlib.sha256(served).hexdigest()


def test_polyglot_jpeg_is_stored_without_what_was_appended(learner, upload):
    polyglot = samples.jpeg() + samples.HTML + samples.zip_bomb()[:2000]
    response = upload(learner, polyglot, "photo.jpg")
    assert response.status_code == 201
    _, served, _ = fetch(learner, response.get_json()["url"])
    assert served.endswith(b"\xff\xd9")
    assert b"<script" not in served and b"<html" not in served and b"PK\x03\x04" not in served


def test_transparent_picture_is_kept_as_webp_with_its_transparency(learner, upload):
    response = upload(learner, samples.png(), "drawing.png", "image/png")
    _, served, headers = fetch(learner, response.get_json()["url"])
    assert headers["Content-Type"] == "image/webp"
    with Image.open(io.BytesIO(served)) as image:
        assert image.format == "WEBP" and image.mode == "RGBA"


@pytest.mark.parametrize(
    "data, name",
    [
        (samples.png_bomb(10_000, 10_000), "100 megapixels of nothing"),
        (samples.png_bomb(30_000, 30_000)[:200], "900 megapixels, Pillow's own bomb limit"),
    ],
    ids=["over-our-limit", "over-pillows-limit"],
)
def test_decompression_bomb_is_refused_before_it_is_decoded(learner, upload, stored_files, data, name):
    response = upload(learner, data, "photo.png", "image/png")
    assert response.status_code == 413, name
    assert "pixels" in response.get_json()["error"]
    assert stored_files() == []


def test_thumbnail_is_a_small_jpeg_for_lists(learner, upload):
    response = upload(learner, samples.jpeg((2000, 1000)))
    evidence = db.session.scalar(db.select(Evidence))
    status, thumbnail, headers = fetch(learner, f"/evidence/{evidence.public_id}/thumbnail")
    assert response.status_code == 201 and status == 200
    assert headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumbnail)).size == (320, 160)
