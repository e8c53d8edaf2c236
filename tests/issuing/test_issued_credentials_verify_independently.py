"""What the app issues, checked by two independent verifiers over real HTTP, and by 1EdTech's schemas.

The app runs on a live server so DCC verifier-core and Digital Bazaar's stack fetch the
status list from the app itself, as any verifier would. Every credential issued, and the
issuer profile in it, must also validate against the published OB 3.0 JSON Schemas.
"""
import copy
import json
import threading
from datetime import timedelta

import pytest
import requests
from werkzeug.serving import make_server

from backpack import create_app
from backpack.extensions import db
from backpack.issuing import achievements, awarding, issuers, status
from backpack.models import Classroom, Enrolment, Role, User
from backpack.models.time import utcnow
from tests.conftest import tiny_png
from tests.support import verifier_db
from tests.support.ob_schemas import credential_errors, profile_errors, proof_errors
from tests.support.verifier_core import run, verdict

AWKWARD = 'لحام آمن · 安全焊接 · Hàn an toàn "quoted" \\ back\nnew\r\tline \b\f\x7f\x01 end'


@pytest.fixture
def live_app(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.db'}",
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BACKPACK_ORIGIN"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
    server.shutdown()
    server.server_close()
    with app.app_context():
        db.engine.dispose()


def test_issued_credentials_pass_both_verifiers_and_the_schemas(live_app, monkeypatch):
    teacher = User(display_name="Ms Rivera", role=Role.TEACHER.value)
    names = ["Amina Yusuf", "Nguyễn Thị Lan", "李伟", 'Rosa "La Jefa"\nO\'Neil']
    learners = [User(display_name=name, role=Role.LEARNER.value) for name in names]
    db.session.add_all([teacher, *learners])
    classroom = Classroom(name="ESL", teacher=teacher)
    db.session.add_all([classroom] + [Enrolment(classroom=classroom, learner=learner) for learner in learners])
    issuer = issuers.create_issuer("Riverside «Adult» School", members=[teacher], url="https://riverside.example")
    plain = achievements.create_achievement(
        issuer, by=teacher, name="Safe welding", description="Welds safely.", criteria="Pass inspection.",
        image_png=tiny_png(), alignments=[{"name": "Welding", "framework": "ESCO", "url": "https://esco.example/weld", "code": "W1"}],
        tags=["welding", "سلامة"], validity_days=365,
    )
    awkward = achievements.create_achievement(
        issuer, by=teacher, name=AWKWARD, description=AWKWARD, criteria=AWKWARD, image_png=tiny_png()
    )
    stack = achievements.create_achievement(
        issuer, by=teacher, name="Workshop ready", description="Both badges.", criteria="Hold both.", image_png=tiny_png()
    )
    achievements.set_requirements(stack, [plain, awkward])
    db.session.commit()

    valid = awarding.award(plain, learners[:3], by=teacher, note="Line one\nline «two»", evidence_url="https://example.org/e/1")
    odd = awarding.award(awkward, learners[:2], by=teacher)
    revoked = awarding.award(awkward, learners[3:], by=teacher).created[0]
    db.session.commit()
    status.revoke(revoked, "Awarded by mistake", by=teacher)
    monkeypatch.setattr(awarding, "utcnow", lambda: utcnow() - timedelta(days=400))
    expired = awarding.award(plain, learners[3:], by=teacher).created[0]
    db.session.commit()

    genuine = [json.loads(a.credential_json) for a in valid.created + odd.created + odd.stacks]
    assert len(odd.stacks) == 2  # two learners completed the stack
    tampered = copy.deepcopy(genuine[0])
    tampered["credentialSubject"]["identifier"][0]["identityHash"] = "Someone else"
    renamed = copy.deepcopy(genuine[3])
    renamed["credentialSubject"]["achievement"]["name"] = "Master welder"
    cases = genuine + [json.loads(revoked.credential_json), json.loads(expired.credential_json), tampered, renamed]
    expected = ["valid"] * len(genuine) + ["revoked", "expired", "invalid", "invalid"]

    issued = genuine + [json.loads(revoked.credential_json), json.loads(expired.credential_json)]
    assert any("evidence" in c for c in issued) and any("validUntil" in c for c in issued)
    assert {c["id"]: credential_errors(c) for c in issued} == {c["id"]: [] for c in issued}
    assert {c["id"]: profile_errors(c["issuer"]) for c in issued} == {c["id"]: [] for c in issued}
    assert proof_errors(json.loads(revoked.status_list.credential_json)["proof"]) == []
    # The list the verifiers fetch carries validUntil and ttl: a saved old copy lapses.
    list_url = json.loads(revoked.credential_json)["credentialStatus"]["statusListCredential"]
    served = requests.get(list_url, timeout=10).json()
    assert served["id"] == list_url and "validUntil" in served and served["credentialSubject"]["ttl"] > 0

    results = run(cases)
    second = verifier_db.run(cases)

    assert [verdict(result) for result in results] == expected, results
    assert [verifier_db.verdict(result) for result in second] == expected, second
