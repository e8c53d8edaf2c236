"""The demo served on any port: every badge it issued verifies there, in an independent verifier too."""
import json
import threading

import pytest
from werkzeug.serving import make_server

from backpack import create_app
from backpack.demo import load_demo
from backpack.extensions import db
from backpack.issuing.verification import verify_award
from backpack.models import Award
from tests.support.verifier_core import run, verdict


@pytest.fixture
def demo_on_another_port(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.db'}"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    assert server.server_port != 5000
    # What scripts/demo.sh does with PORT: the origin follows the port.
    app.config["BACKPACK_ORIGIN"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with app.app_context():
        db.create_all()
        tokens = load_demo()
        yield app, server.server_port, tokens
        db.session.remove()
    server.shutdown()
    server.server_close()


def test_every_demo_badge_verifies_at_the_port_it_is_served_on(demo_on_another_port):
    app, port, tokens = demo_on_another_port
    origin = f"http://127.0.0.1:{port}"
    awards = list(db.session.scalars(db.select(Award).order_by(Award.id)))
    credentials = [json.loads(award.credential_json) for award in awards]
    assert all(c["credentialStatus"]["statusListCredential"].startswith(origin + "/status/") for c in credentials)
    expected = ["revoked" if award.revoked_at else "valid" for award in awards]
    assert "revoked" in expected and "valid" in expected
    assert [verify_award(award).status for award in awards] == expected
    assert [verdict(result) for result in run(credentials)] == expected
    assert all(label and token for label, token in tokens)
