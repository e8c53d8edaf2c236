"""The installable shell: manifest, service worker, offline page."""
import inspect
import io
import json
import re

import pytest
from PIL import Image

from backpack import ROOT
from backpack.pwa import shell


def test_manifest_is_installable(client):
    response = client.get("/manifest.json")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data())
    response.close()
    assert manifest["display"] == "standalone" and manifest["scope"] == "/"
    purposes = {icon["purpose"] for icon in manifest["icons"]}
    assert {"any", "maskable"} <= purposes
    for icon in manifest["icons"]:
        path = ROOT / icon["src"].lstrip("/")
        assert path.exists(), icon["src"]
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_service_worker_is_served_from_root_with_a_content_version(client):
    response = client.get("/sw.js")
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert f'const VERSION = "{shell.version()}";' in body
    assert '"dev"' not in body


def test_service_worker_precaches_every_shell_asset():
    source = (ROOT / "service_worker" / "sw.js").read_text()
    precached = set(re.findall(r"`\$\{STATIC\}/([^`]+)`", source))
    # css/app.css is precached inside signed-in.css (core.css + app.css, joined when served).
    assert "css/signed-in.css" in precached and "css/core.css" in precached
    for folder in ("css", "js"):
        for path in (ROOT / "static" / folder).iterdir():
            if f"{folder}/{path.name}" != "css/app.css":
                assert f"{folder}/{path.name}" in precached, f"{path.name} missing from SHELL in sw.js"
    for path in precached - {"css/signed-in.css"}:
        assert (ROOT / "static" / path).exists(), path


def test_version_changes_when_a_static_file_changes(tmp_path):
    (tmp_path / "a.css").write_text("a{}")
    before = shell.version.__wrapped__(str(tmp_path))
    (tmp_path / "a.css").write_text("a{color:red}")
    assert shell.version.__wrapped__(str(tmp_path)) != before


def test_offline_page_renders(client):
    response = client.get("/offline")
    assert response.status_code == 200
    assert "offline" in response.get_data(as_text=True).lower()


def test_the_worker_forgets_kept_pages_on_every_route_that_starts_or_ends_a_session(client):
    source = client.get("/sw.js").get_data(as_text=True)
    line = next(line for line in source.splitlines() if line.startswith("const SESSION_CHANGES = "))
    patterns = json.loads(line.removeprefix("const SESSION_CHANGES = ").rstrip(";"))
    for path in ("/signout", "/signout/everywhere", "/auth/signin/verify", "/auth/register/verify", "/account/delete"):
        assert any(re.fullmatch(pattern.strip("^$"), path) for pattern in patterns), path
    assert not any(re.fullmatch(pattern.strip("^$"), "/evidence") for pattern in patterns)


# What a view calls when it starts or ends a session in this browser.
SESSION_CALLS = {"start_session", "sign_out", "sign_out_everywhere", "sign_out_here", "_signed_out_here", "login_user", "logout_user"}


def test_every_view_that_starts_or_ends_a_session_is_in_the_workers_list(app):
    """The list is made from the changes_session marks, so a view that forgot its mark is caught here."""
    marked, calling = set(), set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, "changes_session", False):
            marked.add(rule.endpoint)
            assert rule.methods <= {"POST", "OPTIONS"}, rule.rule
        if SESSION_CALLS & set(inspect.unwrap(view).__code__.co_names):
            calling.add(rule.endpoint)
    assert calling and calling <= marked
    assert len(shell.session_change_patterns(app)) == len(marked)


def test_static_files_are_versioned_and_cached_for_a_year(app, client):
    page = client.get("/signin").get_data(as_text=True)
    version = shell.version()
    assert f'href="/static/{version}/css/signed-in.css"' in page and f'src="/static/{version}/js/app.js"' in page
    with client.get(f"/static/{version}/css/signed-in.css") as joined:
        core, rest = (ROOT / "static" / "css" / "core.css").read_bytes(), (ROOT / "static" / "css" / "app.css").read_bytes()
        assert joined.get_data() == core + b"\n" + rest and "immutable" in joined.headers["Cache-Control"]
    with client.get(f"/static/{version}/js/app.js") as response:
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        # Relative imports stay in the same version; the manifest's fixed icon names still work.
        assert 'import("./passkey.js")' in response.get_data(as_text=True)
    with client.get("/static/icons/icon-192.png") as icon:
        assert icon.status_code == 200 and "immutable" not in icon.headers["Cache-Control"]
    worker = client.get("/sw.js").get_data(as_text=True)
    assert f'const VERSION = "{version}";' in worker and "`${STATIC}/js/app.js`" in worker


@pytest.mark.parametrize("path", [f"/static/{shell.version()}/js/app.js", "/static/icons/icon-192.png"])
def test_static_files_are_served_from_memory_with_etags_and_ranges(app, client, path):
    """No open file behind a static response: a transfer a browser drops leaves nothing to leak."""
    with app.test_request_context(path):
        response = app.full_dispatch_request()
        assert isinstance(response.response.file, io.BytesIO)
        response.close()
    with client.get(path) as response:
        assert response.status_code == 200
        etag = response.headers["ETag"]
        whole = response.get_data()
    with client.get(path, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
    with client.get(path, headers={"Range": "bytes=0-9"}) as part:
        assert part.status_code == 206 and part.get_data() == whole[:10]
    assert client.get(path.replace("app.js", "missing.js").replace("icon-192", "nope")).status_code == 404
