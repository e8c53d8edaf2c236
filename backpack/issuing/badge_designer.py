"""Draw a badge from an icon, a colour and a short label, for teachers without a designer.

Shapes are drawn at four times the final size and scaled down, because Pillow's polygons
and ellipses have no anti-aliasing of their own. Labels are laid out with libraqm (through
Pillow), which shapes Arabic and orders right-to-left text; each run of text is set in the
bundled Noto font that has its letters (see badge_assets/README.md).
"""
import io
import json
import math
import unicodedata
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

from backpack.i18n.tags import starts_right_to_left

SIZE = 512
LABEL_MAX = 24
_SCALE = 4
_ASSETS = Path(__file__).with_name("badge_assets")
_FONT_FILES = {
    "latin": "NotoSans-Bold-subset.woff2",
    "arabic": "NotoSansArabic-Bold-subset.woff2",
    "cjk": "NotoSansSC-Bold-subset.woff2",
}
_LAYOUT = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
_JOINERS = frozenset("\u200c\u200d")
_BAND = 0.72


def N_(message: str) -> str:
    """Mark a name for pybabel (N_ is one of its default keywords); views translate it on display."""
    return message


COLOURS = {
    "blue": "#1d4ed8",
    "teal": "#0f766e",
    "green": "#15803d",
    "gold": "#a16207",
    "orange": "#c2410c",
    "red": "#b91c1c",
    "pink": "#be185d",
    "purple": "#7e22ce",
}


def _star(cx, cy, outer, inner, points=5):
    """Return the corners of a star with its first point straight up."""
    step = math.pi / points
    return [
        (cx + r * math.sin(i * step), cy - r * math.cos(i * step))
        for i, r in zip(range(2 * points), [outer, inner] * points, strict=True)
    ]


def _heart(cx, cy, scale):
    """Return the classic parametric heart outline, centred on its bounding box."""
    ts = [2 * math.pi * i / 72 for i in range(72)]
    return [
        (cx + scale * 16 * math.sin(t) ** 3,
         cy - scale * (13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t) + 2.5))
        for t in ts
    ]


def _half_disc(cx, cy, r):
    """Return the lower half of a circle, left to right the long way round."""
    return [(cx + r * math.cos(math.pi * i / 24), cy + r * math.sin(math.pi * i / 24)) for i in range(25)]


def _turned(points, degrees, cx=50, cy=50):
    """Rotate points clockwise about a centre, so an upright shape can stand at an angle."""
    a = math.radians(degrees)
    return [
        (cx + (x - cx) * math.cos(a) - (y - cy) * math.sin(a), cy + (x - cx) * math.sin(a) + (y - cy) * math.cos(a))
        for x, y in points
    ]


def _box(x0, y0, x1, y1):
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


