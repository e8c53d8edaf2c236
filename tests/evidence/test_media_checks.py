"""Media checks as plain functions: what each container is, and what is refused and why."""
import pytest

from backpack.evidence.media_checks import Limits, check_media
from backpack.evidence.refusals import (
    Broken,
    TooLarge,
    TooLong,
    TooManyPixels,
    Unsupported,
)
from tests.evidence import samples

LIMITS = Limits(
    max_bytes={"photo": 25_000_000, "video": 200_000_000, "audio": 30_000_000, "file": 20_000_000},
    max_seconds={"video": 60, "audio": 120},
    max_pixels=50_000_000,
    image_side=1600,
)


@pytest.mark.parametrize(
    "data, kind, mimetype, duration, size",
    [
        (samples.mp4(12.5), "video", "video/mp4", 12.5, (1280, 720)),
        (samples.mp4(5, rotate=True), "video", "video/mp4", 5, (720, 1280)),
        (samples.mp4(5, brand=b"qt  "), "video", "video/mp4", 5, (1280, 720)),
        (samples.mp4(7, video=False, brand=b"M4A "), "audio", "audio/mp4", 7, (None, None)),
        (samples.fragmented_mp4(6), "video", "video/mp4", 6, (320, 240)),
        (samples.fragmented_mp4(4, video=False), "audio", "audio/mp4", 4, (None, None)),
        (samples.webm(5), "video", "video/webm", 4.75, (640, 360)),
        (samples.webm(5, with_duration=True, live=False), "video", "video/webm", 5, (640, 360)),
        (samples.webm(8, video=False), "audio", "audio/webm", 7.75, (None, None)),
        (samples.ogg_opus(9), "audio", "audio/ogg", 9, (None, None)),
        (samples.mp3(10), "audio", "audio/mpeg", 10, (None, None)),
        (samples.mp3(3, id3=False), "audio", "audio/mpeg", 3, (None, None)),
        (samples.adts(4), "audio", "audio/aac", 4, (None, None)),
    ],
    ids=[
        "mp4", "portrait-mp4", "mov", "m4a", "fragmented-mp4", "fragmented-m4a", "webm-live",
        "webm-with-duration", "webm-audio", "ogg-opus", "mp3", "mp3-without-tag", "aac",
    ],
)
def test_recordings_are_recognised_from_their_bytes(data, kind, mimetype, duration, size):
    checked = check_media(data, LIMITS)
    assert (checked.kind, checked.mimetype) == (kind, mimetype)
    assert checked.duration == pytest.approx(duration, abs=0.05)
    assert (checked.width, checked.height) == size
    assert checked.body.read() == data  # kept byte for byte


@pytest.mark.parametrize(
    "data",
    [
        samples.mp4(3)[:-100],
        samples.mp4(3)[:30],
        samples.webm(3, live=False)[:-50],
        samples.webm(3)[:-50],
        samples.ogg_opus(3)[:-20],
        samples.mp3(2)[:-100],
        samples.adts(2)[:-50],
    ],
    ids=["mp4", "mp4-header-only", "webm", "webm-live", "ogg", "mp3", "aac"],
)
def test_cut_recordings_are_broken(data):
    with pytest.raises(Broken) as refused:
        check_media(data, LIMITS)
    assert refused.value.status == 400


@pytest.mark.parametrize(
    "data",
    [
        samples.mp4(3) + samples.HTML,
        samples.webm(3, live=False) + samples.zip_bomb()[:500],
        samples.webm(3) + samples.HTML,
        samples.ogg_opus(3) + samples.HTML,
        samples.mp3(2) + samples.HTML,
        samples.adts(2) + samples.HTML,
    ],
    ids=["mp4", "webm", "webm-live", "ogg", "mp3", "aac"],
)
def test_recordings_with_something_appended_are_refused(data):
    with pytest.raises(Broken):
        check_media(data, LIMITS)


def test_mp3_may_end_with_its_id3v1_tag():
    assert check_media(samples.mp3(2) + b"TAG" + b"\0" * 125, LIMITS).kind == "audio"


@pytest.mark.parametrize(
    "data",
    [
        samples.mp4(3, brand=b"heic"),
        samples.webm(3, doc_type=b"matroska"),
        samples.HTML,
        b"%!PS-Adobe-3.0\n",
        b"ID3\x04\0\0\0\0\0\0" + samples.HTML,
        b"OggS\0\x02" + b"\0" * 20 + b"\x01\x13\x80theora" + b"\0" * 200,
        b"BM" + b"\0" * 100,
    ],
    ids=["heic", "matroska", "html", "postscript", "id3-then-html", "ogg-theora", "bmp"],
)
def test_other_formats_are_unsupported(data):
    with pytest.raises(Unsupported) as refused:
        check_media(data, LIMITS)
    assert refused.value.status == 415


def test_heic_gets_its_own_advice():
    with pytest.raises(Unsupported) as refused:
        check_media(samples.mp4(1, brand=b"heic"), LIMITS)
    assert "JPEG" in str(refused.value.message)


def test_recordings_over_the_duration_cap_are_too_long():
    for data in (samples.mp4(61), samples.webm(62), samples.ogg_opus(121), samples.fragmented_mp4(61)):
        with pytest.raises(TooLong) as refused:
            check_media(data, LIMITS)
        assert refused.value.status == 413 and "minute" in str(refused.value.message)


def test_size_caps_apply_to_the_kind_read_from_the_bytes():
    small = Limits({"photo": 10**6, "video": 1000, "audio": 10**6, "file": 10**6}, {}, 50_000_000, 1600)
    with pytest.raises(TooLarge):
        check_media(samples.mp4(3), small)
    assert check_media(samples.mp3(1), small).kind == "audio"


def test_pixel_limit_is_a_setting():
    strict = Limits(LIMITS.max_bytes, {}, max_pixels=100 * 100, image_side=1600)
    with pytest.raises(TooManyPixels):
        check_media(samples.jpeg((200, 200)), strict)


def test_empty_file_and_pdf_without_end_are_broken():
    for data in (b"", b"%PDF-1.7\n" + b"\0" * 2000):
        with pytest.raises(Broken):
            check_media(data, LIMITS)


def test_broken_jpeg_is_broken_not_a_crash():
    with pytest.raises(Broken):
        check_media(samples.jpeg()[:200], LIMITS)
