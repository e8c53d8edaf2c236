"""The demo served on another port: an employer's phone, at http://localhost:PORT, sees every badge's truth.

Before issue 18, a demo on any port but 5000 signed its status lists with port 5000, and every
badge's page read "Could not check revocation". Here the demo is served on the port a real
server picked, with the origin scripts/demo.sh sets from PORT; each learner shares each badge
as the "Share" page does, and the employer opens every link: genuine ones say so, the revoked
one says revoked, and none says revocation could not be checked. The invite links the demo
prints open at that port too.
"""
import pytest
from playwright.sync_api import expect

from backpack.auth import invites
from backpack.extensions import db
from backpack.models import Award
from backpack.sharing import links
from tests.support.demo_server import serving_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(tmp_path):
    with serving_demo(tmp_path, host="localhost") as running:
        yield running


def share_every_award() -> list[tuple[str, bool]]:
    """Each learner makes a week-long link for each of their badges; return (link, revoked) per award."""
    shared = []
    for award in db.session.scalars(db.select(Award).order_by(Award.id)):
        _link, token = links.create(award, owner=award.learner, expiry="week")
        shared.append((links.url_of(token), award.revoked_at is not None))
    db.session.commit()
    return shared


def test_an_employer_sees_every_demo_badge_genuine_or_revoked_at_its_port(demo, chromium, playwright_driver):
    assert demo.origin == f"http://localhost:{demo.port}"
    shared = share_every_award()
    assert all(url.startswith(demo.origin + "/s/") for url, _revoked in shared)
    assert [revoked for _url, revoked in shared].count(True) == 1, "the demo has one revoked award"

    employer = chromium.new_context(**playwright_driver.devices["Pixel 7"], locale="en-US")
    try:
        page = employer.new_page()
        for url, revoked in shared:
            assert page.goto(url).status == 200
            verdict = page.locator("[data-verdict]")
            if revoked:
                expect(verdict).to_have_attribute("data-verdict", "revoked")
                expect(page.get_by_role("heading", level=1)).to_have_text("Revoked")
            else:
                expect(verdict).to_have_attribute("data-verdict", "valid")
                expect(page.get_by_role("heading", level=1)).to_have_text("Genuine badge")
            expect(page.locator("body")).not_to_contain_text("could not check", ignore_case=True)
            # Another verifier would fetch the status list the credential names: it is at this port.
            credential = page.goto(url + "/credential.json").json()
            list_url = credential["credentialStatus"]["statusListCredential"]
            assert list_url.startswith(demo.origin + "/status/")
            served = page.goto(list_url)
            assert served.status == 200 and served.json()["id"] == list_url
        # The invite links `flask demo` prints name this port too, and open there.
        assert all(invites.link(token).startswith(demo.origin + "/invite/") for _label, token in demo.tokens)
        invite = invites.link(dict(demo.tokens)["Teacher"])
        assert page.goto(invite).status == 200
        expect(page.get_by_role("button", name="Create my passkey")).to_be_visible()
    finally:
        employer.close()
    assert not demo.errors, f"the demo server raised: {demo.errors!r}"
