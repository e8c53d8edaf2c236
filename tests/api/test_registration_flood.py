"""A hundred registrations in a minute from one address (a script filling the database with
platforms): at most ten get through, the rest are told to wait, nothing more is stored, and
other addresses can still register."""
from backpack.extensions import db
from backpack.models import OAuthClient
from tests.api.platform import API, registration
from tests.conftest import ORIGIN

FLOOD = "203.0.113.50"
NEIGHBOUR = "198.51.100.7"


def register_from(app, address: str, **headers):
    client = app.test_client()
    return client.post(f"{API}/oauth/register", json=registration(logo_uri=None), base_url=ORIGIN,
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_a_hundred_registrations_a_minute_from_one_address_are_rate_limited(app):
    answers = [register_from(app, FLOOD) for _ in range(100)]

    statuses = [answer.status_code for answer in answers]
    assert statuses == [201] * 10 + [429] * 90
    refused = answers[-1]
    assert refused.get_json() == {"error": "Too many attempts. Please wait a minute and try again."}
    assert "client_id" not in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(OAuthClient)) == 10

    # Another address is not held back by the flood; a forged X-Forwarded-For does not help the flood.
    assert register_from(app, NEIGHBOUR).status_code == 201
    assert register_from(app, FLOOD, **{"X-Forwarded-For": "192.0.2.99"}).status_code == 429
    assert db.session.scalar(db.select(db.func.count()).select_from(OAuthClient)) == 11
