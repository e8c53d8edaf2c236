"""Browser journeys: one Chromium and one live server for the run, a fresh phone per test.

The server is the real app (built by create_app, with a SQLite file database) behind
Werkzeug in a daemon thread. Each test gets a new browser context shaped like a Pixel 7
with a CDP virtual authenticator, so passkey ceremonies run for real in Chromium.
Browse http://localhost:PORT, never 127.0.0.1: WebAuthn refuses an IP address as RP ID,
and localhost is a secure context (Secure cookies, service workers).
"""
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import got_request_exception
from flask_babel import force_locale, gettext
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from backpack import create_app
from backpack.auth import invites
from backpack.extensions import db, limiter
from backpack.models import Passkey, Role, User
from backpack.models.time import utcnow
from tests.browser.steps import wait_until_wired

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    # Without these, Chromium keeps calling home on a closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-gpu",
    # A fake camera and microphone (a test pattern and a beep), allowed without a prompt.
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]
PHONE = "Pixel 7"

expect.set_options(timeout=10_000)


# --- the server ------------------------------------------------------------------------


class LiveServer:
    """The app served over HTTP, and direct access to its database for setting the scene."""

    def __init__(self, app, port: int):
        self.app = app
        self.port = port
        self.url = f"http://localhost:{port}"
        self.errors: list[BaseException] = []

    @contextmanager
    def database(self):
        """Push an app context for setting up rows; popped before the browser acts again."""
        with self.app.app_context():
            yield db.session

    def make_person(self, role: Role = Role.LEARNER, name: str = "Amina") -> "Person":
        """Create a user with an open enrolment invite, as a teacher or admin would."""
        with self.database() as session:
            user = User(display_name=name, role=role.value)
            session.add(user)
            session.flush()
            token = invites.issue(user, created_by=None)
            session.commit()
            return Person(user_id=user.id, name=name, role=role, token=token, server=self)

    def translate(self, locale: str, message, **variables) -> str:
        """Return a message as the app says it in a language; fail if it is not translated.

        message is an msgid (formatted with variables) or one of the app's lazy strings.
        """

        def say() -> str:
            return gettext(message, **variables) if isinstance(message, str) else str(message)

        with self.app.test_request_context():
            with force_locale("en"):
                english = say()
            with force_locale(locale):
                text = say()
        if locale != "en" and text == english:
            pytest.fail(
                f"no {locale!r} translation of {english!r}: the catalogue in "
                "backpack/translations/ lacks it or is not compiled (pybabel compile)",
                pytrace=False,
            )
        return text

    def check_no_errors(self) -> None:
        """Fail the current test if a request raised an unhandled exception on the server."""
        errors, self.errors[:] = list(self.errors), []
        if errors:
            pytest.fail("the server raised during the test:\n" + "\n".join(map(repr, errors)))


@dataclass
class Person:
    """A user row made for a test, with the token of their open invite."""

    user_id: int
    name: str
    role: Role
    token: str
    server: LiveServer

    @property
    def invite_path(self) -> str:
        return f"/invite/{self.token}"

    def expire_invite(self) -> None:
        """Let the invite run out, as if a week had passed."""
        with self.server.database() as session:
            invites.find_open(self.token).expires_at = utcnow() - timedelta(minutes=1)
            session.commit()

    def use_invite(self) -> None:
        """Mark the invite used, as if someone had already redeemed it."""
        with self.server.database() as session:
            invites.find_open(self.token).used_at = utcnow()
            session.commit()

    def passkey_count(self) -> int:
        with self.server.database() as session:
            return session.scalar(
                db.select(db.func.count(Passkey.id)).where(Passkey.user_id == self.user_id)
            )

    def delete_passkeys(self) -> None:
        """Remove the person's passkeys on the server only, as if an admin had."""
        with self.server.database() as session:
            session.execute(db.delete(Passkey).where(Passkey.user_id == self.user_id))
            session.commit()

    def preferred_language(self) -> str | None:
        with self.server.database() as session:
            return session.get(User, self.user_id).preferred_language


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Serve a fresh app, with its own instance folder and SQLite file, for the whole run."""
    folder = tmp_path_factory.mktemp("backpack-live")
    app = create_app(
        {
            "INSTANCE_PATH": str(folder / "instance"),
            "SECRET_KEY": "browser-test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'backpack.db'}",
        }
    )
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BACKPACK_ORIGIN"] = f"http://localhost:{server.server_port}"
    live = LiveServer(app, server.server_port)

    def remember(sender, exception, **extra):
        live.errors.append(exception)

    got_request_exception.connect(remember, app, weak=False)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield live
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _server_stays_healthy(request):
    """Reset rate limits between tests; fail a test during which the server raised."""
    if "live_server" not in request.fixturenames:
        yield
        return
    live = request.getfixturevalue("live_server")
    with live.app.app_context():
        limiter.reset()
    yield
    live.check_no_errors()


# --- the browser -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_driver():
    """Playwright's driver; named so it cannot clash with pytest-playwright's fixtures."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright_driver):
    """Debian's Chromium, launched once for the run (never `playwright install`)."""
    browser = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


