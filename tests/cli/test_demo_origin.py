"""The demo served on any port: every badge it issued verifies there, in an independent verifier too."""
import json

import pytest

from backpack.extensions import db
from backpack.issuing.verification import verify_award
from backpack.models import Award
from tests.support.demo_server import serving_demo
from tests.support.verifier_core import run, verdict


@pytest.fixture
def demo_on_another_port(tmp_path):
    # 127.0.0.1, not localhost: verifier-core (Node) fetches the status lists, and may try ::1 first.
    with serving_demo(tmp_path, host="127.0.0.1") as demo:
        yield demo


def test_every_demo_badge_verifies_at_the_port_it_is_served_on(demo_on_another_port):
    demo = demo_on_another_port
    awards = list(db.session.scalars(db.select(Award).order_by(Award.id)))
    credentials = [json.loads(award.credential_json) for award in awards]
    assert all(c["credentialStatus"]["statusListCredential"].startswith(demo.origin + "/status/") for c in credentials)
    expected = ["revoked" if award.revoked_at else "valid" for award in awards]
    assert "revoked" in expected and "valid" in expected
    assert [verify_award(award).status for award in awards] == expected
    assert [verdict(result) for result in run(credentials)] == expected
    assert all(label and token for label, token in demo.tokens)
    assert not demo.errors
