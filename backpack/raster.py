"""Decode uploaded raster images safely; shared by badge images and evidence photos.

Both take pictures from people's phones, so both need the same guards: the format named
from the bytes, decompression bombs refused before any pixel is read, the photo turned
upright, and colours converted to sRGB so the embedded profile can be dropped.
"""
import io
import math
import warnings

from PIL import Image, ImageCms, ImageOps

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SIXTEEN_BIT = ("I", "I;16", "I;16L", "I;16B", "I;16N")
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class RasterError(ValueError):
    """Refuse a picture; reason is 'not-an-image' or 'too-many-pixels'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def sniff(data: bytes) -> str | None:
    """Return 'PNG', 'JPEG' or 'WEBP' from the bytes alone, or None for anything else."""
    if data.startswith(_PNG_SIGNATURE):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def is_other_image(data: bytes) -> bool:
    """Recognise images we don't take (GIF, TIFF, BMP, HEIC, AVIF), to say so rather than 'not an image'.

    HEIC and AVIF start with an ISO BMFF 'ftyp' box, like MP4 videos: callers that also
    take videos must look at the brand before asking this.
    """
    return (
        data[:4] in (b"GIF8", b"II*\x00", b"MM\x00*")
        or (data[:2] == b"BM" and data[6:10] == b"\x00\x00\x00\x00")
        or data[4:8] == b"ftyp"
    )


def decode(data: bytes, kind: str, *, max_pixels: int, longest: int | None = None):
    """Open and decode one frame, refusing decompression bombs before any pixels are read.

    Pillow only warns between its limit and twice that, so the warning is made an error here.
    catch_warnings is process-wide: the worst a race between threads can do is leave that
    warning an error, which is what we want anyway. For JPEG, `longest` (the longest side
    the caller needs) lets the decoder scale down by up to 8 while decoding, so a large
    photo never exists at full size in memory.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise RasterError("too-many-pixels") from None
    except Exception:
        raise RasterError("not-an-image") from None
    if image.width * image.height > max_pixels:
        raise RasterError("too-many-pixels")
    if kind == "JPEG" and longest and max(image.size) > longest:
        scale = longest / max(image.size)
        image.draft(None, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
    try:
        image.load()
    except Exception:
        raise RasterError("not-an-image") from None
    return upright(image)


def upright(image):
    """Apply the EXIF orientation, as phones save photos sideways; bad EXIF is ignored."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        return image


def eight_bit(image):
    """Return the picture as 8-bit RGB, RGBA or CMYK, the modes every encoder takes."""
    if image.mode in _SIXTEEN_BIT:
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode not in ("RGB", "RGBA", "CMYK"):
        image = image.convert("RGBA")
    return image


def fit(image, longest: int):
    """Scale the picture so its longest side is `longest` pixels, keeping its shape."""
    scale = longest / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    if size == image.size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def in_srgb(image, icc: bytes | None):
    """Convert from the embedded colour profile (phones use Display P3), which is then dropped."""
    if not icc:
        return image
    mode = "RGBA" if image.mode == "RGBA" else "RGB"
    try:
        return ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), _SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
