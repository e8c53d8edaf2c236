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
import warnings
import xml.etree.ElementTree as ElementTree
import xml.parsers.expat

from PIL import Image, ImageCms, ImageOps

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
_SIXTEEN_BIT = ("I", "I;16", "I;16L", "I;16B", "I;16N")
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
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
    if data.startswith(_PNG_SIGNATURE):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if _is_other_image(data):
        raise BadgeImageError("unsupported")
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "SVG"
    raise BadgeImageError("not-an-image")


def _is_other_image(data):
    """Recognise images we don't take (GIF, TIFF, BMP, HEIC, AVIF), to say so rather than 'not an image'."""
    return (
        data[:4] in (b"GIF8", b"II*\x00", b"MM\x00*")
        or (data[:2] == b"BM" and data[6:10] == b"\x00\x00\x00\x00")
        or data[4:8] == b"ftyp"
    )


def _decode(data, kind):
    """Open and decode one frame, refusing decompression bombs before any pixels are read.

    Pillow only warns between its limit and twice that, so the warning is made an error here.
    catch_warnings is process-wide: the worst a race between threads can do is leave that
    warning an error, which is what we want anyway.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadgeImageError("too-many-pixels") from None
    except Exception:
        raise BadgeImageError("not-an-image") from None
    if image.width * image.height > MAX_PIXELS:
        raise BadgeImageError("too-many-pixels")
    if kind == "JPEG":
        image.draft(None, (SIZE, SIZE))
    try:
        image.load()
    except Exception:
        raise BadgeImageError("not-an-image") from None
    return _upright(image)


def _upright(image):
    """Apply the EXIF orientation, as phones save photos sideways; bad EXIF is ignored."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        return image


def _square_png(image):
    """Scale the picture to fit 512 x 512, centre it on a transparent square and save it bare."""
    icc = image.info.get("icc_profile")
    if image.mode in _SIXTEEN_BIT:
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode not in ("RGB", "RGBA", "CMYK"):
        image = image.convert("RGBA")
    image = _in_srgb(_fit(image), icc).convert("RGBA")
    canvas = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    canvas.paste(image, ((SIZE - image.width) // 2, (SIZE - image.height) // 2))
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def _fit(image):
    scale = SIZE / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    if size == image.size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _in_srgb(image, icc):
    """Convert from the embedded colour profile (phones use Display P3), which is then dropped."""
    if not icc:
        return image
    mode = "RGBA" if image.mode == "RGBA" else "RGB"
    try:
        return ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), _SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


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
