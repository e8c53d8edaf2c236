"""Badge images: uploads become clean square PNGs, hostile files are refused, designs draw any script."""
import base64
import io
import struct
import threading
import time
import unicodedata
import urllib.request
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import ExifTags, Image, ImageCms, features
from PIL.PngImagePlugin import PngInfo

from backpack.issuing import badge_image
from backpack.issuing.badge_designer import contrast_ratio, ribbon_colour
from backpack.issuing.badge_image import COLOURS, ICONS, BadgeImageError, design_badge, icon_svg, normalise_upload

SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'
CLEAN_CHUNKS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def opened(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (512, 512)
    return image


def chunk_types(png: bytes) -> set[bytes]:
    types, offset = set(), 8
    while offset < len(png):
        length, kind = struct.unpack(">I4s", png[offset:offset + 8])
        types.add(kind)
        offset += 12 + length
    return types


def png_claiming(width: int, height: int) -> bytes:
    """A valid little PNG whose header claims a huge 1-bit image: a decompression bomb."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width // 8 + 1) * 4)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def refused(data: bytes) -> str:
    with pytest.raises(BadgeImageError) as caught:
        normalise_upload(data)
    return caught.value.reason


# Uploads


def test_png_is_fitted_and_centred_on_a_transparent_square():
    source = Image.new("RGBA", (300, 100), (200, 30, 30, 255))
    info = PngInfo()
    info.add_text("Author", "Teacher's home address")
    out = normalise_upload(encoded(source, "PNG", pnginfo=info))

    image = opened(out).convert("RGBA")
    assert image.getpixel((256, 256)) == (200, 30, 30, 255)
    assert image.getpixel((5, 5))[3] == 0  # margins stay transparent
    assert image.getbbox() == (0, 170, 512, 341)  # aspect kept: 512 x 171, centred
    assert chunk_types(out) <= CLEAN_CHUNKS and b"home address" not in out


def test_small_images_are_scaled_up_to_fill_the_square():
    image = opened(normalise_upload(encoded(Image.new("RGB", (32, 32), "navy"), "PNG"))).convert("RGBA")
    assert image.getbbox() == (0, 0, 512, 512)


def test_jpeg_loses_exif_gps_and_colour_profile():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 22.0, 1.5)
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    photo = encoded(Image.new("RGB", (640, 480), (20, 120, 60)), "JPEG", exif=exif, icc_profile=profile)
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the input really has GPS

    out = normalise_upload(photo)

    image = opened(out)
    assert not {"exif", "icc_profile", "dpi", "XML:com.adobe.xmp"} & set(image.info)
    assert chunk_types(out) <= CLEAN_CHUNKS
    assert b"PhoneCo" not in out and b"Exif" not in out
    r, g, b, a = image.convert("RGBA").getpixel((256, 256))
    assert a == 255 and abs(r - 20) < 6 and abs(g - 120) < 6 and abs(b - 60) < 6


def test_jpeg_is_turned_upright_by_its_exif_orientation():
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # camera held sideways: rotate 90 degrees clockwise to view
    photo = encoded(Image.new("RGB", (400, 200), "white"), "JPEG", exif=exif)
    left, top, right, bottom = opened(normalise_upload(photo)).getbbox()
    assert bottom - top > right - left  # landscape pixels, portrait picture


def test_animated_webp_keeps_its_first_frame():
    frames = [Image.new("RGB", (64, 64), colour) for colour in ("red", "blue")]
    data = encoded(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100, lossless=True)
    assert opened(normalise_upload(data)).convert("RGB").getpixel((256, 256)) == (255, 0, 0)


def test_sixteen_bit_greyscale_keeps_its_tones():
    grey = Image.new("I;16", (64, 64), 32768)
    r, g, b, a = opened(normalise_upload(encoded(grey, "PNG"))).getpixel((256, 256))
    assert r == g == b and 120 <= r <= 136 and a == 255


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        b"<p>Hello<br></p>",
        b"%PDF-1.7 not a picture",
        b"\x89PNG\r\n\x1a\n\x00\x00",  # ten bytes of a PNG
        b"",
    ],
    ids=["xhtml", "html", "pdf", "truncated-png", "empty"],
)
def test_things_that_are_not_images_are_refused(data):
    assert refused(data) == "not-an-image"


def test_png_cut_off_half_way_is_refused():
    data = encoded(Image.effect_noise((256, 256), 64), "PNG")
    assert refused(data[: len(data) // 2]) == "not-an-image"


@pytest.mark.parametrize(
    "data",
    [encoded(Image.new("RGB", (8, 8)), "GIF"), encoded(Image.new("RGB", (8, 8)), "TIFF"), encoded(Image.new("RGB", (8, 8)), "BMP")],
    ids=["gif", "tiff", "bmp"],
)
def test_other_image_formats_are_unsupported(data):
    assert refused(data) == "unsupported"


def test_uploads_over_five_megabytes_are_refused_before_decoding():
    assert refused(b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * 1024 * 1024)) == "too-large"


@pytest.mark.parametrize(
    "width, height",
    [(7000, 7000), (10_000, 10_000), (50_000, 50_000)],
    ids=["over-our-limit", "pillow-warns", "pillow-refuses"],
)
def test_decompression_bombs_are_refused(width, height):
    bomb = png_claiming(width, height)
    assert len(bomb) < 50_000
    assert refused(bomb) == "too-many-pixels"


def test_jpeg_claiming_huge_dimensions_is_refused():
    data = bytearray(encoded(Image.new("RGB", (16, 16)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", 60_000, 60_000)
    assert refused(bytes(data)) == "too-many-pixels"


# SVG


def test_svg_is_rasterised_never_kept():
    svg = f'<svg {SVG_NS} viewBox="0 0 100 50"><circle cx="50" cy="25" r="20" fill="#ff0000"/></svg>'
    out = normalise_upload(svg.encode())
    image = opened(out).convert("RGBA")
    assert image.getpixel((256, 256)) == (255, 0, 0, 255)
    assert image.getpixel((5, 5))[3] == 0
    assert b"<svg" not in out and chunk_types(out) <= CLEAN_CHUNKS


def test_huge_svg_canvas_is_drawn_at_badge_size():
    svg = f'<svg {SVG_NS} width="100000" height="100000"><rect width="100000" height="100000" fill="blue"/></svg>'
    assert opened(normalise_upload(svg.encode())).convert("RGB").getpixel((256, 256)) == (0, 0, 255)


def test_svg_script_and_event_handlers_leave_only_pixels():
    svg = (
        f'<svg {SVG_NS} width="10" height="10" onload="alert(1)">'
        '<script>document.location="http://127.0.0.1:1/"</script>'
        '<rect width="10" height="10" fill="green" onclick="alert(2)"/></svg>'
    )
    out = normalise_upload(svg.encode())
    assert opened(out).convert("RGB").getpixel((256, 256)) == (0, 128, 0)
    assert b"script" not in out and b"alert" not in out


def test_svg_cannot_read_local_image_files(tmp_path):
    secret = tmp_path / "secret.png"
    Image.new("RGB", (10, 10), (255, 0, 0)).save(secret)
    svg = (
        f'<svg {SVG_NS} xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="10">'
        f'<image href="{secret}" width="10" height="10"/>'
        f'<image xlink:href="{secret}" x="10" width="10" height="10"/></svg>'
    )
    image = opened(normalise_upload(svg.encode())).convert("RGBA")
    assert image.getextrema()[3] == (0, 0)  # nothing was drawn: the file was never read


def test_svg_embedded_raster_images_still_draw():
    dot = base64.b64encode(encoded(Image.new("RGB", (4, 4), (0, 0, 255)), "PNG")).decode()
    svg = f'<svg {SVG_NS} width="10" height="10"><image href="data:image/png;base64,{dot}" width="10" height="10"/></svg>'
    assert opened(normalise_upload(svg.encode())).convert("RGB").getpixel((256, 256)) == (0, 0, 255)


@pytest.fixture
def listener():
    """A local HTTP server that records every connection and request, to prove an SVG fetched nothing."""
    requests = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(encoded(Image.new("RGB", (4, 4), "red"), "PNG"))

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        def verify_request(self, request, client_address) -> bool:
            requests.append("(connection)")  # at accept, in arrival order, before any request is read
            return True

    server = Server(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()
    thread.join()


def external_references(url):
    return {
        "image": f'<svg {SVG_NS} width="10" height="10"><image href="{url}/image.png" width="10" height="10"/></svg>',
        "xlink-image": (
            f'<svg {SVG_NS} xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'
            f'<image xlink:href="{url}/xlink.png" width="10" height="10"/></svg>'
        ),
        "use": f'<svg {SVG_NS} width="10" height="10"><use href="{url}/use.svg#shape"/></svg>',
        "fe-image": (
            f'<svg {SVG_NS} width="10" height="10"><filter id="f"><feImage href="{url}/filter.png"/></filter>'
            '<rect width="10" height="10" filter="url(#f)"/></svg>'
        ),
        "css-import": f'<svg {SVG_NS} width="10" height="10"><style>@import url("{url}/style.css");</style></svg>',
        "css-background": f'<svg {SVG_NS} width="10" height="10"><rect width="10" height="10" style="fill:url({url}/p.svg#p)"/></svg>',
        "stylesheet-pi": f'<?xml-stylesheet href="{url}/pi.css"?><svg {SVG_NS} width="10" height="10"/>',
        "external-dtd": f'<!DOCTYPE svg SYSTEM "{url}/svg.dtd"><svg {SVG_NS} width="10" height="10"/>',
        "xxe-http": (
            f'<!DOCTYPE svg [<!ENTITY x SYSTEM "{url}/xxe.txt">]>'
            f'<svg {SVG_NS} width="10" height="10"><text y="10">&x;</text></svg>'
        ),
        "parameter-entity": (
            f'<!DOCTYPE svg [<!ENTITY % remote SYSTEM "{url}/remote.dtd"> %remote;]><svg {SVG_NS} width="10" height="10"/>'
        ),
    }


@pytest.mark.parametrize("case", list(external_references("")))
def test_svg_fetches_nothing_from_the_network(listener, case):
    url, requests = listener
    svg = external_references(url)[case]
    try:
        image = opened(normalise_upload(svg.encode())).convert("RGBA")
    except BadgeImageError as error:
        assert error.reason in ("unsupported", "not-an-image")
    else:
        assert (255, 0, 0, 255) not in {pixel for _, pixel in image.getcolors(512 * 512)}
    # The server accepts connections in arrival order, so once our own is answered, any
    # connection the parser opened before it has been recorded.
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(f"{url}/after", timeout=10) as answer:
        answer.read()
    assert requests == ["(connection)", "/after"]


def test_svg_xxe_is_refused():
    svg = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<svg {SVG_NS} width="100" height="20"><text y="15">&x;</text></svg>'
    )
    assert refused(svg.encode()) == "unsupported"


def test_svg_billion_laughs_is_refused_quickly():
    entities = '<!ENTITY a "ha">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    svg = f'<?xml version="1.0"?><!DOCTYPE svg [{entities}]><svg {SVG_NS}><text>&j;</text></svg>'
    started = time.perf_counter()
    assert refused(svg.encode()) == "unsupported"
    assert time.perf_counter() - started < 5  # expanded, it would take minutes and gigabytes


def use_bomb():
    """Each level draws the one below ten times: a billion rectangles from two kilobytes."""
    defs = '<rect id="l0" width="1" height="1" fill="red"/>' + "".join(
        f'<g id="l{level}">' + "".join(f'<use href="#l{level - 1}" x="{x}"/>' for x in range(10)) + "</g>"
        for level in range(1, 10)
    )
    return f'<svg {SVG_NS} width="100" height="100"><defs>{defs}</defs><use href="#l9"/></svg>'


def blur_storm():
    """Hundreds of huge blurs: a few kilobytes that would keep resvg busy for minutes."""
    blur = '<filter id="f" x="-10" y="-10" width="20" height="20"><feGaussianBlur stdDeviation="50000"/></filter>'
    shapes = '<rect width="100000" height="100000" filter="url(#f)"/>' * 300
    return f'<svg {SVG_NS} width="100000" height="100000">{blur}{shapes}</svg>'


@pytest.mark.parametrize("svg", [use_bomb(), blur_storm()], ids=["use-bomb", "blur-storm"])
def test_svg_that_would_take_forever_is_stopped(monkeypatch, svg):
    monkeypatch.setattr(badge_image, "SVG_CPU_SECONDS", 1)
    started = time.perf_counter()
    assert refused(svg.encode()) in ("unsupported", "not-an-image")
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    "data",
    [
        f'<svg {SVG_NS}><rect width="10" height="10"/>'.encode(),  # not closed
        '<svg xmlns="http://www.w3.org/2000/svg"/>'.encode("utf-16"),
        b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    ],
    ids=["broken", "utf-16", "xhtml"],
)
def test_svg_that_cannot_be_read_is_refused(data):
    assert refused(data) == "not-an-image"


# Designer


@pytest.mark.parametrize("icon", list(ICONS))
def test_each_icon_makes_a_badge(icon):
    out = design_badge(icon, "blue", "English B1")
    image = opened(out)
    assert image.mode == "RGBA" and chunk_types(out) <= CLEAN_CHUNKS


def test_icons_all_look_different():
    drawn = {design_badge(icon, "teal", "") for icon in ICONS}
    assert len(drawn) == len(ICONS)


@pytest.mark.parametrize("colour", list(COLOURS))
def test_each_colour_makes_a_badge_with_readable_white_text(colour):
    image = opened(design_badge("star", colour, "")).convert("RGB")
    assert image.getpixel((256, 120)) != image.getpixel((256, 400))  # highlight above, plain colour below
    assert contrast_ratio("#ffffff", COLOURS[colour]) >= 4.5
    assert contrast_ratio("#ffffff", ribbon_colour(colour)) >= 4.5


def test_choices_are_ordered_and_named():
    assert list(ICONS)[:2] == ["star", "book"] and len(ICONS) == 10
    assert all(isinstance(name, str) and name for name in ICONS.values())
    assert 8 <= len(COLOURS) <= 10


@pytest.mark.parametrize(
    "icon, colour, label, reason",
    [
        ("unicorn", "blue", "", "unsupported"),
        ("star", "#123456", "", "unsupported"),
        ("Star", "blue", "", "unsupported"),
        ("star", "blue", "x" * 25, "too-long"),
        ("star", "blue", "한국어", "unsupported-characters"),
        ("star", "blue", "Top 🎉", "unsupported-characters"),
        ("star", "blue", "abc\u202edcba", "unsupported-characters"),
        ("star", "blue", "line\nbreak", "unsupported-characters"),
    ],
)
def test_bad_designs_are_refused(icon, colour, label, reason):
    with pytest.raises(BadgeImageError) as caught:
        design_badge(icon, colour, label)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    "label",
    [
        "Tie\u0302\u0301ng Vie\u0323\u0302t na\u0302ng cao 1234",  # Vietnamese typed with combining accents
        "مَرْحَبًا " * 2 + "عربي 12345",  # Arabic with its vowel marks
    ],
    ids=["vietnamese", "arabic"],
)
def test_label_length_counts_letters_not_code_points(label):
    assert len(label) > 24
    opened(design_badge("book", "green", label))


def test_shaping_and_bidi_engine_is_available():
    # Pillow's wheel bundles libraqm; it needs FriBiDi from the system (Debian: libfribidi0).
    assert features.check("raqm")


def isolated_forms(arabic: str) -> str:
    """Spell Arabic with its unjoined presentation forms: what an unshaped rendering would show."""
    return "".join(unicodedata.lookup(unicodedata.name(ch) + " ISOLATED FORM") for ch in arabic)


@pytest.mark.parametrize(
    "label, other",
    [
        ("مرحبا", isolated_forms("مرحبا")),  # shaped and joined vs the same letters unjoined
        ("学习中文", "学习中"),
        ("Tiếng Việt", "Tieng Viet"),
        ("Python 3 مستوى", "Python 3"),
    ],
    ids=["arabic-shaped", "chinese", "vietnamese", "mixed"],
)
def test_labels_in_other_scripts_are_drawn(label, other):
    blank = design_badge("globe", "purple", "")
    drawn = design_badge("globe", "purple", label)
    assert drawn != blank and drawn != design_badge("globe", "purple", other)


def test_arabic_reads_right_to_left():
    # Alef never joins to the next letter, so with it first the word must start at the right.
    alef_first = opened(design_badge("star", "red", "اب")).convert("L").crop((40, 356, 472, 432))
    beh_first = opened(design_badge("star", "red", "با")).convert("L").crop((40, 356, 472, 432))
    assert _ink_centre_of_tall_strokes(alef_first) > _ink_centre_of_tall_strokes(beh_first)


def _ink_centre_of_tall_strokes(strip: Image.Image) -> float:
    """Find the mean x of white pixels well above the baseline: alef's tall stroke."""
    top = strip.crop((0, 0, strip.width, 28))
    xs = [x for x in range(top.width) for y in range(top.height) if top.getpixel((x, y)) > 200]
    return sum(xs) / len(xs)


def test_icon_svg_refuses_unknown_icons():
    with pytest.raises(BadgeImageError):
        icon_svg("../../etc/passwd")


@pytest.mark.parametrize("icon", list(ICONS))
def test_icon_svg_is_inert_and_draws_the_icon(icon):
    svg = icon_svg(icon)
    assert svg.startswith("<svg") and "script" not in svg and f'id="badge-icon-{icon}"' in svg
    image = opened(normalise_upload(svg.encode())).convert("RGBA")
    assert image.getextrema()[3][1] == 255  # something opaque was drawn
