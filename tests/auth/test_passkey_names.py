"""Passkeys people can tell apart: named after the device, dated, "This phone", renamed by their owner."""
import json

import pytest

from backpack.auth.device_names import is_phone, parse_hints, passkey_name
from backpack.extensions import db
from backpack.models import Passkey, Role
from tests.conftest import Actor, csrf_from, new_client
from tests.support.authenticator import SoftPasskey

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"
)
ANDROID_TABLET = "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1"
)
IPHONE_CHROME = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1"
)
IPAD_SAFARI = (
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.6 Mobile/15E148 Safari/604.1"
)
# iPadOS 13 and later ask for desktop pages: Safari says "Macintosh".
MAC_SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"
)
WINDOWS_EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"
)
MAC_FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0"
LINUX_FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
LINUX_CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
SAMSUNG = (
    "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36"
)
CHROMEBOOK = "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"


@pytest.mark.parametrize(
    "agent, name",
    [
        (ANDROID_CHROME, "Android · Chrome"),
        (IPHONE_SAFARI, "iPhone · Safari"),
        (IPHONE_CHROME, "iPhone · Chrome"),
        (IPAD_SAFARI, "iPad · Safari"),
        (WINDOWS_EDGE, "Windows · Edge"),
        (MAC_FIREFOX, "Mac · Firefox"),
        (MAC_SAFARI, "Mac · Safari"),
        (LINUX_FIREFOX, "Linux · Firefox"),
        (LINUX_CHROME, "Linux · Chrome"),
        (SAMSUNG, "Android · Samsung Internet"),
        (CHROMEBOOK, "Chromebook · Chrome"),
        ("curl/8.4.0", "Passkey"),
        ("", "Passkey"),
    ],
)
def test_a_passkey_is_named_after_the_platform_and_browser(agent, name):
    assert passkey_name(agent) == name


def test_the_fallback_name_is_the_callers_words():
    assert passkey_name("curl/8.4.0", {}, fallback="Clave de acceso") == "Clave de acceso"


def test_client_hints_add_the_phone_model_and_tell_an_ipad_from_a_mac():
    hints = {"platform": "Android", "mobile": True, "brands": ["Not_A Brand", "Google Chrome", "Chromium"], "model": "Pixel 7"}
    assert passkey_name(ANDROID_CHROME, hints) == "Android Pixel 7 · Chrome"
    # An iPad asking for desktop pages has a touch screen; a Mac has none.
    assert passkey_name(MAC_SAFARI, {"touch": 5}) == "iPad · Safari"
    assert passkey_name(MAC_SAFARI, {"touch": 0}) == "Mac · Safari"
    # Where the User-Agent says nothing, the hints name the device.
    assert passkey_name("Mozilla/5.0", {"platform": "Windows", "brands": ["Microsoft Edge", "Chromium"]}) == "Windows · Edge"


def test_client_hints_are_the_browsers_word_so_only_known_names_are_used():
    hostile = {"platform": "<script>alert(1)</script>", "brands": ["<b>Evil</b>", 7], "model": "Pixel\u0000 7\n\u202e" + "x" * 200}
    name = passkey_name("Mozilla/5.0 (Linux; Android 14)", hostile)
    assert name.startswith("Android Pixel 7xxx")
    assert "<" not in name and "\u0000" not in name and "\n" not in name and "\u202e" not in name
    assert len(name) <= 80
    assert passkey_name("", {"platform": "<script>", "brands": "Chrome", "touch": True}) == "Passkey"
    assert parse_hints("not json") == {} and parse_hints("[1, 2]") == {} and parse_hints(None) == {}


@pytest.mark.parametrize(
    "agent, hints, phone",
    [
        (ANDROID_CHROME, None, True),
        (IPHONE_SAFARI, None, True),
        (ANDROID_TABLET, None, False),
        (IPAD_SAFARI, None, False),
        (WINDOWS_EDGE, None, False),
        (LINUX_CHROME, {"mobile": True}, True),
        (ANDROID_CHROME, {"mobile": False}, False),
    ],
)
def test_phones_are_told_from_other_devices(agent, hints, phone):
    assert is_phone(agent, hints) is phone


def register_on(actor: Actor, agent: str, hints: dict | None = None):
    """Add a passkey from a device with this browser, as the account page's button does."""
    actor.client.environ_base["HTTP_USER_AGENT"] = agent
    second = SoftPasskey(actor.passkey.origin)
    csrf = actor.csrf("/account/")
    options = actor.post_json("/auth/register/options", {}, csrf).get_json()
    body = {"credential": json.dumps(second.create(options))}
    if hints is not None:
        body["hints"] = json.dumps(hints)
    response = actor.post_json("/auth/register/verify", body, csrf)
    assert response.status_code == 200, response.get_data(as_text=True)
    return db.session.scalars(db.select(Passkey).order_by(Passkey.id.desc())).first()


