"""Badge images that are safe to store, bake and show: clean square PNGs, never SVG.

Uploads (PNG, JPEG, WebP or SVG, sniffed from their bytes) become a 512 x 512 PNG with the
picture centred on a transparent square and no metadata. SVG is active content, so it is
cleaned and rasterised by resvg in a short-lived child process with CPU, memory and time
limits; resvg runs no scripts and has no network code. Designs come from badge_designer.
"""
import io
import re
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ElementTree
import xml.parsers.expat
from functools import lru_cache

from PIL import Image

from backpack import raster
from backpack.issuing import badge_designer
from backpack.issuing.badge_designer import COLOURS, ICONS, LABEL_MAX, SIZE

__all__ = ["BadgeImageError", "COLOURS", "ICONS", "LABEL_MAX", "design_badge", "icon_svg", "normalise_upload"]

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
SVG_CPU_SECONDS = 5
SVG_MEMORY_BYTES = 1024 * 1024 * 1024
# zlib's default level: on a photo, level 9 (Pillow's optimize) takes ten times as long for 2% less.
PNG_COMPRESS_LEVEL = 6

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SVG_ROOT = "{http://www.w3.org/2000/svg}svg"
_SAFE_HREF = re.compile(r"\s*(#|data:image/(png|jpeg|jpg|gif|webp)[;,])", re.IGNORECASE)
_RESVG = """
import resource, sys
resource.setrlimit(resource.RLIMIT_CPU, ({seconds}, {seconds}))
resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
import resvg_py
svg = sys.stdin.buffer.read().decode("utf-8")
sys.stdout.buffer.write(bytes(resvg_py.svg_to_bytes(svg_string=svg, width={size}, height={size})))
"""


class BadgeImageError(ValueError):
    """Refuse an image or design; reason is a code the view turns into a translated message.

    Reasons: too-large, not-an-image, too-many-pixels, unsupported, too-long and
    unsupported-characters (a label letter no bundled font has).
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def normalise_upload(data: bytes) -> bytes:
    """Return an uploaded picture as a clean 512 x 512 PNG, or raise BadgeImageError."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise BadgeImageError("too-large")
    kind = _sniff(data)
    image = _rasterise_svg(data) if kind == "SVG" else _decode(data, kind)
    return _square_png(image)


def design_badge(icon: str, colour: str, label: str) -> bytes:
    """Return a designed badge as a 512 x 512 PNG, or raise BadgeImageError for bad choices."""
    if icon not in ICONS or colour not in COLOURS:
        raise BadgeImageError("unsupported")
    label = unicodedata.normalize("NFC", label).strip()
    if sum(1 for ch in label if not unicodedata.combining(ch)) > LABEL_MAX:
        raise BadgeImageError("too-long")
    if badge_designer.missing_characters(label):
        raise BadgeImageError("unsupported-characters")
    return badge_designer.draw_badge(icon, colour, label)


def icon_svg(icon: str) -> str:
    """Return a built-in icon as inline SVG (fill: currentColor) for the designer's picker."""
    if icon not in ICONS:
        raise BadgeImageError("unsupported")
    return badge_designer.icon_svg(icon)


def _sniff(data):
    """Name the format from the bytes alone; names and content types are the sender's word."""
    kind = raster.sniff(data)
    if kind:
        return kind
    if raster.is_other_image(data):
        raise BadgeImageError("unsupported")
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "SVG"
    raise BadgeImageError("not-an-image")


def _decode(data, kind):
    """Decode one frame through the shared guards (decompression bombs, orientation)."""
    try:
        return raster.decode(data, kind, max_pixels=MAX_PIXELS, longest=SIZE)
    except raster.RasterError as error:
        raise BadgeImageError(error.reason) from None


def _square_png(image):
    """Scale the picture to fit 512 x 512, centre it on a transparent square and save it bare."""
    icc = image.info.get("icc_profile")
    image = raster.in_srgb(raster.fit(raster.eight_bit(image), SIZE), icc).convert("RGBA")
    canvas = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    canvas.paste(image, ((SIZE - image.width) // 2, (SIZE - image.height) // 2))
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def _rasterise_svg(data):
    """Turn an SVG into pixels without letting it read files, fetch URLs or run anything."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadgeImageError("not-an-image") from None
    root = _parse_svg(text)
    _drop_external_links(root)
    png = _run_resvg(ElementTree.tostring(root, encoding="unicode"))
    return _decode(png, "PNG")


def _parse_svg(text):
    """Parse the SVG, refusing DTD entities: they carry XXE and billion-laughs attacks."""
    parser = xml.parsers.expat.ParserCreate()
    parser.EntityDeclHandler = _refuse_entity
    try:
        parser.Parse(text, True)
        root = ElementTree.fromstring(text)
    except (xml.parsers.expat.ExpatError, ElementTree.ParseError):
        raise BadgeImageError("not-an-image") from None
    if root.tag != _SVG_ROOT:
        raise BadgeImageError("not-an-image")
    return root


def _refuse_entity(*_declaration):
    raise BadgeImageError("unsupported")


def _drop_external_links(root):
    """Keep only links inside the document and embedded raster images; resvg would read local files."""
    for element in root.iter():
        for name in [name for name in element.attrib if name.rsplit("}", 1)[-1] == "href"]:
            if not _SAFE_HREF.match(element.attrib[name]):
                del element.attrib[name]


def _run_resvg(svg):
    """Rasterise in a child process, so a hostile drawing can't exhaust this worker's CPU or memory."""
    script = _RESVG.format(seconds=SVG_CPU_SECONDS, memory=SVG_MEMORY_BYTES, size=SIZE)
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", script],
            input=svg.encode("utf-8"),
            capture_output=True,
            timeout=SVG_CPU_SECONDS * 2,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BadgeImageError("unsupported") from None
    if done.returncode != 0 or not done.stdout.startswith(_PNG_SIGNATURE):
        raise BadgeImageError("not-an-image")
    return done.stdout


# Sizes the pages show a badge at (CSS pixels, and twice that for sharp screens).
DISPLAY_SIZES = (96, 160, 192, 256, 320)


@lru_cache(maxsize=512)
def _webp(png: bytes, size: int) -> bytes:
    with Image.open(io.BytesIO(png)) as image:
        image = image.convert("RGBA").resize((size, size), Image.LANCZOS)
        out = io.BytesIO()
        # Flat badge art: lossy colour with a lighter alpha keeps a 160 px badge near 3 KB.
        image.save(out, "WEBP", quality=60, alpha_quality=50, method=6)
    return out.getvalue()


def display_webp(png: bytes, size: int) -> bytes:
    """Return the stored badge picture as a WebP of size × size pixels, for pages (not for credentials)."""
    if size not in DISPLAY_SIZES:
        raise ValueError(f"badge pictures are shown at {DISPLAY_SIZES} pixels")
    return _webp(png, size)
