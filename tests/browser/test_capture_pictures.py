"""Amina, who reads little, adds evidence from three picture buttons and has the page read to her.

The page opens with three big buttons (a photo, a video, her voice), each an icon over a word,
and a small "Choose a file"; the file inputs behind them are out of sight but still reachable
by keyboard and by name. What she captures shows in her list at once, waiting while the phone
is offline, then sent. Every instruction has a "Read aloud" button that speaks in the page's
language, with a voice for that language; where the phone has none, it says so in words.

Headless Chromium has no voices: the phone's voices are played by a list installed before the
page loads, and speechSynthesis.speak is wrapped to note what would have been said.
"""
import json

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from backpack.models import Role, User
from tests.browser.accessibility import assert_accessible
from tests.browser.phone_photos import noisy_photo
from tests.browser.steps import (
    camera_phone,
    join,
    stored_evidence,
    wait_until_connection,
    wait_until_controlled,
    wait_until_wired,
)

pytestmark = pytest.mark.browser

ABOUT = "Photos, videos and sound recordings that show what you can do. Only you can see them."
NO_VOICE = "Your phone cannot read this language aloud."

# The phone's voices (as speechSynthesis lists them) and a note of every utterance spoken.
VOICES = """
(() => {
  const voices = %s.map(([lang, name, isDefault]) => ({ lang, name, default: isDefault, localService: true, voiceURI: name }));
  window.spoken = [];
  speechSynthesis.getVoices = () => voices;
  window.SpeechSynthesisUtterance = class {
    constructor(text) { this.text = text; this.lang = ""; this.voice = null; }
  };
  speechSynthesis.speak = (utterance) => {
    window.spoken.push({ text: utterance.text, lang: utterance.lang, voice: utterance.voice && utterance.voice.name });
    document.documentElement.dataset.spoken = String(window.spoken.length);
  };
})();
"""

def phone_voices(*voices: tuple[str, str, bool]) -> str:
    return VOICES % json.dumps([list(voice) for voice in voices])


def said(server, language: str, message: str) -> str:
    """The message as the page says it in a language (English until the catalogue has it)."""
    with server.app.test_request_context(), force_locale(language):
        return gettext(message)


def learner_on_the_evidence_page(phones, server, *, language="en", script=None, camera=False):
    phone = camera_phone(phones, server) if camera else phones()
    if script:
        phone.context.add_init_script(script)
    amina = server.make_person(Role.LEARNER, "Amina")
    join(phone, amina)
    with server.database() as session:
        session.get(User, amina.user_id).preferred_language = language
        session.commit()
    phone.open("/evidence")
    wait_until_controlled(phone.page)
    wait_until_wired(phone.page)
    return phone, amina


def test_three_picture_buttons_and_no_raw_file_box(phones, live_server):
    phone, _amina = learner_on_the_evidence_page(phones, live_server, camera=True)
    page = phone.page
    choices = page.locator("[data-capture-tools] .capture-choice:visible")
    expect(choices).to_have_count(3)
    for choice, words in zip(choices.all(), ["Take a photo", "Record a video", "Record my voice"], strict=True):
        expect(choice).to_have_text(words)
        expect(choice.locator("svg.icon")).to_have_count(1)  # a picture with every word
        box = choice.bounding_box()
        assert box["height"] >= 96 and box["width"] >= 80, f"{words}: {box}"
    expect(page.get_by_text("Choose a file")).to_be_visible()

    # No browser "Choose File / No file chosen" box: each file input is out of sight...
    for file_input in page.locator('input[type="file"]').all():
        size = file_input.bounding_box()
        assert size is None or (size["width"] <= 1 and size["height"] <= 1), size
    # ...yet each still has a name and takes the keyboard, with the focus shown on its picture button.
    photo = page.get_by_label("Take a photo")
    assert photo.get_attribute("type") == "file"
    expect(page.get_by_label("Choose a file")).to_have_attribute("type", "file")
    page.locator("#capture-how + .read-aloud button").focus()
    page.keyboard.press("Tab")
    expect(photo).to_be_focused()
    outline = page.locator('label[for="capture-photo"]').evaluate("label => getComputedStyle(label).outlineStyle")
    assert outline == "solid"
    with page.expect_file_chooser() as chooser:
        page.get_by_text("Take a photo", exact=True).click()
    assert chooser.value.element.get_attribute("id") == "capture-photo"

    # Her voice, by keyboard alone: the stop button takes the focus, then gives it back.
    voice = page.get_by_role("button", name="Record my voice")
    voice.focus()
    page.keyboard.press("Enter")
    stop = page.get_by_role("button", name="Stop recording")
    expect(stop).to_be_focused()
    expect(page.locator("[data-voice-duration]")).to_have_text("0:01")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Sound recording ready")).to_be_visible()
    expect(voice).to_be_focused()
    assert_accessible(page, "evidence page, picture buttons")


