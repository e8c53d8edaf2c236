"""Draw the app icons (regular and maskable) so the repository needs no design tool."""
import sys
from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (29, 78, 216)
WHITE = (255, 255, 255)


def draw(size: int, maskable: bool) -> Image.Image:
    """Draw a white backpack on blue; maskable icons keep it inside the 80% safe zone."""
    image = Image.new("RGB", (size, size), BRAND)
    pen = ImageDraw.Draw(image)
    scale = size / 24 * (0.62 if maskable else 0.8)
    offset = (size - 24 * scale) / 2

    def box(x0, y0, x1, y1):
        return [offset + x0 * scale, offset + y0 * scale, offset + x1 * scale, offset + y1 * scale]

    width = max(2, round(2 * scale))
    pen.rounded_rectangle(box(8, 2, 16, 8), radius=2.5 * scale, outline=WHITE, width=width)
    pen.rounded_rectangle(box(4, 6, 20, 22), radius=4 * scale, fill=WHITE)
    pen.rectangle(box(8, 14, 16, 18), fill=BRAND)
    return image


def main(target: str) -> None:
    folder = Path(target)
    for size in (192, 512):
        draw(size, False).save(folder / f"icon-{size}.png", optimize=True)
        draw(size, True).save(folder / f"icon-maskable-{size}.png", optimize=True)


if __name__ == "__main__":
    main(sys.argv[1])
