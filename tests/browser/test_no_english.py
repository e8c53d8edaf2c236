"""A learner who chose Arabic (or Vietnamese) never meets English on her phone.

Her phone's browser is set to English, and her teacher's badges were written in English
(with translations). She opens her invite, makes her passkey, and walks every page a
learner sees: her backpack, a badge, evidence, submissions, collections, sharing, her
account and devices, notifications, importing, the offline page, the language page, error
pages, and the employer's page of her badge. On each, every text a person can see or hear
(text, aria-label, title, alt, placeholder, button values, and the messages scripts show)
is checked against the words of the app's English messages. Words inside an element
marked with its own `lang` (a badge's original words, a language's own name) are the
author's, not the app's, and are left out; so is a short allow-list (the product name,
"Open Badges", URLs).

If this fails only with words of entries the catalogue has not translated yet, the
translators are not done; any other English word is a string the code forgot to translate.
"""
import re
import uuid
from functools import cache

import pytest
from playwright.sync_api import expect

from backpack.auth import invites
from backpack.evidence import capture, submissions
from backpack.extensions import db
from backpack.issuing import achievements, awarding, issuers, status
from backpack.learner import badges, collections, importing
from backpack.models import Classroom, Enrolment, Role, User
from backpack.sharing import links
from tests.browser.accessibility import assert_accessible
from tests.browser.steps import wait_until_wired
from tests.conftest import tiny_png
from tests.evidence import samples
from tests.i18n.test_catalogues import catalogue, strings_in_code, translations_of

pytestmark = pytest.mark.browser

# Not the app's words to translate: names of things, and technical names kept in every language.
ALLOWED_PHRASES = [
    "Backpack", "Open Badges", "OpenID", "LinkedIn", "JSON Web Token", "JSON", "JWT", "PNG", "SVG", "ZIP", "QR",
    "iPhone", "Android", "Chrome", "Chromium", "Linux",
]
URL = re.compile(r"\b(?:https?://|www\.)\S*|\b[\w.-]+@[\w.-]+\.\w+|\blocalhost:\d+\S*")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
# Vietnamese words spelled as English ones are (it is written in Latin letters), loanwords too.
HOMOGRAPHS = {"vi": {"in", "to", "do", "an", "no", "con", "can", "tin", "ban", "hay", "bi", "cho", "the", "lan",
                     "video", "camera", "web", "token"}}
# What the teacher wrote, in the learner's language too (her teacher translated the badges).
BADGES = {
    "ar": {
        "Safe welding": ("لحام آمن", "يلحم بأمان في الورشة.", "لحام وصلة تجتاز الفحص."),
        "Reading forms": ("قراءة النماذج", "يقرأ النماذج ويملؤها.", "املأ نموذج تسجيل في عيادة."),
        "Writing a short e-mail": ("كتابة بريد إلكتروني قصير", "يكتب بريدًا إلكترونيًا قصيرًا ومهذبًا.", "اكتب رسالة إلى المالك عن إصلاح."),
    },
    "vi": {
        "Safe welding": ("Hàn an toàn", "Hàn an toàn trong xưởng.", "Hàn một mối nối đạt kiểm tra."),
        "Reading forms": ("Đọc biểu mẫu", "Đọc và điền biểu mẫu.", "Điền phiếu đăng ký ở phòng khám."),
        "Writing a short e-mail": (
            "Viết thư điện tử ngắn", "Viết một thư điện tử ngắn, lịch sự.", "Viết thư cho chủ nhà về việc sửa chữa."
        ),
    },
}
# What the learner wrote herself, in her own language.
HER_WORDS = {
    "ar": {"name": "أمينة يوسف", "photo": "رسالتي إلى المالك", "reflection": "كتبتها في البيت.", "collection": "لمقابلة العمل",
           "reason": "مُنحت بالخطأ.",
           "imported": ("قيادة آمنة", "يقود بأمان.", "اجتياز اختبار القيادة.")},
    "vi": {"name": "Nguyễn Thị Lan", "photo": "Thư của tôi gửi chủ nhà", "reflection": "Tôi viết ở nhà.",
           "collection": "Cho buổi phỏng vấn", "reason": "Trao nhầm.",
           "imported": ("Lái xe an toàn", "Lái xe an toàn.", "Đậu bài thi lái xe.")},
}
ISSUER = "Riverside"  # a name: no words of the app's in it


def _msgids() -> list[str]:
    """The code's English messages, extracted now as the README says (catalogues may lag behind)."""
    found = []
    for _context, ids in strings_in_code():
        found.extend(ids if isinstance(ids, tuple) else [ids])
    return found


