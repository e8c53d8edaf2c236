"""Amina's badge from another college: a status list that is replayed, swapped or not the issuer's
is refused, and her page says plainly that revocation could not be checked, never that it is genuine.

Our own employer page reads revocation from the database, so the refusals show where a status
list fetched over the network is judged: a badge imported from an issuer on another origin. That
issuer's credential and lists are signed at test time with the app's own signing code and a key
of their own, and served by a tiny site on 127.0.0.1 (IMPORT_ALLOW_LOCAL_URLS lets the app fetch
from loopback). After the issuer revokes the badge, whatever that address serves is swapped for
a list whose bit is clear; if the verifier believed any of them, the page would say "Genuine".
Only the issuer's real, current list speaks, and it says "Revoked".
"""
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from backpack.credentials import keys, openbadge, proof, status_list
from backpack.models import Role, User
from tests.browser.steps import join, wait_until_wired
from tests.learner.imports import start_issuer_site

pytestmark = pytest.mark.browser

BADGE = "Forklift safety"
LIST_PATH = "/status/revocation-1"
INDEX = 41
COULD_NOT_CHECK = "Could not check revocation"


def moment(offset: timedelta) -> str:
    return (datetime.now(UTC) + offset).strftime("%Y-%m-%dT%H:%M:%SZ")


class OtherCollege:
    """An issuer on another origin: its key, its signed badge for Amina, and its status lists."""

    def __init__(self, site):
        self.site = site
        self.key = keys.generate_key()
        self.list_url = site.base + LIST_PATH

    def badge(self) -> dict:
        unsigned = openbadge.build_credential(
            issuer=openbadge.Issuer(id=self.key.did, name="Harbour College", url="https://harbour.example"),
            achievement=openbadge.Achievement(
                id="https://harbour.example/achievements/forklift",
                name=BADGE,
                description="Drives a forklift safely.",
                criteria="A practical test on the yard.",
                image="https://harbour.example/badges/forklift.png",
            ),
            valid_from=moment(-timedelta(days=30)),
            subject_id="did:example:amina",
            status=status_list.build_status_entry(list_url=self.list_url, index=INDEX),
        )
        return proof.sign(unsigned, self.key, self.key.verification_method)

    def revocation_list(self, *, revoked=False, url=None, key=None, issuer=None, purpose=status_list.REVOCATION,
                        valid_from=timedelta(hours=-1), valid_until=timedelta(hours=23)) -> dict:
        """A signed list, by default this issuer's, for its own address, fresh and with Amina's bit clear.

        valid_from and valid_until are offsets from now: the college re-signs its list daily.
        """
        key = key or self.key
        bits = status_list.StatusList()
        bits.set(INDEX, revoked)
        unsigned = status_list.build_status_list_credential(
            list_url=url or self.list_url,
            issuer_id=issuer or key.did,
            status_list=bits,
            valid_from=moment(valid_from),
            valid_until=moment(valid_until),
            ttl_ms=24 * 3600 * 1000,
            purpose=purpose,
        )
        return proof.sign(unsigned, key, key.verification_method)

    def serve(self, document: dict | None) -> None:
        """Put a document at the address the badge names for its status list (None: answer 404)."""
        if document is None:
            self.site.pages.pop(LIST_PATH, None)
        else:
            self.site.serve(LIST_PATH, document)


@pytest.fixture
def college(live_server, monkeypatch):
    monkeypatch.setitem(live_server.app.config, "IMPORT_ALLOW_LOCAL_URLS", True)
    site = start_issuer_site()
    yield OtherCollege(site)
    site.stop()


def test_a_replayed_swapped_or_foreign_status_list_never_makes_a_revoked_badge_genuine(
    live_server, phones, college
):
    amina = live_server.make_person(Role.LEARNER, "Amina Diallo")
    phone = phones()
    page = phone.page
    join(phone, amina)
    verdict = page.locator("[data-verdict]")
    heading = page.locator("#imported-verdict")
    failed = page.locator("[data-verification] li.failed")

    # Control: the college's fresh list, Amina's bit clear. She pastes the badge; it is genuine.
    saved_copy = college.revocation_list(valid_from=timedelta(days=-2), valid_until=timedelta(days=-1))
    college.serve(college.revocation_list())
    phone.open("/my/imported/new")
    page.get_by_label("Or paste the badge (JSON or JWT)").fill(json.dumps(college.badge()))
    page.get_by_role("button", name="Add the badge").click()
    page.wait_for_url(re.compile(r"/my/imported/[\w-]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(BADGE)
    expect(verdict).to_have_attribute("data-verdict", "valid")
    expect(heading).to_have_text("Genuine badge")
    expect(failed).to_have_count(0)

    # The college revokes the badge; its real list now has the bit set. Each list below is served
    # at the badge's list address instead, each with the bit clear.
    stranger = keys.generate_key()
    unsigned = college.revocation_list()
    del unsigned["proof"]
    swapped = [
        ("a copy saved before the revocation, whose validUntil has lapsed",
         saved_copy, "The issuer's revocation list is out of date."),
        ("the college's own fresh list for another address",
         college.revocation_list(url=college.site.base + "/status/revocation-2"),
         "The revocation list is for a different address than the one the credential names."),
        ("a fresh list for this address, by another issuer",
         college.revocation_list(key=stranger),
         "The revocation list was not published by the credential's issuer."),
        ("a list naming the college but signed with another key",
         college.revocation_list(key=stranger, issuer=college.key.did),
         "The revocation list was not signed with the issuer's own key."),
        ("an unsigned copy of the college's list", unsigned, "The issuer's revocation list is not correctly signed."),
        ("nothing at the address (the site answers 404)", None,
         "The issuer's revocation list could not be fetched."),
    ]
    for case, served, reason in swapped:
        college.serve(served)
        check_again(page, "Check again")
        expect(failed, case).to_have_count(1)
        expect(failed, case).to_have_text([reason])
        expect(verdict, case).to_have_attribute("data-verdict", "unknown-status")
        expect(heading, case).to_have_text(COULD_NOT_CHECK)
        expect(page.locator("#main"), case).not_to_contain_text("Genuine badge")

    # Amina reads Spanish: a list for another purpose is refused, and the page says so in Spanish.
    with live_server.database() as session:
        session.get(User, amina.user_id).preferred_language = "es"
        session.commit()
    page.reload()

    def es(message: str) -> str:
        return live_server.translate("es", message)

    college.serve(college.revocation_list(purpose="suspension"))
    check_again(page, es("Check again"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(failed).to_have_text([es("The issuer's list is for a different purpose, not for revocation.")])
    expect(verdict).to_have_attribute("data-verdict", "unknown-status")
    expect(heading).to_have_text(es(COULD_NOT_CHECK))
    expect(verdict).to_contain_text(
        es("The signature is genuine, but we could not check whether the issuer revoked it. Try again later.")
    )
    expect(page.locator("#main")).not_to_contain_text(es("Genuine badge"))

    # The college's real, current list: the badge is revoked, and the page says so.
    college.serve(college.revocation_list(revoked=True))
    check_again(page, es("Check again"))
    expect(failed).to_have_text([es("The issuer has revoked this credential.")])
    expect(verdict).to_have_attribute("data-verdict", "revoked")
    expect(heading).to_have_text(es("Revoked"))
    live_server.check_no_errors()


def check_again(page, button: str) -> None:
    """Press "Check again" and wait for the page it brings back (the server checks the badge anew)."""
    wait_until_wired(page)
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    expect(page.get_by_role("status")).to_be_visible()
