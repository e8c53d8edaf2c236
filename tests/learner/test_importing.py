"""Importing badges earned elsewhere: every format kept as received, checked, and refused
with a plain reason only when there is no badge at all."""
import json

import pytest

from backpack.extensions import db
from backpack.issuing import status
from backpack.learner import importing
from backpack.learner.badge_reading import ImportRefused
from backpack.models import ImportedCredential, StatusList
from backpack.web import outbound
from tests.conftest import tiny_png
from tests.learner.imports import (
    baked,
    elsewhere_award,
    png_with_ob2,
    tampered,
)


@pytest.fixture
def award(app, make_user, make_issuer, make_achievement):
    return elsewhere_award(make_user, make_issuer, make_achievement)


def kept(holder) -> list[ImportedCredential]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(ImportedCredential).filter_by(owner_id=holder.id)))


def reasons(imported) -> list[str]:
    return [item["reason"] for item in imported.reasons if not item["passed"]]


def test_an_open_badges_3_credential_from_another_issuer_is_valid(award, holder):
    data = award.credential_json.encode()
    outcome = importing.import_credential(holder, data=data)
    db.session.commit()

    found = outcome.credential
    assert outcome.created
    assert (found.status, found.format, found.source) == ("valid", "ob3", "json")
    assert (found.name, found.issuer_name) == ("Forklift safety", "Harbour College")
    assert found.issued_at is not None
    assert found.raw == data
    assert importing.result_of(found).valid


def test_the_same_badge_baked_in_png_and_svg_is_one_row(award, holder):
    files = baked(award)
    first = importing.import_credential(holder, data=files["png"])
    db.session.commit()
    assert (first.created, first.credential.source, first.credential.status) == (True, "png", "valid")
    assert first.credential.raw == files["png"]
    assert first.credential.image.startswith("data:image/png;base64,")

    for kind in ("svg", "json", "png"):
        again = importing.import_credential(holder, data=files[kind])
        assert not again.created
        assert again.credential.id == first.credential.id
    assert len(kept(holder)) == 1

    # Read alone, the SVG gives the same verdict.
    other = importing.import_credential(award.learner, data=files["svg"])
    assert (other.credential.source, other.credential.status) == ("svg", "valid")


def test_a_tampered_credential_is_kept_and_shown_not_genuine(award, holder):
    outcome = importing.import_credential(holder, data=tampered(award))
    db.session.commit()

    assert outcome.created
    assert outcome.credential.status == "invalid"
    assert outcome.credential.name == "Crane operator"
    assert any("signature" in reason.lower() or "changed" in reason.lower() for reason in reasons(outcome.credential))


def test_a_revoked_credential_shows_revoked_and_a_recheck_sees_a_later_revocation(award, holder):
    outcome = importing.import_credential(holder, data=award.credential_json.encode())
    db.session.commit()
    assert outcome.credential.status == "valid"

    status.revoke(award, "Issued by mistake", by=None)
    db.session.commit()
    assert importing.recheck(outcome.credential).status == "revoked"
    db.session.commit()
    assert kept(holder)[0].status == "revoked"
    assert "The issuer has revoked this credential." in reasons(kept(holder)[0])


def test_a_status_list_published_elsewhere_is_fetched_and_its_failure_does_not_stop_the_import(app, award, holder, client):
    status.revoke(award, "Issued by mistake", by=None)
    db.session.commit()
    # Pretend the issuer is another server: the status list is not in our database.
    served = client.get(f"/status/{award.status_list.public_id}").get_data()
    db.session.execute(db.update(StatusList).values(url="https://elsewhere.example/status/1"))
    db.session.commit()

    def failing(url):
        raise OSError("no route")

    unknown = importing.import_credential(holder, data=award.credential_json.encode(), fetch=failing)
    db.session.commit()
    assert unknown.credential.status == "unknown-status"
    assert "The issuer's revocation list could not be fetched." in reasons(unknown.credential)

    def serving(url):
        return outbound.Fetched(url, 200, "application/json", served)

    assert importing.recheck(unknown.credential, fetch=serving).status == "revoked"


def test_an_open_badges_2_hosted_assertion_by_url_and_pasted(site, holder):
    assertion = site.hosted_badge()
    by_url = importing.import_credential(holder, url=assertion["id"])
    db.session.commit()
    found = by_url.credential
    assert (found.status, found.format, found.source) == ("valid", "ob2", "url")
    assert (found.name, found.issuer_name) == ("First aid at work", "Lakeside Training Centre")
    assert found.source_url == assertion["id"]
    assert "/badge.png" not in site.requests  # remote images are never fetched

    pasted = importing.import_credential(holder, data=json.dumps(assertion).encode())
    assert not pasted.created

    baked_url = importing.import_credential(holder, data=png_with_ob2(tiny_png(), assertion["id"]))
    assert not baked_url.created


def test_an_open_badges_2_assertion_that_differs_from_the_issuers_copy_is_not_genuine(site, holder):
    assertion = site.hosted_badge(2)
    changed = dict(assertion, issuedOn="2020-01-01T00:00:00+00:00")
    outcome = importing.import_credential(holder, data=json.dumps(changed).encode())
    assert outcome.credential.status == "invalid"
    assert "The issuer's copy of this badge is different from this one." in reasons(outcome.credential)


