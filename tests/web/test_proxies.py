"""Behind N reverse proxies (BACKPACK_PROXIES=N), rate limits key on the real client's address.

Every request then arrives from the proxy's own address: without ProxyFix one busy visitor
would lock out everyone. Without BACKPACK_PROXIES the forwarded headers are not believed, so
a client cannot dodge a limit by forging X-Forwarded-For.
"""
import pytest

from tests.conftest import build_app, new_client, with_tables

GUESSES = 30  # GET /invite/<token> allows 30 a minute from one address


@pytest.fixture
def behind_one_proxy(tmp_path):
    yield from with_tables(build_app(tmp_path, BACKPACK_PROXIES=1))


def guess(client, number: int, forwarded_for: str) -> int:
    return client.get(f"/invite/guess{number}", headers={"X-Forwarded-For": forwarded_for}).status_code


def test_behind_a_proxy_each_client_has_its_own_limit(behind_one_proxy):
    client = new_client(behind_one_proxy)
    statuses = [guess(client, n, "203.0.113.7") for n in range(GUESSES + 1)]
    assert statuses[:GUESSES] == [404] * GUESSES
    assert statuses[GUESSES] == 429
    # Another learner behind the same proxy is still served.
    assert guess(client, 0, "198.51.100.9") == 404


def test_without_proxies_a_forged_forwarded_address_changes_nothing(app):
    client = new_client(app)
    statuses = [guess(client, n, f"203.0.113.{n}") for n in range(GUESSES + 1)]
    assert statuses[:GUESSES] == [404] * GUESSES
    assert statuses[GUESSES] == 429
