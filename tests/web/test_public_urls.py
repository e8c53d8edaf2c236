"""Every URL signed into a credential or handed out is built from BACKPACK_ORIGIN, never the request.

Their shapes are pinned: credentials already issued carry them, so a route that moves
breaks every badge ever signed with the old address.
"""
import json
import re

import pytest

from backpack.auth import invites
from backpack.evidence import capture
from backpack.evidence.submissions import credential_evidence
from backpack.extensions import db
from backpack.issuing import awarding, issuers
from backpack.models import Role
from backpack.sharing import links
from backpack.web.origin import public_url
from tests.conftest import ORIGIN, new_client, tiny_png
from tests.evidence import samples

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@pytest.fixture
def awarded(app, make_user, make_issuer, make_achievement, make_classroom):
    teacher = make_user(Role.TEACHER, "Ms Rivera")
    learner = make_user(Role.LEARNER, "Amina")
    make_classroom(teacher, learner)
    issuer = make_issuer(teacher)
    issuer.logo_png = tiny_png()
    badge = make_achievement(issuer, by=teacher)
    (award,) = awarding.award(badge, [learner], by=teacher).created
    db.session.commit()
    return teacher, learner, issuer, badge, award


def test_signed_urls_have_their_pinned_shapes(awarded):
    _teacher, _learner, issuer, badge, award = awarded
    credential = json.loads(award.credential_json)
    assert credential["id"] == f"urn:uuid:{award.public_id}"
    assert credential["credentialSubject"]["achievement"]["image"]["id"] == f"{ORIGIN}/badges/{badge.public_id}/image.png"
    status = credential["credentialStatus"]
    assert re.fullmatch(rf"{ORIGIN}/status/{UUID}", status["statusListCredential"])
    assert status["statusListCredential"] == f"{ORIGIN}/status/{award.status_list.public_id}"
    assert issuers.profile(issuer).image == f"{ORIGIN}/issuers/{issuer.public_id}/logo.png"


def test_evidence_share_invite_and_claim_links_have_their_pinned_shapes(awarded):
    _teacher, learner, _issuer, _badge, _award = awarded
    item, _created = capture.save_evidence(learner, samples.jpeg(), idempotency_key="b1c9f7a2-1111-4222-8333-944445555666")
    db.session.commit()
    (evidence,) = credential_evidence([item])
    assert evidence.id == f"{ORIGIN}/evidence/{item.public_id}/media"
    assert links.url_of("abc_DEF-123") == f"{ORIGIN}/s/abc_DEF-123"
    assert invites.link("tok-EN_1") == f"{ORIGIN}/invite/tok-EN_1"
    assert public_url("learner.claim_from_link", code="K7Q2") == f"{ORIGIN}/claim/K7Q2"


def test_urls_follow_the_configured_origin_outside_a_request(app):
    app.config["BACKPACK_ORIGIN"] = "https://badges.example.org:8443"
    assert links.url_of("t") == "https://badges.example.org:8443/s/t"
    assert invites.link("t") == "https://badges.example.org:8443/invite/t"


@pytest.mark.parametrize("host", ["evil.example", "localhost.evil.example", "127.0.0.1", ""])
def test_a_request_naming_another_host_is_refused_before_any_view(app, host):
    client = new_client(app)
    for path in ("/", "/signin", "/status/x", "/invite/whatever", "/auth/signin/options"):
        response = client.get(path, headers={"Host": host}) if host else client.get(path, environ_overrides={"HTTP_HOST": ""})
        assert response.status_code == 400, (host, path)


def test_the_configured_host_is_served_on_any_port(app):
    client = new_client(app)
    assert client.get("/signin", headers={"Host": "localhost:8443"}).status_code == 200


def test_a_previous_origin_is_still_answered_for_credentials_already_issued(app):
    app.config["BACKPACK_PREVIOUS_ORIGINS"] = ["https://old-badges.example.org"]
    client = new_client(app)
    assert client.get("/signin", headers={"Host": "old-badges.example.org"}).status_code == 200
    assert client.get("/signin", headers={"Host": "other.example.org"}).status_code == 400
    assert links.url_of("t") == f"{ORIGIN}/s/t"  # new links name the current origin only
