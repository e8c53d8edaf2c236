"""A platform pushes a badge made by another implementation (Digital Bazaar's `vc` with
eddsa-rdfc-2022, signed at test time) and reads it back exactly as it sent it."""
import json

from backpack.extensions import db
from backpack.models import ImportedCredential, Role
from tests.api.platform import API, connect
from tests.support.signer_db import badge, signed_by_db


def test_a_badge_signed_by_digital_bazaar_goes_in_and_comes_back_byte_for_byte(app, signed_in):
    learner = signed_in(Role.LEARNER, "Amina")
    session, _token = connect(app, learner)
    genuine, changed = signed_by_db([badge(7), badge(7)])["credentials"]
    changed["credentialSubject"]["achievement"]["name"] = "Head chef"
    # Sent as the platform has it: its own spacing and key order, not ours.
    sent = json.dumps(genuine, indent=1, ensure_ascii=False).encode()

    added = session.post(f"{API}/credentials", data=sent, headers={"Content-Type": "application/vc+ld+json"})
    assert added.status_code == 201 and added.content == sent
    kept = db.session.scalar(db.select(ImportedCredential))
    assert (kept.status, kept.name, kept.raw) == ("valid", "Food hygiene level 2", sent)

    listed = session.get(f"{API}/credentials")
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "1"
    assert sent in listed.content
    assert listed.json() == {"credential": [genuine], "compactJwsString": []}

    # The same id, changed after signing: it replaces the first and is kept as not genuine.
    tampered = json.dumps(changed).encode()
    replaced = session.post(f"{API}/credentials", data=tampered, headers={"Content-Type": "application/json"})
    assert replaced.status_code == 200
    db.session.expire_all()
    [row] = db.session.scalars(db.select(ImportedCredential)).all()
    assert (row.status, row.name, row.raw) == ("invalid", "Head chef", tampered)
    assert session.get(f"{API}/credentials").content.count(tampered) == 1