# Each icon is a list of (paint, shape, *args) on a 100 x 100 grid, drawn in order:
# "ink" adds white, "cut" takes it away again. Shapes: disc (cx, cy, r), ring (cx, cy, rx, ry,
# width), poly (points), line (points, width; round ends) and rect (x0, y0, x1, y1, radius).
_DRAWINGS = {
    "star": [("ink", "poly", _star(50, 54, 46, 19))],
    "book": [
        ("ink", "poly", [(6, 22), (46, 28), (46, 88), (6, 80)]),
        ("ink", "poly", [(54, 28), (94, 22), (94, 80), (54, 88)]),
        *[("cut", "line", [(14, y), (38, y + 4)], 4) for y in (38, 50, 62)],
        *[("cut", "line", [(62, y + 4), (86, y)], 4) for y in (38, 50, 62)],
    ],
    "chat": [
        ("ink", "rect", 6, 12, 94, 70, 18),
        ("ink", "poly", [(22, 60), (20, 92), (50, 66)]),
        *[("cut", "disc", x, 41, 6.5) for x in (30, 50, 70)],
    ],
    "check": [("ink", "line", [(14, 52), (39, 77), (86, 26)], 16)],
    "globe": [
        ("ink", "ring", 50, 50, 41, 41, 7),
        ("ink", "ring", 50, 50, 17, 41, 6),
        ("ink", "line", [(9, 50), (91, 50)], 6),
        ("ink", "line", [(50, 9), (50, 91)], 6),
        ("ink", "line", [(16, 30), (84, 30)], 5),
        ("ink", "line", [(16, 70), (84, 70)], 5),
    ],
    "pencil": [
        ("ink", "poly", _turned(_box(38, 4, 62, 16), 45)),
        ("ink", "poly", _turned(_box(38, 21, 62, 72), 45)),
        ("ink", "poly", _turned([(38, 77), (62, 77), (50, 97)], 45)),
    ],
    "computer": [
        ("ink", "rect", 6, 12, 94, 70, 7),
        ("cut", "rect", 14, 20, 86, 62, 2),
        ("ink", "poly", [(42, 70), (58, 70), (61, 84), (39, 84)]),
        ("ink", "rect", 24, 83, 76, 92, 4),
    ],
    "heart": [("ink", "poly", _heart(50, 52, 2.75))],
    "briefcase": [
        ("ink", "rect", 33, 12, 67, 34, 8),
        ("cut", "rect", 41, 20, 59, 34, 3),
        ("ink", "rect", 6, 30, 94, 88, 9),
        ("cut", "line", [(2, 54), (98, 54)], 5),
        ("ink", "rect", 42, 46, 58, 62, 3),
    ],
    "trophy": [
        ("ink", "ring", 24, 32, 13, 14, 7),
        ("ink", "ring", 76, 32, 13, 14, 7),
        ("ink", "poly", [(22, 10), (78, 10)] + _half_disc(50, 30, 28)),
        ("cut", "poly", _star(50, 32, 13, 5.5)),
        ("ink", "poly", [(45, 56), (55, 56), (58, 76), (42, 76)]),
        ("ink", "rect", 26, 75, 74, 90, 4),
    ],
}

ICONS = {
    "star": N_("Star"),
    "book": N_("Book"),
    "chat": N_("Speech bubble"),
    "check": N_("Check mark"),
    "globe": N_("Globe"),
    "pencil": N_("Pencil"),
    "computer": N_("Computer"),
    "heart": N_("Heart"),
    "briefcase": N_("Briefcase"),
    "trophy": N_("Trophy"),
}


def draw_badge(icon: str, colour: str, label: str) -> bytes:
    """Return the badge as a 512 x 512 PNG; the caller has checked icon, colour and label."""
    rgb = _rgb(COLOURS[colour])
    big = Image.new("RGBA", (SIZE * _SCALE,) * 2, (0, 0, 0, 0))
    centre_y = 236 if label else 256
    _draw_medal(big, rgb, centre_y)
    icon_centre = (256, centre_y - 14 if label else centre_y)
    big.paste((255, 255, 255, 255), mask=_icon_mask(icon, icon_centre, 176 if label else 200))
    if label:
        _draw_ribbon(big, rgb, label)
    return _png(big.reduce(_SCALE))


def missing_characters(label: str) -> list[str]:
    """List the label's characters no bundled font can draw, so no badge shows empty boxes."""
    return [ch for ch in label if _font_key(ch, None) is None]


def icon_svg(icon: str) -> str:
    """Return the icon as a small SVG in currentColor, for the designer's icon picker."""
    mask_id = f"badge-icon-{icon}"
    shapes = "".join(_svg_shape(*step) for step in _DRAWINGS[icon])
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" aria-hidden="true">'
        f'<mask id="{mask_id}" maskUnits="userSpaceOnUse" x="0" y="0" width="100" height="100">{shapes}</mask>'
        f'<rect width="100" height="100" fill="currentColor" mask="url(#{mask_id})"/></svg>'
    )