@cache
def english_words() -> frozenset[str]:
    """Every word of the app's English messages, lower-cased."""
    words = set()
    for msgid in _msgids():
        words.update(w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", msgid)) if len(w) > 1)
    return frozenset(words)


def _source_of(text: str) -> str | None:
    """Return the English message a page text comes from, if any: the one that says most of it."""
    text = " ".join(text.split())
    best = (0, None)
    for msgid in _msgids():
        parts = [" ".join(part.split()) for part in PLACEHOLDER.split(msgid)]
        inside = sum(len(part) for part in parts if part and part in text)
        if re.fullmatch(".*?".join(re.escape(part) for part in parts), text):
            score = 1000 + inside
        elif any(len(part) >= 4 and (part in text or text in part) for part in parts):
            score = inside or len(text)  # part of a message (a link in a sentence), or several messages
        else:
            continue
        best = max(best, (score, msgid))
    return best[1]


def why(text: str, language: str) -> str:
    """Say why a text is English: its message is untranslated in the catalogue, or it is no message at all."""
    msgid = _source_of(text)
    if msgid is None:
        return "not a message of the code: English written into a template, script or view"
    entry = catalogue(language).get(msgid)
    if entry is None or not all(translations_of(entry)):
        return f"untranslated in the {language} catalogue: {msgid!r}"
    return f"inside the {language} translation of {msgid!r}"


def english_in(texts: list[str], language: str) -> list[str]:
    """Return the English words found in a page's texts, each with its text and why it is there."""
    vocabulary = english_words() - HOMOGRAPHS.get(language, set())
    found = []
    for text in texts:
        cleaned = URL.sub(" ", text)
        for phrase in ALLOWED_PHRASES:
            cleaned = cleaned.replace(phrase, " ")
        words = [w for w in WORD.findall(cleaned) if w.lower() in vocabulary]
        if words:
            shown = " ".join(text.split())[:90]
            found.append(f"{' '.join(words)}  <- {shown!r} ({why(text, language)})")
    return found


# Every text a person can see or hear on the page, except inside elements marked with another
# language than the page's (the author's own words; lang="" is "unknown", also not ours).
PAGE_TEXTS = """() => {
  const pageLanguage = document.documentElement.lang;
  const ours = (element) => {
    const marked = element.closest("[lang]");
    return marked === null || marked.getAttribute("lang") === pageLanguage;
  };
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    if (!element || element.closest("script, style, template, noscript") || !ours(element)) continue;
    if (walker.currentNode.textContent.trim()) texts.push(walker.currentNode.textContent);
  }
  for (const element of document.body.querySelectorAll("*")) {
    if (!ours(element)) continue;
    for (const attribute of element.attributes) {
      const name = attribute.name;
      if (["aria-label", "title", "alt", "placeholder"].includes(name) || name.startsWith("data-msg")) {
        texts.push(attribute.value);
      }
    }
    if (element.matches("input[type=submit], input[type=button], input[type=reset]")) texts.push(element.value);
  }
  return texts.filter((text) => text && text.trim());
}"""


def _scene(server, language: str) -> dict:
    """A demo-like learner in the language: badges, evidence, a submission, a collection, a share, an import."""
    words = HER_WORDS[language]
    with server.database() as session:
        teacher = User(display_name="Rivera", role=Role.TEACHER.value, preferred_language="es")
        learner = User(display_name=words["name"], role=Role.LEARNER.value, preferred_language=language)
        session.add_all([teacher, learner])
        session.flush()
        classroom = Classroom(name="B1", teacher=teacher)
        session.add_all([classroom, Enrolment(classroom=classroom, learner=learner)])
        school = issuers.create_issuer(ISSUER, members=[teacher], url="https://riverside.example")
        session.flush()
        made = {}
        for english, (name, description, criteria) in BADGES[language].items():
            made[english] = achievements.create_achievement(
                school, by=teacher, name=english, description=f"{english}.", criteria=f"{english}.",
                image_png=tiny_png(), translations={language: {"name": name, "description": description, "criteria": criteria}},
                language="en",
            )
        elsewhere = issuers.create_issuer(ISSUER + " 2", members=[teacher], url="https://elsewhere.example")
        name, description, criteria = words["imported"]
        foreign = achievements.create_achievement(
            elsewhere, by=teacher, name=name, description=description, criteria=criteria, image_png=tiny_png(), language=language
        )
        session.flush()
        award = awarding.award(made["Safe welding"], [learner], by=teacher).created[0]
        foreign_award = awarding.award(foreign, [learner], by=teacher).created[0]
        mistaken = awarding.award(made["Reading forms"], [learner], by=teacher).created[0]
        session.flush()
        status.revoke(mistaken, words["reason"], by=teacher)
        session.commit()
        photo, _new = capture.save_evidence(
            learner, samples.jpeg(), idempotency_key=str(uuid.uuid4()), title=words["photo"], reflection=words["reflection"]
        )
        session.commit()
        submission_badge = made["Writing a short e-mail"]
        submissions.save(learner, submission_badge, evidence_ids=[photo.public_id], reflection=words["reflection"], send=True)
        shelf = collections.create(learner, words["collection"])
        collections.add_award(shelf, award)
        collections.set_shareable(collections.add_evidence(shelf, photo), True)
        share, share_token = links.create(award, owner=learner, expiry="week")
        imported = importing.import_credential(learner, data=badges.baked_png(foreign_award)).credential
        token = invites.issue(learner, created_by=teacher, language=language)
        session.commit()
        return {
            "invite": f"/invite/{token}",
            "award": award.public_id,
            "revoked": mistaken.public_id,
            "submission_badge": submission_badge.public_id,
            "collection": shelf.public_id,
            "share": share.id,
            "share_token": share_token,
            "imported": imported.public_id,
        }


def _learner_pages(ids: dict, passkey_id: int) -> list[str]:
    return [
        "/account/welcome",
        "/",
        f"/my/badges/{ids['award']}",
        f"/my/badges/{ids['revoked']}",
        "/evidence",
        "/my/submissions",
        f"/my/submissions/{ids['submission_badge']}",
        "/my/collections",
        f"/my/collections/{ids['collection']}",
        f"/my/badges/{ids['award']}/share",
        f"/my/shares/{ids['share']}",
        f"/my/shares/{ids['share']}/card",
        "/account/",
        f"/account/passkeys/{passkey_id}/rename",
        "/notifications",
        "/claim",
        "/my/imported/new",
        "/my/imported/shared",  # a share that came before the service worker
        f"/my/imported/{ids['imported']}",
        "/offline",
        "/language",
        "/no-such-page",  # 404
        "/classes",  # 403: a teacher's page
        "/signout",  # 405: sign-out is a POST
        f"/s/{ids['share_token']}",  # the employer's page, opened on her own phone
    ]


def _texts_of(phone, path: str) -> list[str]:
    phone.open(path)
    if not path.startswith("/s/"):  # the employer's page has no scripts
        wait_until_wired(phone.page)
    return phone.page.evaluate(PAGE_TEXTS)


@pytest.mark.parametrize("language", ["ar", "vi"])
def test_a_learner_meets_no_english_anywhere(phones, live_server, language):
    ids = _scene(live_server, language)
    phone = phones(locale="en-US")  # the phone is in English: only her choice may count
    page = phone.page
    english: dict[str, list[str]] = {}

    def check(where: str, texts: list[str]) -> None:
        expect(page.locator("html")).to_have_attribute("lang", language)
        found = english_in(texts, language)
        if found:
            english[where] = found

    # Her invite opens in the language her teacher chose for her.
    phone.open(ids["invite"])
    check("invite page", page.evaluate(PAGE_TEXTS))
    phone.press_passkey_button(live_server.translate(language, "Create my passkey"), lands_on=r"/account/welcome$")
    with live_server.database() as session:
        learner = session.scalar(db.select(User).where(User.display_name == HER_WORDS[language]["name"]))
        passkey_id = learner.passkeys[0].id

    for path in _learner_pages(ids, passkey_id):
        check(path, _texts_of(phone, path))
        assert_accessible(page, f"{path} in {language}")  # WCAG 2.2 AA in her language too

    # A form sent with a stale token: the CSRF error page.
    phone.open("/language")
    page.locator("input[name=csrf_token]").first.evaluate("(input) => { input.value = 'stale'; }")
    page.locator("button[name=language][aria-current=true]").click()
    expect(page.locator("h1")).to_have_text(
        live_server.translate(language, "This form has expired or was sent twice. Please go back, reload and try again.")
    )
    check("CSRF error page", page.evaluate(PAGE_TEXTS))

    # Signed out, the phone still speaks her language: the sign-in and language pages.
    phone.open("/account/")
    wait_until_wired(page)
    page.locator("form[action='/signout'] button").first.click()
    page.wait_for_url(re.compile(r"/signin"))
    check("sign-in page after sign-out", page.evaluate(PAGE_TEXTS))
    check("language page after sign-out", _texts_of(phone, "/language"))
    expect(page.locator("button[aria-current=true]")).to_have_attribute("lang", language)  # her language, marked
    expect(page.get_by_role("heading", level=1)).to_have_count(1)

    report = "\n".join(f"{where}:\n    " + "\n    ".join(found) for where, found in english.items())
    assert not english, f"English words on the {language!r} learner's pages:\n{report}"
