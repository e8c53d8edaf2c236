"""Fixtures the import tests share: a learner who holds badges, and a local issuer's web site."""
import pytest

from backpack.models import Role
from tests.learner.imports import start_issuer_site


@pytest.fixture
def holder(make_user):
    return make_user(Role.LEARNER, "Amina")


@pytest.fixture
def site(app):
    """A tiny issuer site on loopback; the app may fetch from it only because the test allows local URLs."""
    app.config["IMPORT_ALLOW_LOCAL_URLS"] = True
    running = start_issuer_site()
    yield running
    running.stop()
