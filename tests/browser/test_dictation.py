"""Amina dictates her reflection where her phone's browser can turn speech into text.

Headless Chromium cannot recognise speech, so the phone's recogniser is played by a
stand-in that "hears" one sentence; where the browser has no recogniser, no button shows.
"""
import pytest
from playwright.sync_api import expect

from backpack.models import Role
from tests.browser.steps import join, wait_until_wired

pytestmark = pytest.mark.browser

NO_RECOGNITION = "delete window.SpeechRecognition; delete window.webkitSpeechRecognition;"
# A recogniser that hears one sentence, and remembers which language it was asked for.
HEARS_A_SENTENCE = """
window.SpeechRecognition = class extends EventTarget {
  start() {
    window.dictatedIn = this.lang;
    setTimeout(() => {
      const heard = Object.assign(new Event("result"), { results: [[{ transcript: "I cut the tiles myself" }]] });
      this.dispatchEvent(heard);
      this.dispatchEvent(new Event("end"));
    }, 50);
  }
  stop() { this.dispatchEvent(new Event("end")); }
};
"""


def open_capture_page(phones, live_server, script: str):
    phone = phones()
    phone.context.add_init_script(script)
    join(phone, live_server.make_person(Role.LEARNER, "Amina"))
    phone.open("/evidence")
    wait_until_wired(phone.page)
    return phone.page


def test_the_dictate_button_stays_hidden_without_speech_recognition(phones, live_server):
    page = open_capture_page(phones, live_server, NO_RECOGNITION)
    assert page.evaluate("typeof (window.SpeechRecognition || window.webkitSpeechRecognition)") == "undefined"
    expect(page.get_by_label("What did you do, and what did you learn?")).to_be_visible()
    expect(page.locator("[data-dictate]")).to_be_hidden()
    expect(page.get_by_role("button", name="Dictate")).to_have_count(0)


def test_dictation_appends_what_was_heard_in_the_page_language(phones, live_server):
    page = open_capture_page(phones, live_server, HEARS_A_SENTENCE)
    reflection = page.get_by_label("What did you do, and what did you learn?")
    reflection.fill("First the corner.")
    page.get_by_role("button", name="Dictate").click()
    expect(reflection).to_have_value("First the corner. I cut the tiles myself")
    expect(page.get_by_role("button", name="Dictate")).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("window.dictatedIn") == page.evaluate("document.documentElement.lang") == "en"
