"""Evidence photos: decoded safely, shrunk and saved again from the pixels alone.

Saving from the pixels is what removes the metadata (EXIF with GPS location, XMP, maker
notes, the colour profile after conversion to sRGB) and anything hidden after the image
data, such as HTML or a ZIP archive appended to make a polyglot file. The phone shrinks
photos before sending them; this is the safety net for photos sent as they are.
"""
import io
from dataclasses import dataclass

from PIL import Image

from backpack import raster
from backpack.evidence.refusals import Broken, TooManyPixels

JPEG_QUALITY = 82
WEBP_QUALITY = 80
THUMBNAIL_SIDE = 320
THUMBNAIL_QUALITY = 70


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    mimetype: str
    width: int
    height: int
    thumbnail: bytes  # JPEG, for lists


def clean_photo(data: bytes, kind: str, *, longest: int, max_pixels: int) -> CleanPhoto:
    """Return the photo upright, at most `longest` pixels on its longest side, with no metadata.

    Opaque pictures become JPEG; pictures with transparency become WebP, which keeps it.
    """
    try:
        image = raster.decode(data, kind, max_pixels=max_pixels, longest=longest)
    except raster.RasterError as error:
        raise (TooManyPixels() if error.reason == "too-many-pixels" else Broken()) from None
    icc = image.info.get("icc_profile")
    image = raster.eight_bit(image)
    if max(image.size) > longest:
        image = raster.fit(image, longest)
    image = raster.in_srgb(image, icc)
    transparent = image.mode == "RGBA" and image.getchannel("A").getextrema()[0] < 255
    image = _bare(image.convert("RGBA" if transparent else "RGB"))
    if transparent:
        photo = _encode(image, "WEBP", quality=WEBP_QUALITY, method=4)
        mimetype = "image/webp"
    else:
        photo = _encode(image, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        mimetype = "image/jpeg"
    return CleanPhoto(photo, mimetype, image.width, image.height, _thumbnail(image))


def _bare(image):
    """Forget everything but the pixels, so no encoder can copy metadata across."""
    image.info.clear()
    return image


def _thumbnail(image) -> bytes:
    small = image.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    if small.mode == "RGBA":
        canvas = Image.new("RGB", small.size, (255, 255, 255))
        canvas.paste(small, mask=small.getchannel("A"))
        small = canvas
    return _encode(_bare(small), "JPEG", quality=THUMBNAIL_QUALITY, optimize=True)


def _encode(image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()
