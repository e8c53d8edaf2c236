"""Name a new passkey after the device that made it, so two passkeys can be told apart.

The User-Agent header comes with the request, and the page sends the browser's client
hints (navigator.userAgentData, where there is one): the phone's model, which Chrome keeps
out of its User-Agent, and the touch screen that tells an iPad from a Mac. Both are the
browser's word, so only names from these lists are used, and the model is kept as short
printable text. The person can rename the passkey at any time.
"""
import json
import unicodedata

# (text in the User-Agent, platform name), first match wins: iPhones and iPads say "like Mac OS X".
_UA_PLATFORMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "Chromebook"),
    ("Macintosh", "Mac"),
    ("Mac OS X", "Mac"),
    ("Linux", "Linux"),
)
# Client hints' platform names (Chromium's navigator.userAgentData.platform).
_HINT_PLATFORMS = {
    "android": "Android",
    "windows": "Windows",
    "macos": "Mac",
    "ios": "iPhone",
    "chrome os": "Chromebook",
    "chromium os": "Chromebook",
    "linux": "Linux",
}
# (text in the User-Agent, browser name), first match wins: Edge and others say "Chrome" too.
_UA_BROWSERS = (
    ("EdgiOS", "Edge"),
    ("EdgA/", "Edge"),
    ("Edg/", "Edge"),
    ("SamsungBrowser", "Samsung Internet"),
    ("OPR/", "Opera"),
    ("FxiOS", "Firefox"),
    ("Firefox/", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Version/", "Safari"),
)
# Client hints' brand names; Chromium lists its own brand and a made-up one beside the real one.
_HINT_BROWSERS = (
    ("Microsoft Edge", "Edge"),
    ("Samsung Internet", "Samsung Internet"),
    ("Opera", "Opera"),
    ("Google Chrome", "Chrome"),
    ("Chromium", "Chromium"),
)
MODEL_MAX = 30


def parse_hints(raw: str | None) -> dict:
    """Read the client hints the page sent (a small JSON object); anything else counts as none."""
    try:
        hints = json.loads(raw or "{}")
    except ValueError:
        return {}
    return hints if isinstance(hints, dict) else {}


def platform_of(user_agent: str, hints: dict | None = None) -> str | None:
    """Return the device's platform as people call it ("Android", "iPhone", "Mac"), or None.

    The User-Agent names the platform in every browser we know; the client hints fill in
    where it does not.
    """
    hints = hints or {}
    agent = user_agent or ""
    platform = next((name for needle, name in _UA_PLATFORMS if needle in agent), None)
    hinted = hints.get("platform")
    if platform is None and isinstance(hinted, str):
        platform = _HINT_PLATFORMS.get(hinted.strip().lower())
    # iPadOS Safari says "Macintosh"; only the touch screen tells the page it is an iPad.
    if platform == "Mac" and _number(hints.get("touch")) > 1:
        platform = "iPad"
    return platform


def browser_of(user_agent: str, hints: dict | None = None) -> str | None:
    """Return the browser's name ("Chrome", "Safari", "Edge"), or None."""
    agent = user_agent or ""
    found = next((name for needle, name in _UA_BROWSERS if needle in agent), None)
    if found == "Safari" and "Safari" not in agent:
        found = None
    brands = (hints or {}).get("brands")
    if found is None and isinstance(brands, list):
        named = {brand for brand in brands if isinstance(brand, str)}
        found = next((name for brand, name in _HINT_BROWSERS if brand in named), None)
    return found


def model_of(hints: dict | None) -> str | None:
    """Return the phone's model as Chrome on Android tells it ("Pixel 7"), short and printable."""
    model = (hints or {}).get("model")
    if not isinstance(model, str):
        return None
    shown = " ".join("".join(ch for ch in model if unicodedata.category(ch)[0] in "LNPZ").split())
    return shown[:MODEL_MAX].strip() or None


def passkey_name(user_agent: str, hints: dict | None = None, fallback: str = "Passkey") -> str:
    """Name a passkey "Android · Chrome" (with the model when known), or the fallback."""
    platform = platform_of(user_agent, hints)
    model = model_of(hints)
    if platform == "Android" and model:
        platform = f"{platform} {model}"
    parts = [part for part in (platform, browser_of(user_agent, hints)) if part]
    return " · ".join(parts) or fallback


def is_phone(user_agent: str, hints: dict | None = None) -> bool:
    """Tell whether the browser runs on a phone, to call this device "This phone"."""
    hinted = (hints or {}).get("mobile")
    if isinstance(hinted, bool):
        return hinted
    platform = platform_of(user_agent, hints)
    return platform == "iPhone" or platform == "Android" and "Mobile" in (user_agent or "")


def _number(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
