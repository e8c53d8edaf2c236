"""Amina's thumb finds every button: on a small phone, each target is big and apart from the next.

She has a badge, evidence, a draft for a second badge, a collection and a share link, so every
learner page shows its lists and buttons. On a 360 x 740 phone, in English and in Arabic
(right to left), every visible target (link, button, field, summary, label-button) measures at
least 44 x 44 CSS px and lies at least 8 px from every other. Links inside running text
(a link in the words of a paragraph) are exempt, as WCAG 2.5.8 allows.
"""
import uuid

import pytest

from backpack.evidence import capture, submissions
from backpack.extensions import db
from backpack.issuing.achievements import create_achievement
from backpack.learner import collections
from backpack.models import Award, Role, User
from backpack.sharing import links
from tests.browser.steps import join, start_class, wait_until_wired
from tests.browser.test_sharing import as_the_server, give_badge
from tests.conftest import tiny_png
from tests.evidence import samples

pytestmark = pytest.mark.browser

SMALL_PHONE = {"viewport": {"width": 360, "height": 740}, "screen": {"width": 360, "height": 740}}
MIN_SIZE = 44
MIN_GAP = 8

# Each visible target's box, or [] if it is exempt: the page measures itself.
MEASURE = """() => {
  const describe = (el) => {
    const words = (el.innerText || el.value || el.getAttribute("aria-label") || el.name || "").trim().replace(/\\s+/g, " ");
    const id = el.id ? "#" + el.id : "";
    return `<${el.tagName.toLowerCase()}${id}> "${words.slice(0, 40)}"`;
  };
  const shown = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
  // A link in the words of a paragraph: sized by the text around it (WCAG 2.5.8, inline).
  const inText = (el) => {
    if (el.tagName !== "A" || el.classList.contains("button") || el.querySelector("svg")) return false;
    const paragraph = el.closest("p");
    return Boolean(paragraph) && paragraph.textContent.trim() !== el.textContent.trim();
  };
  const box = (rects) => {
    const left = Math.min(...rects.map((r) => r.left)), top = Math.min(...rects.map((r) => r.top));
    const right = Math.max(...rects.map((r) => r.right)), bottom = Math.max(...rects.map((r) => r.bottom));
    return { left, top, right, bottom, width: right - left, height: bottom - top };
  };
  const targets = [];
  const seen = new Set();
  const add = (el, parts) => {
    if (seen.has(el)) return;
    seen.add(el);
    targets.push({ el, what: describe(el), ...box(parts.map((part) => part.getBoundingClientRect())) });
  };
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], audio[controls], video[controls]";
  for (const el of document.querySelectorAll(selector)) {
    if (!shown(el) || inText(el)) continue;
    const rect = el.getBoundingClientRect();
    if (rect.bottom <= 0) continue; // the skip link waits above the page until it is focused
    const labels = [...(el.labels || [])].filter(shown);
    if (el.tagName === "INPUT" && ["checkbox", "radio", "file"].includes(el.type) && labels.length) {
      // The label is the target (a choice, or a picture button); a hidden input adds nothing.
      const parts = rect.width > 1 && rect.height > 1 ? [el, ...labels] : labels;
      labels.forEach((label) => seen.add(label));
      add(el, parts);
      continue;
    }
    if (rect.width <= 1 || rect.height <= 1) continue;
    add(el, [el]);
  }
  const problems = [];
  for (const t of targets) {
    if (t.width < 44 - 0.5 || t.height < 44 - 0.5) {
      problems.push(`${t.what} is ${Math.round(t.width)} x ${Math.round(t.height)} px`);
    }
  }
  for (let i = 0; i < targets.length; i++) {
    for (let j = i + 1; j < targets.length; j++) {
      const a = targets[i], b = targets[j];
      if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
      const dx = Math.max(0, b.left - a.right, a.left - b.right);
      const dy = Math.max(0, b.top - a.bottom, a.top - b.bottom);
      const gap = Math.hypot(dx, dy);
      if (gap < 8 - 0.5) problems.push(`${a.what} and ${b.what} are ${gap.toFixed(1)} px apart`);
    }
  }
  return { count: targets.length, problems };
}"""