def test_the_page_fetches_its_recorder_and_voice_only_at_the_first_tap(phones, live_server):
    """A first load within 5 requests (DESIGN section 6): the page, its stylesheet and three modules."""
    phone = phones()
    amina = live_server.make_person(Role.LEARNER, "Amina")
    join(phone, amina)
    page = phone.page
    modules = []
    page.on("request", lambda request: request.url.endswith(".js") and modules.append(request.url.rsplit("/", 1)[-1]))
    page.add_init_script(phone_voices(("en-US", "Samantha", True)))
    phone.open("/evidence")
    wait_until_wired(page)
    assert sorted(modules) == ["app.js", "capture.js", "evidence_queue.js"]

    # Each button answers its first tap, its module fetched then.
    page.get_by_role("button", name="Record my voice").click()
    stop = page.get_by_role("button", name="Stop recording")
    expect(stop).to_be_focused()
    assert "recorder.js" in modules
    stop.click()
    expect(page.get_by_text("Sound recording ready")).to_be_visible()
    page.locator("#evidence-about + .read-aloud").get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("data-spoken", "1")
    assert "read_aloud.js" in modules


def test_what_she_captures_shows_in_her_list_at_once_waiting_then_sent(phones, live_server):
    phone, amina = learner_on_the_evidence_page(phones, live_server)
    page = phone.page
    mine = page.get_by_role("list", name="My evidence")
    expect(page.get_by_text("You have no evidence yet.")).to_be_visible()
    expect(mine).to_be_hidden()

    # Offline: the photo is in the list at once, waiting.
    phone.context.set_offline(True)
    wait_until_connection(page, online=False)
    page.get_by_label("Take a photo").set_input_files(
        files=[{"name": "IMG_0007.jpg", "mimeType": "image/jpeg", "buffer": noisy_photo(800, 600)}]
    )
    expect(page.get_by_text("Photo ready")).to_be_visible()
    page.get_by_label("Title").fill("My first weld")
    page.get_by_role("button", name="Save").click()
    row = mine.get_by_role("listitem").filter(has_text="My first weld")
    expect(row).to_contain_text("Waiting to upload")
    expect(page.get_by_text("You have no evidence yet.")).to_be_hidden()
    expect(row.get_by_role("link")).to_have_count(0)  # nothing to open yet
    assert stored_evidence(live_server, amina.user_id) == []

    # Online again: the same row says it is sent, and opens the stored photo.
    phone.context.set_offline(False)
    wait_until_connection(page, online=True)
    expect(row).to_contain_text("Uploaded")
    [photo] = stored_evidence(live_server, amina.user_id)
    expect(row.get_by_role("link", name="My first weld")).to_have_attribute(
        "href", f"/evidence/{photo.public_id}/media"
    )

    # A file chosen with "Choose a file" goes on top of the list, without the page reloading.
    page.evaluate("window.samePage = true")
    page.get_by_label("Choose a file").set_input_files(
        files=[{"name": "plan.jpg", "mimeType": "image/jpeg", "buffer": noisy_photo(400, 300)}]
    )
    expect(page.get_by_text("File ready")).to_be_visible()
    page.get_by_label("Title").fill("My plan")
    page.get_by_role("button", name="Save").click()
    expect(mine.get_by_role("listitem").first).to_contain_text("My plan")
    expect(mine.get_by_role("listitem").first).to_contain_text("Uploaded")
    assert page.evaluate("window.samePage") is True
    assert [item.title for item in stored_evidence(live_server, amina.user_id)] == ["My first weld", "My plan"]


