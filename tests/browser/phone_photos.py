"""Photos like a phone's camera makes them: a 12-megapixel scene with sensor noise, as JPEG."""
import io
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter


def noisy_photo(width: int = 4000, height: int = 3000, *, seed: int = 7, quality: int = 92) -> bytes:
    """Return JPEG bytes of a soft, detailed scene with grain: hard on a JPEG encoder, as real photos are."""
    rng = random.Random(seed)
    scene = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(scene)
    for _ in range(60):  # objects on a workbench: soft blobs of colour
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(80, 700)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    scene = scene.filter(ImageFilter.GaussianBlur(12))
    draw = ImageDraw.Draw(scene)
    for _ in range(400):  # sharp detail: edges, handwriting-like strokes
        x, y = rng.randrange(width), rng.randrange(height)
        draw.line((x, y, x + rng.randrange(-300, 300), y + rng.randrange(-60, 60)),
                  fill=tuple(rng.randrange(256) for _ in range(3)), width=rng.randrange(2, 9))
    grain = Image.merge("RGB", [Image.effect_noise((width, height), 10) for _ in range(3)])
    photo = ImageChops.add(scene, grain, offset=-128)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=quality)
    return out.getvalue()