class Phone:
    """One person's phone: a Pixel 7 browser context, a page, and its passkey authenticators."""

    # A phone's built-in passkey store: discoverable credentials, screen lock verified.
    AUTHENTICATOR = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }

    def __init__(self, context, server: LiveServer):
        self.context = context
        self.server = server
        self.page = context.new_page()
        self.cdp = context.new_cdp_session(self.page)
        self.cdp.send("WebAuthn.enable", {"enableUI": False})
        self.authenticators: list[str] = []
        self.authenticator = self.add_authenticator()

    def add_authenticator(self, **options) -> str:
        """Add a virtual authenticator and return its id.

        Chromium allows one "internal" (platform) authenticator per browser; a second
        device is a roaming one, e.g. add_authenticator(transport="usb") for a security key.
        """
        answer = self.cdp.send(
            "WebAuthn.addVirtualAuthenticator", {"options": {**self.AUTHENTICATOR, **options}}
        )
        self.authenticators.append(answer["authenticatorId"])
        return answer["authenticatorId"]

    def remove_authenticator(self, authenticator_id: str) -> None:
        """Take an authenticator away, with the passkeys it holds."""
        self.cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator_id})
        self.authenticators.remove(authenticator_id)

    def credentials(self, authenticator_id: str | None = None) -> list[dict]:
        """Return the passkeys an authenticator holds (the first one by default)."""
        answer = self.cdp.send(
            "WebAuthn.getCredentials", {"authenticatorId": authenticator_id or self.authenticator}
        )
        return answer["credentials"]

    def set_user_verified(self, verified: bool, authenticator_id: str | None = None) -> None:
        """Make the screen-lock check pass or fail for the next ceremonies."""
        self.cdp.send(
            "WebAuthn.setUserVerified",
            {"authenticatorId": authenticator_id or self.authenticator, "isUserVerified": verified},
        )

    def open(self, path_or_url: str):
        """Open a page of the app (a path, or a full URL) and return the navigation's response."""
        url = path_or_url if "://" in path_or_url else self.server.url + path_or_url
        return self.page.goto(url)

    def cookie(self, name: str) -> dict | None:
        """Return the browser's cookie of that name for the app, with its attributes."""
        return next((c for c in self.context.cookies(self.server.url) if c["name"] == name), None)

    def press_passkey_button(self, name: str, *, lands_on: str) -> None:
        """Press a passkey button and wait until the ceremony has taken the page to lands_on.

        Fails with the page's own error message if the ceremony reports one instead.
        """
        page = self.page
        wait_until_wired(page)
        page.get_by_role("button", name=name).click()
        error = page.locator("[data-passkey-error]:visible")
        pattern = re.compile(re.escape(self.server.url) + lands_on)
        try:
            page.wait_for_url(pattern, timeout=10_000)
        except PlaywrightError:
            shown = error.all_inner_texts()
            pytest.fail(
                f"passkey ceremony did not reach {lands_on!r}; page at {page.url} says {shown}"
            )


@pytest.fixture
def phones(chromium, playwright_driver, live_server):
    """Return a function that hands out fresh phones; all are closed after the test."""
    opened = []

    def new_phone(**options) -> Phone:
        context = chromium.new_context(
            **{**playwright_driver.devices[PHONE], "locale": "en-US", **options}
        )
        opened.append(context)
        return Phone(context, live_server)

    yield new_phone
    for context in opened:
        context.close()


@pytest.fixture
def phone(phones) -> Phone:
    """A fresh Pixel 7 with its own passkey authenticator, for one test."""
    return phones()