def test_read_aloud_speaks_the_instruction_with_a_voice_of_the_page_language(phones, live_server):
    voices = phone_voices(("en-US", "Samantha", True), ("ar-SA", "Maged", False))
    phone, _amina = learner_on_the_evidence_page(phones, live_server, language="ar", script=voices)
    page = phone.page
    about = live_server.translate("ar", ABOUT)
    expect(page.locator("#evidence-about")).to_have_text(about)
    page.locator("#evidence-about + .read-aloud").get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("data-spoken", "1")
    assert page.evaluate("window.spoken") == [{"text": about, "lang": "ar-SA", "voice": "Maged"}]
    expect(page.locator("#evidence-about + .read-aloud [role=status]")).to_have_text("")

    # Each instruction has its own button: the reflection question is read on its own.
    question = live_server.translate("ar", "What did you do, and what did you learn?")
    page.locator("form[data-capture] .read-aloud").get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("data-spoken", "2")
    assert page.evaluate("window.spoken[1]") == {"text": question, "lang": "ar-SA", "voice": "Maged"}


def test_without_a_voice_for_the_language_the_page_says_so_instead_of_reading_in_english(phones, live_server):
    voices = phone_voices(("en-US", "Samantha", True), ("fr-FR", "Thomas", False))
    phone, _amina = learner_on_the_evidence_page(phones, live_server, language="ht", script=voices)
    page = phone.page
    button = page.locator("#evidence-about + .read-aloud").get_by_role("button")
    expect(button).to_be_visible()
    button.click()
    status = page.locator("#evidence-about + .read-aloud [role=status]")
    expect(status).to_have_text(said(live_server, "ht", NO_VOICE))
    assert page.evaluate("window.spoken") == []  # not a word in English or French


# The page's language, the phone's voices (language, name, default?), and the voice to read with.
VOICE_CHOICES = [
    ("zh-Hans", [["zh-TW", "Mei-Jia", True], ["zh-CN", "Ting-Ting", False]], "Ting-Ting"),
    ("zh_Hans", [["zh-HK", "Sin-ji", False], ["zh-Hans-CN", "Li-mu", False]], "Li-mu"),
    ("zh-Hans", [["zh-TW", "Mei-Jia", True]], None),
    ("ar", [["en-US", "Samantha", True], ["ar-EG", "Tarik", False]], "Tarik"),
    ("en", [["en-GB", "Daniel", False], ["en-US", "Samantha", True]], "Samantha"),
    ("es", [["es-MX", "Paulina", False], ["es", "Monica", False]], "Monica"),
    ("vi", [["vi_VN", "Linh", False]], "Linh"),
    ("ht", [["fr-FR", "Thomas", True], ["en-US", "Samantha", False]], None),
]


def test_the_voice_chosen_for_each_language(phone, live_server):
    phone.open("/offline")
    page = phone.page
    wait_until_wired(page)
    module = page.locator("script[type=module]").get_attribute("src").replace("/app.js", "/read_aloud.js")
    found = page.evaluate(
        """async ([module, cases]) => {
            const { voiceFor } = await import(module);
            return cases.map(([tag, voices]) => {
                const listed = voices.map(([lang, name, isDefault]) => ({ lang, name, default: isDefault }));
                return voiceFor(tag, listed)?.name ?? null;
            });
        }""",
        [module, [[tag, voices] for tag, voices, _chosen in VOICE_CHOICES]],
    )
    assert found == [chosen for _tag, _voices, chosen in VOICE_CHOICES]
