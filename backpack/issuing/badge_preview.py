"""The designer's live preview: the very picture the badge will be stored with.

Pillow draws the badge on the server (badge_designer), so the page does not redraw it in
script: it shows the server's own rendering of the teacher's current choices. Creating the
badge and previewing it both go through designed_image, so the two cannot differ.
"""
from functools import lru_cache

from markupsafe import Markup

from backpack.issuing import badge_image


@lru_cache(maxsize=64)
def designed_image(icon: str, colour: str, label: str) -> bytes:
    """Return the designed badge PNG for these choices, or raise BadgeImageError.

    Drawing takes a fifth of a second; a teacher flicking between colours asks for the same
    few pictures again, and creating the badge asks for the last one previewed.
    """
    return badge_image.design_badge(icon, colour, label.strip())


def icon_pictures() -> dict[str, Markup]:
    """Return each built-in icon as inline SVG, for the picker's radio buttons."""
    return {key: Markup(badge_image.icon_svg(key)) for key in badge_image.ICONS}
