"""The installable shell: manifest, service worker, offline page."""
import json
import re

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
    precached = set(re.findall(r'"(/static/[^"]+)"', source))
    for folder in ("css", "js"):
        for path in (ROOT / "static" / folder).iterdir():
            assert f"/static/{folder}/{path.name}" in precached, f"{path.name} missing from SHELL in sw.js"
    for path in precached:
        assert (ROOT / path.lstrip("/")).exists(), path


def test_version_changes_when_a_static_file_changes(tmp_path):
    (tmp_path / "a.css").write_text("a{}")
    before = shell.version.__wrapped__(str(tmp_path))
    (tmp_path / "a.css").write_text("a{color:red}")
    assert shell.version.__wrapped__(str(tmp_path)) != before


def test_offline_page_renders(client):
    response = client.get("/offline")
    assert response.status_code == 200
    assert "offline" in response.get_data(as_text=True).lower()