def contrast_ratio(foreground: str, background: str) -> float:
    """Return the WCAG 2 contrast ratio of two hex colours."""
    lighter, darker = sorted((_luminance(_rgb(foreground)), _luminance(_rgb(background))), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def ribbon_colour(colour: str) -> str:
    """Return the hex colour the label sits on, so its contrast can be checked too."""
    return "#%02x%02x%02x" % _shade(_rgb(COLOURS[colour]), _BAND)


def _luminance(rgb):
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _rgb(hex_colour):
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def _shade(rgb, factor):
    """Darken a colour by mixing it with black; factor 1 keeps it."""
    return tuple(round(c * factor) for c in rgb)


def _tint(rgb, amount):
    """Lighten a colour by mixing it with white."""
    return tuple(round(c + (255 - c) * amount) for c in rgb)


def _circle(draw, cx, cy, r, **style):
    draw.ellipse([(cx - r) * _SCALE, (cy - r) * _SCALE, (cx + r) * _SCALE, (cy + r) * _SCALE], **style)


def _draw_medal(big, rgb, cy):
    """Draw the round medal: a darker rim, the colour with a lighter top, and a white ring."""
    draw = ImageDraw.Draw(big)
    _circle(draw, 256, cy, 236, fill=_shade(rgb, 0.78))
    _circle(draw, 256, cy, 216, fill=rgb)
    draw.chord([(256 - 216) * _SCALE, (cy - 216) * _SCALE, (256 + 216) * _SCALE, (cy + 216) * _SCALE],
               180, 360, fill=_tint(rgb, 0.08))
    _circle(draw, 256, cy, 198, outline=(255, 255, 255), width=5 * _SCALE)


def _icon_mask(icon, centre, size):
    """Draw the icon's shapes into a full-size mask, white where the icon is."""
    mask = Image.new("L", (SIZE * _SCALE,) * 2, 0)
    draw = ImageDraw.Draw(mask)
    unit = size * _SCALE / 100
    origin = ((centre[0] - size / 2) * _SCALE, (centre[1] - size / 2) * _SCALE)

    def at(x, y):
        return (origin[0] + x * unit, origin[1] + y * unit)

    for paint, shape, *args in _DRAWINGS[icon]:
        _mask_shape(draw, at, unit, 255 if paint == "ink" else 0, shape, args)
    return mask


def _mask_shape(draw, at, unit, fill, shape, args):
    if shape == "disc":
        cx, cy, r = args
        draw.ellipse([at(cx - r, cy - r), at(cx + r, cy + r)], fill=fill)
    elif shape == "ring":
        cx, cy, rx, ry, width = args
        box = [at(cx - rx - width / 2, cy - ry - width / 2), at(cx + rx + width / 2, cy + ry + width / 2)]
        draw.ellipse(box, outline=fill, width=round(width * unit))
    elif shape == "poly":
        draw.polygon([at(x, y) for x, y in args[0]], fill=fill)
    elif shape == "line":
        points, width = args
        draw.line([at(x, y) for x, y in points], fill=fill, width=round(width * unit), joint="curve")
        for x, y in (points[0], points[-1]):
            draw.ellipse([at(x - width / 2, y - width / 2), at(x + width / 2, y + width / 2)], fill=fill)
    elif shape == "rect":
        x0, y0, x1, y1, radius = args
        draw.rounded_rectangle([at(x0, y0), at(x1, y1)], radius=radius * unit, fill=fill)


def _svg_shape(paint, shape, *args):
    colour = "#fff" if paint == "ink" else "#000"
    if shape == "disc":
        return '<circle cx="%g" cy="%g" r="%g" fill="%s"/>' % (*args, colour)
    if shape == "ring":
        return '<ellipse cx="%g" cy="%g" rx="%g" ry="%g" stroke-width="%g" fill="none" stroke="%s"/>' % (*args, colour)
    if shape == "rect":
        x0, y0, x1, y1, radius = args
        return '<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="%s"/>' % (x0, y0, x1 - x0, y1 - y0, radius, colour)
    points = " ".join("%.1f,%.1f" % point for point in args[0])
    if shape == "poly":
        return f'<polygon points="{points}" fill="{colour}"/>'
    return (f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="{args[1]:g}" '
            'stroke-linecap="round" stroke-linejoin="round"/>')


_TAIL = [(74, 380), (6, 380), (28, 416), (6, 452), (74, 452)]
_FOLD = [(40, 432), (74, 452), (74, 432)]


def _draw_ribbon(big, rgb, label):
    """Draw a banner across the medal's foot with the label centred on it in white."""
    draw = ImageDraw.Draw(big)
    for points, factor in ((_TAIL, 0.55), (_FOLD, 0.38)):
        for side in (points, [(SIZE - x, y) for x, y in points]):
            draw.polygon([(x * _SCALE, y * _SCALE) for x, y in side], fill=_shade(rgb, factor))
    draw.rectangle([40 * _SCALE, 356 * _SCALE, 472 * _SCALE, 432 * _SCALE], fill=_shade(rgb, _BAND))
    text = _label_mask(label, width=404 * _SCALE, height=50 * _SCALE)
    left = (SIZE * _SCALE - text.width) // 2
    top = 394 * _SCALE - text.height // 2
    big.paste((255, 255, 255, 255), (left, top), mask=text)


def _label_mask(label, width, height):
    """Set the label as large as fits the box (at most 40 px), returned as a cropped mask."""
    runs = _runs(label)
    size = 40 * _SCALE
    mask = _set_runs(runs, size)
    while size > 8 * _SCALE and (mask.width > width or mask.height > height):
        size = max(8 * _SCALE, int(size * min(width / mask.width, height / mask.height, 0.97)))
        mask = _set_runs(runs, size)
    return mask


def _set_runs(runs, size):
    """Draw runs left to right on a shared baseline and crop to the ink."""
    placed = [(text, _font(key, size)) for text, key in runs]
    total = sum(font.getlength(text) for text, font in placed)
    mask = Image.new("L", (int(total) + 2 * size, 3 * size), 0)
    draw = ImageDraw.Draw(mask)
    x = size
    for text, font in placed:
        draw.text((x, 2 * size), text, font=font, fill=255, anchor="ls")
        x += font.getlength(text)
    return mask.crop(mask.getbbox() or (0, 0, 1, 1))


def _runs(label):
    """Split the label into (text, font key) runs in display order.

    Spaces, digits, punctuation and marks stay in the run they follow, so raqm shapes
    and orders them with their neighbours; a label that starts right-to-left shows its
    runs from the right.
    """
    texts, keys = [], []
    for ch in label:
        key = _font_key(ch, keys[-1] if keys else None)
        if keys and keys[-1] == key:
            texts[-1] += ch
        else:
            texts.append(ch)
            keys.append(key)
    runs = list(zip(texts, keys, strict=True))
    return runs[::-1] if starts_right_to_left(label) else runs


def _font_key(ch, current):
    """Pick the font for a character: the current run's if it is neutral, else the first with it."""
    category = unicodedata.category(ch)
    if category[0] == "C" and ch not in _JOINERS:
        return None
    charsets = _charsets()
    if current and category[0] in "ZPNSMC" and ch in charsets[current]:
        return current
    return next((key for key in _FONT_FILES if ch in charsets[key]), None)


@lru_cache(maxsize=1)
def _charsets():
    """Load which characters each bundled font has (listed when the fonts were subset)."""
    data = json.loads((_ASSETS / "label_charset.json").read_text(encoding="utf-8"))
    return {key: frozenset(data[key]) for key in _FONT_FILES}


@lru_cache(maxsize=12)
def _font(key, size):
    """Load a font once per size; the CJK one is over a megabyte, so keep only a few."""
    return ImageFont.truetype(str(_ASSETS / _FONT_FILES[key]), size, layout_engine=_LAYOUT)


def _png(image):
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=9)
    return buffer.getvalue()