def set_the_scene(server, teacher, learner) -> dict[str, str]:
    """Give the learner something on every page; return the paths of the pages to measure."""
    award_id = give_badge(server, teacher, learner)
    start_class(server, teacher, [learner])
    with as_the_server(server) as session:
        teacher_user = session.get(User, teacher.user_id)
        holder = session.get(User, learner.user_id)
        held = session.scalar(db.select(Award).where(Award.public_id == award_id))
        issuer = held.achievement.issuer
        second = create_achievement(
            issuer,
            by=teacher_user,
            name="Pallet wrapping",
            description="Wraps a pallet tight and safe.",
            criteria="Wrap a pallet in front of the supervisor.",
            image_png=tiny_png(),
        )
        photo, _created = capture.save_evidence(
            holder, samples.jpeg(), idempotency_key=str(uuid.uuid4()), title="My stacked pallet"
        )
        capture.save_evidence(holder, samples.jpeg(), idempotency_key=str(uuid.uuid4()), title="The wrap")
        session.flush()
        submissions.save(holder, second, evidence_ids=[photo.public_id], reflection="I wrapped it.", send=False)
        showcase = collections.create(holder, "For my job interview")
        session.flush()
        collections.add_award(showcase, held)
        collections.add_evidence(showcase, photo)
        link, _token = links.create(showcase, owner=holder, expiry="week")
        badge_link, _token = links.create(held, owner=holder, expiry="week")
        session.commit()
        return {
            "backpack home": "/",
            "badge page": f"/my/badges/{award_id}",
            "badge share page": f"/my/badges/{award_id}/share",
            "share link": f"/my/shares/{badge_link.id}",
            "printable card": f"/my/shares/{badge_link.id}/card",
            "evidence page": "/evidence",
            "submissions": "/my/submissions",
            "a submission": f"/my/submissions/{second.public_id}",
            "collections": "/my/collections",
            "a collection": f"/my/collections/{showcase.public_id}",
            "collection share page": f"/my/collections/{showcase.public_id}/share",
            "deleting a collection": f"/my/collections/{showcase.public_id}/delete",
            "claiming a badge": "/claim",
            "welcome": "/account/welcome",
            "account": "/account/",
            "devices": "/notifications",
            "import": "/my/imported/new",
            "choose language": "/language",
        }


def set_language(server, person, code: str) -> None:
    with server.database() as session:
        session.get(User, person.user_id).preferred_language = code
        session.commit()


@pytest.mark.parametrize("language, direction", [("en", "ltr"), ("ar", "rtl")])
def test_every_target_on_every_learner_page_is_big_enough_and_apart(phones, live_server, language, direction):
    phone = phones(**SMALL_PHONE)
    amina = live_server.make_person(Role.LEARNER, "Amina Diallo")
    teacher = live_server.make_person(Role.TEACHER, "Ms Haddad")
    join(phone, amina)
    pages = set_the_scene(live_server, teacher, amina)
    set_language(live_server, amina, language)

    offenders = []
    for name, path in pages.items():
        response = phone.open(path)
        if response.status != 200:
            offenders.append(f"{name} ({path}) answered {response.status}")
            continue
        page = phone.page
        wait_until_wired(page)
        assert page.evaluate("document.documentElement.dir") == direction
        measured = page.evaluate(MEASURE)
        assert measured["count"] > 0, f"no targets found on {name}"
        offenders += [f"{name} ({path}): {problem}" for problem in measured["problems"]]
    assert not offenders, f"{len(offenders)} small or crowded targets in {language}:\n" + "\n".join(offenders)


@pytest.mark.parametrize("language, transform", [("en", "none"), ("ar", "matrix(-1, 0, 0, 1, 0, 0)")])
def test_the_back_arrow_points_back_in_both_directions(phones, live_server, language, transform):
    """In Arabic "back" is to the right: the chevron turns round; icons that do not point stay as drawn."""
    phone = phones(**SMALL_PHONE)
    amina = live_server.make_person(Role.LEARNER, "Amina Diallo")
    join(phone, amina)
    award_id = give_badge(live_server, live_server.make_person(Role.TEACHER, "Ms Haddad"), amina)
    set_language(live_server, amina, language)
    phone.open(f"/my/badges/{award_id}")
    page = phone.page
    back = page.locator("main a[href='/'] svg.icon-back")
    assert back.evaluate("icon => getComputedStyle(icon).transform") == transform
    badge = page.locator("header svg.icon-badge").first
    assert badge.evaluate("icon => getComputedStyle(icon).transform") == "none"
