"""Language tags: BCP 47 as browsers and HTML speak them, matched to the catalogues' codes.

The catalogues are named as Babel names locales (zh_Hans); HTML, HTTP and the Web Push
`lang` want BCP 47 (zh-Hans). A browser says zh-CN or ar-EG, never our codes exactly.
Also the direction a piece of text starts in (for isolating a name in a sentence or on a
badge). Nothing here needs Flask, so the rules are tested directly.
"""
import re
import unicodedata
from collections.abc import Iterable

# A well-formed tag or code: a 2-8 letter language, then subtags; "_" is read as "-".
_WELL_FORMED = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8}){0,7}")
# Chinese written in traditional characters unless the tag names a script.
_TRADITIONAL_REGIONS = {"tw", "hk", "mo"}


def language_tag(code: str) -> str:
    """Return the BCP 47 tag for a catalogue code: zh_Hans becomes zh-Hans."""
    return code.replace("_", "-")


def _subtags(tag: object) -> list[str] | None:
    if not isinstance(tag, str):
        return None
    tag = tag.strip()
    if len(tag) > 64 or not _WELL_FORMED.fullmatch(tag):
        return None
    return tag.replace("_", "-").lower().split("-")


def _chinese(subtags: list[str]) -> str | None:
    """Return 'hans' or 'hant': the script a Chinese tag names, else the one its region writes."""
    for subtag in subtags[1:]:
        if subtag in ("hans", "hant"):
            return subtag
    region = next((s for s in subtags[1:] if len(s) == 2 or (len(s) == 3 and s.isdigit())), None)
    return "hant" if region in _TRADITIONAL_REGIONS else "hans"


def match(tag: object, offered: Iterable[str]) -> str | None:
    """Return the offered code a tag or code names (zh-CN and zh_Hans give zh_Hans, ar-EG gives ar), or None.

    Malformed values (a cookie or form field anyone can send) and languages not offered give None.
    Chinese in traditional characters (zh-TW, zh-Hant) is not Simplified Chinese: None too.
    """
    subtags = _subtags(tag)
    if subtags is None:
        return None
    by_tag = {language_tag(code).lower(): code for code in offered}
    exact = by_tag.get("-".join(subtags))
    if exact is not None:
        return exact
    primary = subtags[0]
    if primary == "zh":
        return by_tag.get(f"zh-{_chinese(subtags)}")
    return by_tag.get(primary)


def best_match(accepted: Iterable[tuple[str, float]], offered: Iterable[str]) -> str | None:
    """Return the offered code that the browser's Accept-Language list (best first) wants most, or None."""
    offered = list(offered)
    for tag, quality in accepted:
        if quality > 0:
            found = match(tag, offered)
            if found is not None:
                return found
    return None


def starts_right_to_left(text: str) -> bool:
    """Say whether the text's first strong character is right-to-left (Unicode's "first strong" rule)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False