def test_registration_names_the_passkey_from_the_device(app, signed_in):
    actor = signed_in(Role.LEARNER)
    hints = {"platform": "Android", "mobile": True, "brands": ["Google Chrome"], "model": "Pixel 7"}
    added = register_on(actor, ANDROID_CHROME, hints)
    assert added.name == "Android Pixel 7 · Chrome"
    assert register_on(actor, WINDOWS_EDGE).name == "Windows · Edge"
    # Hints that are not JSON are ignored, not refused: the passkey is the point.
    actor.client.environ_base["HTTP_USER_AGENT"] = IPHONE_SAFARI
    second = SoftPasskey(actor.passkey.origin)
    csrf = actor.csrf("/account/")
    options = actor.post_json("/auth/register/options", {}, csrf).get_json()
    response = actor.post_json(
        "/auth/register/verify", {"credential": json.dumps(second.create(options)), "hints": "{{{"}, csrf
    )
    assert response.status_code == 200
    assert db.session.scalars(db.select(Passkey.name).order_by(Passkey.id.desc())).first() == "iPhone · Safari"


def test_the_account_page_marks_this_phone_and_dates_each_passkey(app, enrol, make_user):
    learner = make_user(Role.LEARNER, "Amina")
    phone = new_client(app)
    phone.environ_base["HTTP_USER_AGENT"] = ANDROID_CHROME
    actor = enrol(learner, phone)
    laptop = Actor(new_client(app), learner)
    laptop.passkey = actor.passkey
    laptop.client.environ_base["HTTP_USER_AGENT"] = WINDOWS_EDGE
    register_on(actor, WINDOWS_EDGE)  # a second passkey, added from the phone's session

    page = actor.client.get("/account/", headers={"User-Agent": ANDROID_CHROME}).get_data(as_text=True)
    items = page.split("data-passkey-item")[1:]
    assert len(items) == 2
    first, second = items
    assert "Android · Chrome" in first and "This phone" in first and "data-this-passkey" in first
    assert "Windows · Edge" in second and "data-this-passkey" not in second
    assert "Added " in first and " at " in first

    # Signed in on the laptop with the first passkey, the same passkey is "This device" there.
    assert laptop.sign_in().status_code == 200
    on_laptop = laptop.client.get("/account/").get_data(as_text=True)
    assert "This device" in on_laptop and "This phone" not in on_laptop


def test_a_passkey_name_is_shown_as_text_with_its_own_direction(app, signed_in):
    actor = signed_in(Role.LEARNER)
    passkey = db.session.scalar(db.select(Passkey))
    csrf = actor.csrf("/account/")
    name = '<img src=x onerror="alert(1)"> هاتفي'
    assert rename(actor, passkey.id, name, csrf).status_code == 302
    page = actor.client.get("/account/").get_data(as_text=True)
    assert '<img src=x onerror' not in page
    assert '<strong dir="auto" data-passkey-name>&lt;img src=x onerror=&#34;alert(1)&#34;&gt; هاتفي</strong>' in page


def rename(actor: Actor, passkey_id: int, name: str, csrf: str | None):
    data = {"name": name}
    if csrf is not None:
        data["csrf_token"] = csrf
    return actor.client.post(f"/account/passkeys/{passkey_id}/rename", data=data)


def test_only_the_owner_renames_a_passkey(app, signed_in):
    owner = signed_in(Role.LEARNER, "Owner")
    passkey_id = db.session.scalar(db.select(Passkey.id).where(Passkey.user_id == owner.user.id))
    for role in (Role.LEARNER, Role.TEACHER, Role.ADMIN):
        other = signed_in(role)
        response = rename(other, passkey_id, "Mine now", other.csrf("/account/"))
        assert response.status_code == 404, role
        assert other.client.get(f"/account/passkeys/{passkey_id}/rename").status_code == 404
    anonymous = new_client(app)
    csrf = csrf_from(anonymous.get("/language").get_data(as_text=True))
    response = anonymous.post(f"/account/passkeys/{passkey_id}/rename", data={"name": "Mine now", "csrf_token": csrf})
    assert response.status_code == 302 and "/signin" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Passkey, passkey_id).name != "Mine now"

    assert rename(owner, passkey_id, "  Work   phone  ", owner.csrf("/account/")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Passkey, passkey_id).name == "Work phone"


def test_rename_needs_the_csrf_token(app, signed_in):
    actor = signed_in(Role.LEARNER)
    passkey = db.session.scalar(db.select(Passkey))
    before = passkey.name
    assert rename(actor, passkey.id, "Work phone", None).status_code == 400
    assert rename(actor, passkey.id, "Work phone", "not-the-token").status_code == 400
    db.session.expire_all()
    assert db.session.get(Passkey, passkey.id).name == before


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "Please give the passkey a name"),
        ("   \n\t ", "Please give the passkey a name"),
        ("x" * 81, "Use 80 letters or fewer."),
    ],
)
def test_rename_refuses_empty_and_long_names_and_says_why(app, signed_in, name, message):
    actor = signed_in(Role.LEARNER)
    passkey = db.session.scalar(db.select(Passkey))
    before = passkey.name
    response = rename(actor, passkey.id, name, actor.csrf("/account/"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page and 'aria-describedby="name-error"' in page
    db.session.expire_all()
    assert db.session.get(Passkey, passkey.id).name == before


def test_a_name_of_exactly_the_longest_length_is_kept(app, signed_in):
    actor = signed_in(Role.LEARNER)
    passkey = db.session.scalar(db.select(Passkey))
    assert rename(actor, passkey.id, "ب" * 80, actor.csrf("/account/")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Passkey, passkey.id).name == "ب" * 80
