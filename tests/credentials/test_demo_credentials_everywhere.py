"""Every credential the demo issues, served as the demo is served: 1EdTech's schemas find no error,
and both independent verifiers (DCC verifier-core, Digital Bazaar's stack) agree with our own
verdict on each, genuine, revoked and tampered (issue 19, "Done when")."""
import copy
import json

import pytest

from backpack.credentials.verify import INVALID, REVOKED, VALID, verify_credential
from backpack.demo import TEACHER
from backpack.evidence import submissions
from backpack.extensions import db
from backpack.models import Award, Submission, User
from backpack.web import outbound
from tests.support import verifier_db
from tests.support.demo_server import serving_demo
from tests.support.ob_schemas import credential_errors, profile_errors, proof_errors
from tests.support.verifier_core import run, verdict


@pytest.fixture
def demo(tmp_path):
    # 127.0.0.1, not localhost: the Node verifiers fetch the status lists, and may try ::1 first.
    with serving_demo(tmp_path, host="127.0.0.1") as running:
        # The demo leaves a submission waiting: award it too, so a credential with evidence is checked.
        teacher = db.session.scalar(db.select(User).where(User.display_name == TEACHER))
        for submission in db.session.scalars(db.select(Submission)).all():
            submissions.award_submission(submission, teacher)
        db.session.commit()
        yield running


def renamed(credential: dict) -> dict:
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["achievement"]["name"] = "Master welder"
    return changed


def fetch_from(origin: str):
    """Our verifier's status-list fetcher, reaching the demo over HTTP like the Node verifiers."""

    def fetch(url: str) -> dict:
        assert url.startswith(origin + "/status/")
        return json.loads(outbound.fetch(url, allow_local=True).body)

    return fetch


def test_every_demo_credential_passes_the_schemas_and_both_verifiers(demo):
    awards = db.session.scalars(db.select(Award).order_by(Award.id)).all()
    issued = [json.loads(award.credential_json) for award in awards]
    expected = [REVOKED if award.revoked_at else VALID for award in awards]
    assert REVOKED in expected and VALID in expected
    assert any("evidence" in credential for credential in issued)
    assert any(award.source == "stack" for award in awards)

    assert {c["id"]: credential_errors(c) for c in issued} == {c["id"]: [] for c in issued}
    assert {c["id"]: profile_errors(c["issuer"]) for c in issued} == {c["id"]: [] for c in issued}
    lists = {award.status_list.url: json.loads(award.status_list.credential_json) for award in awards}
    assert {url: proof_errors(c["proof"]) for url, c in lists.items()} == {url: [] for url in lists}

    genuine = issued[expected.index(VALID)]
    withdrawn = issued[expected.index(REVOKED)]
    cases = issued + [renamed(genuine), renamed(withdrawn)]
    expected += [INVALID, INVALID]

    fetch = fetch_from(demo.origin)
    assert [verify_credential(c, fetch_status_list=fetch).status for c in cases] == expected
    assert [verdict(result) for result in run(cases)] == expected
    assert [verifier_db.verdict(result) for result in verifier_db.run(cases)] == expected
    assert not demo.errors
