"""Every credential the demo issues validates against 1EdTech's published OB 3.0 JSON Schemas."""
import json

from backpack.demo import TEACHER, load_demo
from backpack.evidence import submissions
from backpack.extensions import db
from backpack.models import Award, Submission, User
from tests.support.ob_schemas import credential_errors, profile_errors, proof_errors


def test_every_demo_credential_validates(app):
    load_demo()
    # The demo leaves one submission (a photo of written work) waiting: award it, so its evidence is checked too.
    teacher = db.session.scalar(db.select(User).where(User.display_name == TEACHER))
    pending = db.session.scalars(db.select(Submission)).all()
    assert pending
    for submission in pending:
        submissions.award_submission(submission, teacher)
    db.session.commit()

    awards = db.session.scalars(db.select(Award).order_by(Award.id)).all()
    credentials = {award.public_id: json.loads(award.credential_json) for award in awards}
    assert any(award.revoked_at for award in awards) and any(award.source == "stack" for award in awards)
    assert any(award.source == "submission" and "evidence" in credentials[award.public_id] for award in awards)

    assert {key: credential_errors(c) for key, c in credentials.items()} == {key: [] for key in credentials}
    assert {key: profile_errors(c["issuer"]) for key, c in credentials.items()} == {key: [] for key in credentials}
    lists = {award.status_list.public_id: json.loads(award.status_list.credential_json) for award in awards}
    assert {key: proof_errors(c["proof"]) for key, c in lists.items()} == {key: [] for key in lists}
