"""Fixtures the import tests share: a learner who holds badges, and a local issuer's web site."""
import pytest

from backpack.learner import importing
from backpack.models import Role
from backpack.web import outbound
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


@pytest.fixture
def guard_refusals(app, monkeypatch):
    """The real outbound guard, loopback not allowed: the (url, problem) of each fetch it refuses."""
    app.config["IMPORT_ALLOW_LOCAL_URLS"] = False
    importing.clear_key_cache()
    refusals = []
    real_fetch = outbound.fetch

    def spy(url, **options):
        try:
            return real_fetch(url, **options)
        except outbound.OutboundRefused as refused:
            refusals.append((url, refused.problem))
            raise

    monkeypatch.setattr(outbound, "fetch", spy)
    return refusals
