"""Mr Osei awards a badge to his whole evening class of 60 from his phone.

The award runs as a job in the worker thread; his phone shows a progress bar that moves by
itself (the page polls a small JSON) and then the outcome, and nobody gets the badge twice.
"""
import re
import time

import pytest
from playwright.sync_api import expect

from backpack.extensions import db
from backpack.issuing import award_jobs, awarding
from backpack.issuing.achievements import create_achievement
from backpack.issuing.issuers import create_issuer
from backpack.models import Achievement, Award, AwardJob, Classroom, Enrolment, Role, User
from tests.browser.accessibility import assert_accessible
from tests.browser.steps import join
from tests.conftest import tiny_png

pytestmark = pytest.mark.browser

BADGE = "Evening class B2"


def test_a_big_class_award_shows_its_progress_and_ends_awarded(phone, live_server, monkeypatch):
    osei = live_server.make_person(Role.TEACHER, "Mr Osei")
    with live_server.database() as session:
        teacher = session.get(User, osei.user_id)
        classroom = Classroom(name="Evening B2 (all)", teacher=teacher)
        learners = [User(display_name=f"Evening learner {n}", role=Role.LEARNER.value) for n in range(60)]
        session.add_all([classroom, *learners, *(Enrolment(classroom=classroom, learner=learner) for learner in learners)])
        issuer = create_issuer("Osei Evening School", members=[teacher], url="https://osei.example")
        badge = create_achievement(
            issuer, by=teacher, name=BADGE, description="Takes part in class.", criteria="Attend the term.", image_png=tiny_png()
        )
        session.commit()
        badge_id, classroom_id = badge.id, classroom.id

    join(phone, osei)
    # Batches of 10 that take a moment each, so the page is seen moving (the worker thread runs them).
    monkeypatch.setattr(award_jobs, "BATCH", 10)
    real_award = awarding.award

    def slow_award(*args, **kwargs):
        time.sleep(0.4)
        return real_award(*args, **kwargs)

    monkeypatch.setattr(awarding, "award", slow_award)
    phone.open(f"/badges/{badge_id}")
    page = phone.page
    page.get_by_label("Or a whole class").select_option(str(classroom_id))
    page.get_by_role("button", name="Award badge").click()

    expect(page).to_have_url(re.compile(r"/award-jobs/\d+$"))
    expect(page.locator("progress")).to_be_visible()
    expect(page.locator("html[data-wired]")).to_have_count(1)
    assert page.locator("[data-award-progress]").get_attribute("data-state") in ("queued", "running")
    shown = int(page.locator("progress").get_attribute("value"))
    assert shown < 60
    # The bar moves (the module polls the JSON; with JavaScript on, the <noscript> refresh is off),
    # then the page shows the outcome.
    page.wait_for_function("(shown) => document.querySelector('progress').value > shown", arg=shown)
    expect(page.get_by_text("Badge awarded to 60 learners.")).to_be_visible(timeout=20_000)
    expect(page.locator("progress")).to_have_attribute("value", "60")
    assert page.locator("[data-award-retry]").count() == 0
    assert_accessible(page, "award job, done")

    with live_server.database() as session:
        held = session.scalar(
            db.select(db.func.count(Award.id)).join(Achievement).where(Achievement.name == BADGE)
        )
        jobs = session.scalar(db.select(db.func.count(AwardJob.id)).join(Achievement).where(Achievement.name == BADGE))
    assert (held, jobs) == (60, 1)
