"""A platform using the Open Badges 3.0 API, as another site would: Authlib's own OAuth client
(requests), talking to the real app through its test client, plus the learner's consent."""
import hashlib
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session
from PIL import Image
from requests.structures import CaseInsensitiveDict

from backpack.api import scopes
from tests.conftest import ORIGIN, csrf_from, new_client

API = ORIGIN + "/ims/ob/v3p0"
CALLBACK = "https://jobs.example/callback"
VERIFIER = "v" * 20 + "-verifier-of-the-platform-" + "9" * 20


class FlaskTransport(requests.adapters.BaseAdapter):
    """Send requests' requests to the app's test client instead of the network."""

    def __init__(self, client):
        super().__init__()
        self.client = client
        self.sent = []

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "accept-encoding")}
        body = request.body.encode() if isinstance(request.body, str) else request.body
        answer = self.client.open(
            parts.path + (f"?{parts.query}" if parts.query else ""),
            method=request.method,
            headers=headers,
            data=body,
            base_url=f"{parts.scheme}://{parts.netloc}",
        )
        self.sent.append(request)
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.get_data()
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        answer.close()
        return response

    def close(self):
        pass


def http(app) -> requests.Session:
    """A plain requests session that reaches the app (no cookies of any learner)."""
    session = requests.Session()
    session.mount(ORIGIN, FlaskTransport(new_client(app)))
    return session


def registration(**changes) -> dict:
    """An RFC 7591 registration request as an Open Badges platform sends it."""
    body = {
        "client_name": "Harbour Jobs",
        "client_uri": "https://jobs.example/",
        "logo_uri": "https://jobs.example/logo.png",
        "tos_uri": "https://jobs.example/terms",
        "policy_uri": "https://jobs.example/privacy",
        "software_id": "c88b6ed8-269e-448e-99be-7e2ff47167d1",
        "software_version": "1.0.0",
        "redirect_uris": [CALLBACK],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": " ".join(scopes.ALL),
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def register(app, **changes) -> dict:
    """Register a platform through the real endpoint; return the registration response."""
    discovery = http(app).get(API + "/discovery").json()
    url = discovery["components"]["securitySchemes"]["OAuth2ACG"]["x-imssf-registrationUrl"]
    answer = http(app).post(url, json=registration(**changes))
    assert answer.status_code == 201, answer.text
    return answer.json()


def oauth_session(app, registered: dict, scope: str | None = None, redirect_uri: str = CALLBACK) -> OAuth2Session:
    """Authlib's OAuth 2.0 client for the platform, with PKCE S256, reaching the app."""
    session = OAuth2Session(
        client_id=registered["client_id"],
        client_secret=registered["client_secret"],
        scope=scope or " ".join(scopes.ALL),
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    session.mount(ORIGIN, FlaskTransport(new_client(app)))
    return session


def authorization_url(session: OAuth2Session, verifier: str = VERIFIER, **extra) -> str:
    url, _state = session.create_authorization_url(API + "/oauth/authorize", code_verifier=verifier, **extra)
    return url


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def consent(learner, url: str, decision: str = "allow"):
    """The learner opens the consent page and presses a button; return the POST's response."""
    page = learner.client.get(path_of(url))
    assert page.status_code == 200, page.get_data(as_text=True)
    return learner.client.post(path_of(url), data={"decision": decision, "csrf_token": csrf_from(page.get_data(as_text=True))})


def code_from(location: str) -> str:
    return parse_qs(urlsplit(location).query)["code"][0]


def connect(app, learner, registered: dict | None = None, scope: str | None = None):
    """The whole dance: register (unless given), consent, exchange the code; return (session, token)."""
    registered = registered or register(app)
    session = oauth_session(app, registered, scope=scope)
    answer = consent(learner, authorization_url(session))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    token = session.fetch_token(API + "/oauth/token", authorization_response=answer.headers["Location"], code_verifier=VERIFIER)
    return session, token


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def png_logo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 30, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def serve_logo(body: bytes):
    """A platform's website on 127.0.0.1 serving its logo; returns (url, stop)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop():
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}/logo.png", stop


def imsx_minor(answer) -> str:
    body = answer.json()
    assert body["imsx_codeMajor"] in ("failure", "unsupported"), body
    return body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]