def test_an_open_badges_2_assertion_gone_with_410_is_revoked(site, holder):
    assertion = site.hosted_badge(3)
    site.serve("/assertions/3.json", {"error": "revoked"}, status=410)
    outcome = importing.import_credential(holder, data=json.dumps(assertion).encode())
    assert outcome.credential.status == "revoked"


def test_a_signed_open_badges_2_assertion_whose_key_cannot_be_found_is_kept_but_not_checked(holder):
    import base64

    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    payload = {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "urn:uuid:1",
               "badge": {"name": "Signed badge", "issuer": {"name": "Somewhere"}},
               "verification": {"type": "signed", "creator": "https://example.org/key"}}
    jws = f"{part({'alg': 'RS256'})}.{part(payload)}.c2lnbmF0dXJl"
    outcome = importing.import_credential(holder, data=png_with_ob2(tiny_png(), jws))
    assert (outcome.credential.status, outcome.credential.name) == ("not-checked", "Signed badge")
    assert "The badge's issuer has no address, so its key cannot be found." in reasons(outcome.credential)


NOT_A_BADGE = "This file does not contain a badge."
NOT_JSON = "This text is not valid JSON, so it cannot be a badge."


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<!DOCTYPE html><html><body><p>Hello</p></body></html>", NOT_A_BADGE),
        (tiny_png(), NOT_A_BADGE),
        (b'[{"type": "Assertion"}]', NOT_A_BADGE),
        (b'{"type": "Person", "name": "Not a badge"}', NOT_A_BADGE),
        (b'{"type": "Assertion", ', NOT_JSON),
        (b'{"a": 1, "a": 2}', NOT_JSON),
        (b'{"a": NaN}', NOT_JSON),
        (b"[" * 100_000 + b"]" * 100_000, NOT_JSON),
        (b'{"a": ' * 100 + b"1" + b"}" * 100, NOT_A_BADGE),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", NOT_A_BADGE),
        (b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', NOT_A_BADGE),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, NOT_A_BADGE),
        (b"\0" * (3 * 1024 * 1024), "This is too large to be a badge. A badge file is at most 2 MB."),
        (b"", "Choose a badge file, paste a badge, or give its address."),
        (b"\xff\xfe\x00{", NOT_JSON),
    ],
    ids=["html", "png-without-badge", "json-array", "json-not-badge", "malformed-json", "duplicate-keys",
         "nan", "deep-array", "deep-object", "svg-without-badge", "svg-entities", "broken-png", "3mb", "nothing", "not-utf8"],
)
def test_input_without_a_badge_is_refused_with_a_plain_reason(holder, data, message):
    with pytest.raises(ImportRefused) as refused:
        importing.import_credential(holder, data=data)
    assert str(refused.value.message) == message
    assert kept(holder) == []


REFUSED_URL = "We only fetch badges from public addresses that start with https://."


@pytest.mark.parametrize(
    "url, message, allow_local",
    [
        ("https://10.0.0.1/badge.json", REFUSED_URL, False),
        ("https://10.0.0.1/badge.json", REFUSED_URL, True),
        ("http://93.184.216.34/badge.json", REFUSED_URL, False),
        ("https://127.0.0.1/badge.json", REFUSED_URL, False),
        ("ftp://example.org/badge.json", REFUSED_URL, False),
        ("https://user:secret@93.184.216.34/", REFUSED_URL, False),
    ],
)
def test_urls_outside_the_public_internet_are_refused_before_any_call(app, holder, url, message, allow_local):
    app.config["IMPORT_ALLOW_LOCAL_URLS"] = allow_local
    with pytest.raises(ImportRefused) as refused:
        importing.import_credential(holder, url=url)
    assert str(refused.value.message) == message
    assert kept(holder) == []


def test_a_url_answering_404_is_refused(site, holder):
    with pytest.raises(ImportRefused) as refused:
        importing.import_credential(holder, url=f"{site.base}/missing.json")
    assert str(refused.value.message) == "This address did not give us a badge (the website answered 404)."
    assert kept(holder) == []


def test_a_url_answering_too_much_is_refused(site, holder):
    site.serve("/huge.json", b" " * (3 * 1024 * 1024))
    with pytest.raises(ImportRefused) as refused:
        importing.import_credential(holder, url=f"{site.base}/huge.json")
    assert "too large" in str(refused.value.message)


def test_redirects_are_followed_only_to_addresses_the_guard_allows(site, holder):
    assertion = site.hosted_badge(4)
    moved = site.redirect("/old/4.json", "/assertions/4.json")
    assert importing.import_credential(holder, url=moved).credential.status == "valid"

    inside = site.redirect("/sneaky.json", "https://10.0.0.1/badge.json")
    with pytest.raises(ImportRefused) as refused:
        importing.import_credential(holder, url=inside)
    assert str(refused.value.message) == REFUSED_URL
    assert [found.source_url for found in kept(holder)] == [moved]
    assert assertion["id"] != moved
