"""A fresh app and database per test, built by the factory, and people to act as."""
import contextvars
import io
import json
import re

import pytest
from flask.testing import FlaskClient
from PIL import Image

from backpack import create_app
from backpack.auth import invites
from backpack.extensions import db, limiter
from backpack.issuing.achievements import create_achievement
from backpack.issuing.issuers import create_issuer
from backpack.models import Classroom, Enrolment, Issuer, Role, User
from tests.support.authenticator import SoftPasskey
from tests.support.empty_database import copy_tables

ORIGIN = "https://localhost"
# Real PostgreSQL, Redis and S3 servers, started once per session by the tests that ask;
# URL builders and templates compiled once per run, not once per app.
pytest_plugins = ["tests.support.servers", "tests.support.compiled_once"]


def build_app(tmp_path, **settings):
    """Build the app as every test does; settings swap parts (tests/scale: the real servers)."""
    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
            "SERVER_NAME": "localhost",
            "BACKPACK_ORIGIN": ORIGIN,
            "PREFERRED_URL_SCHEME": "https",
            **settings,
        }
    )


def with_tables(app):
    """Yield the app inside its context with the tables made and the rate limits reset."""
    with app.app_context():
        if not copy_tables(db.engine):
            db.create_all()
        limiter.reset()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    yield from with_tables(build_app(tmp_path))


class IsolatedClient(FlaskClient):
    """Run each request in its own context, as in production, though the test holds one.

    Without this, requests would share the test's app context: its `g` (the CSRF token,
    the signed-in user) and its database session, hiding real bugs.
    """

    def open(self, *args, **kwargs):
        parent_open = super().open
        return contextvars.Context().run(parent_open, *args, **kwargs)


def new_client(app):
    """A test client that sends the same-origin Referer that browsers send over HTTPS."""
    app.test_client_class = IsolatedClient
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = ORIGIN + "/"
    return client


@pytest.fixture
def client(app):
    return new_client(app)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_from(html: str) -> str:
    """Read the CSRF token a page was rendered with."""
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no CSRF meta tag"
    return match.group(1)


class Actor:
    """A browser-less person: a test client with a software passkey."""

    def __init__(self, client, user: User | None = None):
        self.client = client
        self.user = user
        self.passkey = SoftPasskey(ORIGIN)

    def csrf(self, path: str = "/signin") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))

    def post_json(self, path: str, body: dict, csrf: str | None = None):
        token = csrf if csrf is not None else self.csrf()
        return self.client.post(path, json=body, headers={"X-CSRFToken": token})

    def register_with_invite(self, token: str, *, origin: str | None = None):
        """Walk the invite ceremony; return the verify response."""
        csrf = csrf_from(self.client.get(f"/invite/{token}").get_data(as_text=True))
        options = self.post_json("/auth/register/options", {"invite": token}, csrf).get_json()
        answer = self.passkey.create(options, origin=origin)
        return self.post_json(
            "/auth/register/verify", {"credential": _json(answer), "invite": token}, csrf
        )

    def sign_in(self, *, origin: str | None = None):
        csrf = self.csrf("/signin")
        options = self.post_json("/auth/signin/options", {}, csrf).get_json()
        answer = self.passkey.get(options, origin=origin)
        return self.post_json("/auth/signin/verify", {"credential": _json(answer)}, csrf)


def _json(data) -> str:
    return json.dumps(data)


@pytest.fixture
def make_user(app):
    def make(role: Role = Role.LEARNER, name: str | None = None, **fields) -> User:
        user = User(display_name=name or f"{role.value} {User.query.count() + 1}", role=role.value, **fields)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_classroom(app, make_user):
    def make(teacher: User, *learners: User, name: str = "Class A") -> Classroom:
        classroom = Classroom(name=name, teacher=teacher)
        db.session.add(classroom)
        for learner in learners:
            db.session.add(Enrolment(classroom=classroom, learner=learner))
        db.session.commit()
        return classroom

    return make


@pytest.fixture
def enrol(app):
    """Give a user a passkey through a real invite ceremony and return a signed-in Actor."""

    def enrol_user(user: User, client=None) -> Actor:
        actor = Actor(client or new_client(app), user)
        token = invites.issue(user, created_by=None)
        db.session.commit()
        response = actor.register_with_invite(token)
        assert response.status_code == 200, response.get_data(as_text=True)
        return actor

    return enrol_user


@pytest.fixture
def signed_in(app, make_user, enrol):
    """Return a signed-in Actor for a new user of the given role."""

    def sign_in_as(role: Role, name: str | None = None) -> Actor:
        return enrol(make_user(role, name))

    return sign_in_as


def tiny_png(colour=(29, 78, 216)) -> bytes:
    """A small real PNG, for badge images in tests."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def make_issuer(app):
    def make(*members: User, name: str = "Riverside Adult School") -> Issuer:
        issuer = create_issuer(name, members=list(members), url="https://riverside.example")
        db.session.commit()
        return issuer

    return make


@pytest.fixture
def make_achievement(app):
    def make(issuer, *, by: User, name: str = "Safe welding", **fields):
        fields.setdefault("description", "Welds safely in the workshop.")
        fields.setdefault("criteria", "Weld a joint that passes inspection.")
        fields.setdefault("image_png", tiny_png())
        achievement = create_achievement(issuer, by=by, name=name, **fields)
        db.session.commit()
        return achievement

    return make
