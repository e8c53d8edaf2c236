"""Malformed or oversized JWTs and JSON on the import page: a clear reason in the learner's
language, the form given back as it was sent, and nothing stored."""
import html
import io

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from backpack.models import Role
from tests.learner.test_import_pages import post, rows

NOT_JSON = "This text is not valid JSON, so it cannot be a badge."
NOT_A_BADGE = "This file does not contain a badge."
TOO_LARGE = "This is too large to be a badge. A badge file is at most 2 MB."


@pytest.fixture
def amina(signed_in):
    return signed_in(Role.LEARNER, "Amina")


@pytest.mark.parametrize(
    "pasted, reason",
    [
        ("eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.AAAA", NOT_JSON),
        ("eyJhbGciOiJFZERTQSJ9.e30.AAAA", NOT_A_BADGE),
        ("eyJhbGciOiJub25lIn0.eyJ2YyI6e319.", NOT_JSON),
        ('{"@context": ["https://www.w3.org/ns/credentials/v2"], "id": ', NOT_JSON),
        ('{"type": ["VerifiableCredential"], "type": ["OpenBadgeCredential"]}', NOT_JSON),
    ],
    ids=["jwt-payload-not-json", "jwt-without-credential", "alg-none-empty", "json-cut-short", "json-duplicate-keys"],
)
def test_a_malformed_paste_is_refused_with_its_reason_and_given_back(amina, pasted, reason):
    response = post(amina, "/my/imported/new", pasted=pasted)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert reason in page
    assert pasted in page  # the learner can correct it rather than paste again
    assert rows() == []


@pytest.mark.parametrize(
    "content, name",
    [
        (b"eyJhbGciOiJFZERTQSJ9." + b"A" * (2 * 1024 * 1024) + b".AAAA", "badge.jwt"),
        (b'{"pad": "' + b"x" * (2 * 1024 * 1024) + b'"}', "badge.json"),
    ],
    ids=["oversized-jwt", "oversized-json"],
)
def test_an_oversized_file_is_refused_with_its_reason(amina, content, name):
    # Encoded here, in memory: the test client would spool a body this large to a file it never closes.
    boundary, body = encode_multipart({"csrf_token": amina.csrf("/language"), "badge_file": FileStorage(io.BytesIO(content), name)})
    response = amina.client.post("/my/imported/new", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code in (400, 413)
    assert TOO_LARGE in html.unescape(response.get_data(as_text=True))
    assert rows() == []


def test_the_reason_is_given_in_the_learners_language(amina):
    assert post(amina, "/language", language="es").status_code == 302
    response = post(amina, "/my/imported/new", pasted="eyJhbGciOiJFZERTQSJ9.e30.AAAA")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Este archivo no contiene una insignia." in page and NOT_A_BADGE not in page
    assert rows() == []
