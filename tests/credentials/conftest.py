"""Issuer keys, badge credentials and a status-list server for the credential tests."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from backpack.credentials import keys, openbadge, proof, status_list

# Text that canonicalisation must escape exactly like other implementations:
# Arabic, Chinese, Vietnamese, quotes, backslash, newlines, tab and control characters.
AWKWARD_TEXT = 'لحام آمن · 安全焊接 · Hàn an toàn "quoted" \\ back\nnew\r\tline \b\f\x7f\x01\x1f end'


@pytest.fixture(scope="session")
def issuer_key():
    return keys.generate_key()


@pytest.fixture(scope="session")
def other_key():
    return keys.generate_key()


@pytest.fixture(scope="session")
def make_credential(issuer_key):
    """Return a factory of unsigned OpenBadgeCredentials; keyword arguments override parts."""

    def make(*, key=None, name="Safe welding", criteria="Weld a joint that passes inspection.", **overrides):
        key = key or issuer_key
        arguments = {
            "issuer": openbadge.Issuer(id=key.did, name="Riverside Training Centre", url="https://riverside.example"),
            "achievement": openbadge.Achievement(
                id="https://riverside.example/achievements/welding",
                name=name,
                description="Welds safely in the workshop.",
                criteria=criteria,
                image="https://riverside.example/badges/welding.png",
                alignments=[openbadge.Alignment("Welding safety", "https://skills.example/weld-1")],
                tags=["welding"],
            ),
            "valid_from": "2024-01-01T00:00:00Z",
            "subject_id": "did:example:learner-1",
        }
        arguments.update(overrides)
        return openbadge.build_credential(**arguments)

    return make


@pytest.fixture(scope="session")
def sign(issuer_key):
    """Return a function that signs a document with the issuer key (or another key)."""

    def sign_with(document, key=None):
        key = key or issuer_key
        return proof.sign(document, key, key.verification_method)

    return sign_with


class StatusListServer:
    """Serve signed status list credentials over HTTP on 127.0.0.1."""

    def __init__(self):
        self.documents = {}
        documents = self.documents

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = documents.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/vc+ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def publish(self, path, credential):
        self.documents[path] = json.dumps(credential).encode("utf-8")
        return self.url(path)

    def fetch(self, url):
        """Fetch like the app would, but straight from memory."""
        path = url.removeprefix(self.url(""))
        return json.loads(self.documents[path])

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def status_server():
    server = StatusListServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def publish_status_list(status_server, issuer_key):
    """Return a function that signs and serves a status list with the given revoked indexes."""

    def publish(path, revoked=(), key=None):
        key = key or issuer_key
        bits = status_list.StatusList()
        for index in revoked:
            bits.set(index)
        url = status_server.url(path)
        unsigned = status_list.build_status_list_credential(
            list_url=url, issuer_id=key.did, status_list=bits, valid_from="2024-01-01T00:00:00Z"
        )
        return status_server.publish(path, proof.sign(unsigned, key, key.verification_method))

    return publish
